import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { AdapterSpec } from "../adapters/index.js";
import type { Profile, SuiteResult } from "../suite/types.js";

/** The JSON report `llm-sessions-stress` writes. */
export interface StressReport {
  readonly ok: boolean;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly profile: Profile;
  readonly seed: number;
  readonly node: string;
  readonly platform: string;
  readonly argv: readonly string[];
  readonly adapters: readonly AdapterSpec[];
  /** Each result with the command that repeats it. */
  readonly results: readonly (SuiteResult & { readonly repeat: string })[];
}

/** Writes the report (creating its directory) and returns its absolute path. */
export async function writeReport(path: string, report: StressReport): Promise<string> {
  const file = resolve(path);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}
