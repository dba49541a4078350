import { concurrencySuite } from "../concurrency/suite.js";
import { corruptionSuite } from "../corruption/suite.js";
import { crashSuite } from "../crash/suite.js";
import { modelSuite } from "../model/suite.js";
import { processesSuite } from "../processes/suite.js";
import { soakSuite } from "../soak/suite.js";
import { timeoutsSuite } from "../timeouts/suite.js";
import type { StressSuite } from "./context.js";
import { SUITE_IDS, type SuiteId } from "./types.js";

/** Every stress suite by id, in the order of {@link SUITE_IDS}. */
export const STRESS_SUITES: Readonly<Record<SuiteId, StressSuite>> = {
  model: modelSuite,
  concurrency: concurrencySuite,
  processes: processesSuite,
  crash: crashSuite,
  corruption: corruptionSuite,
  timeouts: timeoutsSuite,
  soak: soakSuite,
};

/** The suites named (all when `ids` is empty or undefined), in their standard order. */
export function selectSuites(ids?: readonly string[]): StressSuite[] {
  const wanted = ids && ids.length > 0 ? new Set(ids) : new Set<string>(SUITE_IDS);
  for (const id of wanted) {
    if (!(SUITE_IDS as readonly string[]).includes(id)) {
      throw new Error(`unknown suite ${JSON.stringify(id)} (suites: ${SUITE_IDS.join(", ")})`);
    }
  }
  return SUITE_IDS.filter((id) => wanted.has(id)).map((id) => STRESS_SUITES[id]);
}
