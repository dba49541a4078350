import type { ConformanceContext } from "./context.js";

/** One conformance test: a stable id, a title, and its body. */
export interface ConformanceTest {
  /** Stable id, `area.name`; what `skip` refers to. Never reused for another meaning. */
  readonly id: string;
  /** What the test checks, in a few words. */
  readonly title: string;
  /** The test body; it fails by throwing. */
  readonly run: (ctx: ConformanceContext) => Promise<void>;
}

const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*\.[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Declares a test; the id must look like `area.some-name`. */
export function defineTest(
  id: string,
  title: string,
  run: (ctx: ConformanceContext) => Promise<void>,
): ConformanceTest {
  if (!ID.test(id)) throw new Error(`conformance test id ${JSON.stringify(id)} is not area.name`);
  return { id, title, run };
}
