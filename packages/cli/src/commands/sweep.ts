import type { LifecyclePolicy } from "@llm-sessions/core";
import { EXIT, usageError } from "../errors.js";
import { count, duration, json, keyValues } from "../format.js";
import { MAX_DURATION_MS } from "../numbers.js";
import { Progress } from "../progress.js";
import { existingDatabase, withStore } from "../target.js";
import type { CommandContext } from "./context.js";

export interface SweepOptions {
  readonly json?: boolean;
  readonly idleAfter?: string;
  readonly archiveAfter?: string;
  readonly purgeAfter?: string;
  readonly keepSnapshots?: boolean;
}

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** `90s`, `30m`, `12h`, `7d`, `2w`, `500ms`, or plain milliseconds. */
export function parseDuration(text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)?$/.exec(text.trim());
  if (!match) throw usageError(`${option}: "${text}" is not a duration (e.g. 30m, 12h, 7d)`);
  const ms = Math.round(Number(match[1]) * (UNITS[match[2] ?? "ms"] ?? 1));
  if (ms <= 0) throw usageError(`${option}: must be more than zero`);
  if (ms > MAX_DURATION_MS) {
    throw usageError(
      `${option}: "${text}" is too long (at most ${MAX_DURATION_MS} ms, about 4,400 years)`,
    );
  }
  return ms;
}

/** `idle after 30m, archive after 7d`: what this sweep will do. */
function phases(opts: SweepOptions): string {
  return [
    opts.idleAfter ? `idle after ${opts.idleAfter}` : undefined,
    opts.archiveAfter ? `archive after ${opts.archiveAfter}` : undefined,
    opts.purgeAfter ? `purge after ${opts.purgeAfter}` : undefined,
  ]
    .filter((p) => p !== undefined)
    .join(", ");
}

/**
 * `sweep <db>`: runs the lifecycle policy once — idle, archive (with a
 * checksummed snapshot), purge — by the durations given. A store's policy
 * lives in the application that opens it, so the command needs them spelled
 * out; at least one is required.
 */
export async function sweep(db: string, opts: SweepOptions, ctx: CommandContext): Promise<number> {
  const { io, globals } = ctx;
  const path = existingDatabase(db, globals.driver);
  const policy: LifecyclePolicy = {
    sweepIntervalMs: 0,
    ...(opts.idleAfter ? { idleAfterMs: parseDuration(opts.idleAfter, "--idle-after") } : {}),
    ...(opts.archiveAfter
      ? { archiveAfterMs: parseDuration(opts.archiveAfter, "--archive-after") }
      : {}),
    ...(opts.purgeAfter ? { purgeAfterMs: parseDuration(opts.purgeAfter, "--purge-after") } : {}),
    ...(opts.keepSnapshots ? { keepSnapshots: true } : {}),
  };
  if (!opts.idleAfter && !opts.archiveAfter && !opts.purgeAfter) {
    throw usageError("sweep needs at least one of --idle-after, --archive-after, --purge-after");
  }
  // A sweep reports nothing until it ends, and on a big file opening (with
  // its quick_check) and the sweep each take seconds: say what is going on.
  const progress = new Progress(io, "sweep", !opts.json);
  progress.working(globals.verify ? "opening and checking" : "opening");
  const result = await withStore(
    path,
    globals,
    async (store) => {
      progress.working(phases(opts));
      try {
        return await store.lifecycle.sweep();
      } finally {
        progress.finish();
      }
    },
    { lifecycle: policy },
  ).finally(() => progress.finish());
  if (opts.json) {
    io.out(json(result));
    return EXIT.ok;
  }
  io.out(
    keyValues([
      ["idled", count(result.idled)],
      ["archived", count(result.archived)],
      ["purged", count(result.purged)],
      ["took", duration(result.durationMs)],
      ...(result.skipped
        ? [["skipped", "another process holds the sweep lease"] as [string, string]]
        : []),
    ]),
  );
  return EXIT.ok;
}
