import { parseArgs } from "node:util";
import type { JsonObject } from "@llm-sessions/core";
import { ADAPTER_PRESETS, type AdapterSpec, type PresetTarget, preset } from "../adapters/index.js";
import { type Profile, SUITE_IDS, type SuiteId } from "../suite/types.js";

/** What the command line asked for. */
export interface RunnerArgs {
  readonly suites: SuiteId[];
  readonly adapters: AdapterSpec[];
  readonly profile: Profile;
  readonly seed: number | undefined;
  readonly durationMs: number | undefined;
  readonly writers: number | undefined;
  readonly kills: number | undefined;
  readonly report: string;
  readonly tempDir: string | undefined;
  readonly keepFiles: boolean;
  readonly progress: boolean;
  readonly help: boolean;
}

/** The usage text. */
export const USAGE = `Usage: llm-sessions-stress [options]

Runs the @llm-sessions stress suites against one or more adapters, prints a
table and writes a JSON report. Exits non-zero when any suite finds a violation.

Options:
  -s, --suite <ids>          suites to run, comma-separated (default: all)
                             ${SUITE_IDS.join(", ")}
  -a, --adapter <names>      adapter presets, comma-separated, or "all" (default: all)
                             ${Object.keys(ADAPTER_PRESETS).join(", ")}
  -t, --target <where>       file, memory or all (default: file)
      --adapter-module <m>   your own adapter: the module to import (package or file path)
      --adapter-export <e>   ... its factory export (default: default)
      --adapter-options <j>  ... the factory's options as JSON; "{path}" is the database
                             file (default: {"filename":"{path}"})
      --adapter-name <n>     ... its name in the report (default: the module)
  -p, --profile <p>          ci or full (default: ci)
      --seed <n>             the seed (default: random; printed, so a failure can be repeated)
  -d, --duration <time>      soak duration: 90s, 5m, 120000 (ms) (default: 6s ci, 120s full)
  -w, --writers <n>          writer processes at once, 1-64: the processes suite's appenders
                             and the crash suite's writers killed together
                             (default: processes 4 ci / 8 full, crash 2 ci / 4 full)
  -k, --kills <n>            crash suite: how many times the writers are killed, 1-100000
                             (default: 20 ci, 200 full)
  -r, --report <file>        where to write the JSON report (default: stress-report.json)
      --temp-dir <dir>       where the suites' temporary directories go (default: OS temp)
      --keep-files           keep the databases for a post-mortem
      --no-progress          no progress bar
  -h, --help                 this text
`;

/**
 * Parses the command line.
 * @throws Error with a message for the user on a bad option.
 */
export function parseRunnerArgs(argv: readonly string[]): RunnerArgs {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      suite: { type: "string", short: "s", multiple: true },
      adapter: { type: "string", short: "a", multiple: true },
      target: { type: "string", short: "t" },
      "adapter-module": { type: "string" },
      "adapter-export": { type: "string" },
      "adapter-options": { type: "string" },
      "adapter-name": { type: "string" },
      profile: { type: "string", short: "p" },
      seed: { type: "string" },
      duration: { type: "string", short: "d" },
      writers: { type: "string", short: "w" },
      kills: { type: "string", short: "k" },
      report: { type: "string", short: "r" },
      "temp-dir": { type: "string" },
      "keep-files": { type: "boolean" },
      "no-progress": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  const suites = list(values.suite);
  for (const id of suites) {
    if (!(SUITE_IDS as readonly string[]).includes(id)) {
      throw new Error(`unknown suite "${id}" (suites: ${SUITE_IDS.join(", ")})`);
    }
  }
  const profile = values.profile ?? "ci";
  if (profile !== "ci" && profile !== "full") throw new Error(`--profile must be ci or full`);
  return {
    suites: suites as SuiteId[],
    adapters: adapters(values),
    profile,
    seed: values.seed === undefined ? undefined : integer("--seed", values.seed),
    durationMs: values.duration === undefined ? undefined : duration(values.duration),
    writers: values.writers === undefined ? undefined : bounded("--writers", values.writers, 64),
    kills: values.kills === undefined ? undefined : bounded("--kills", values.kills, 100_000),
    report: values.report ?? "stress-report.json",
    tempDir: values["temp-dir"],
    keepFiles: values["keep-files"] ?? false,
    progress: !(values["no-progress"] ?? false),
    help: values.help ?? false,
  };
}

function adapters(values: Record<string, unknown>): AdapterSpec[] {
  const module = values["adapter-module"] as string | undefined;
  if (module !== undefined) {
    const raw = (values["adapter-options"] as string | undefined) ?? '{"filename":"{path}"}';
    let options: JsonObject;
    try {
      options = JSON.parse(raw) as JsonObject;
    } catch {
      throw new Error(`--adapter-options must be JSON: ${raw}`);
    }
    return [
      {
        name: (values["adapter-name"] as string | undefined) ?? module,
        module,
        export: (values["adapter-export"] as string | undefined) ?? "default",
        options,
      },
    ];
  }
  const names = list(values.adapter as string[] | undefined);
  const chosen = names.length === 0 || names.includes("all") ? Object.keys(ADAPTER_PRESETS) : names;
  const target = (values.target as string | undefined) ?? "file";
  if (!["file", "memory", "all"].includes(target))
    throw new Error("--target must be file, memory or all");
  const targets: PresetTarget[] = target === "all" ? ["file", "memory"] : [target as PresetTarget];
  return chosen.flatMap((name) => targets.map((t) => preset(name, t)));
}

function list(values: readonly string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter(Boolean);
}

function integer(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`${flag} must be an integer, not ${value}`);
  return n;
}

function bounded(flag: string, value: string, max: number): number {
  const n = integer(flag, value);
  if (n < 1 || n > max) throw new Error(`${flag} must be between 1 and ${max}, not ${value}`);
  return n;
}

/** `90s`, `5m`, `1h`, `1500ms` or a plain number of milliseconds. */
export function duration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!match) throw new Error(`--duration: cannot read ${value} (try 90s, 5m, 120000)`);
  const scale = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[match[2] ?? "ms"] ?? 1;
  return Math.round(Number(match[1]) * scale);
}
