import { SqliteError } from "../driver/errors.js";
import type { Queryable } from "../driver/types.js";
import { type Lane, now } from "./lane.js";
import type { CheckpointOptions } from "./options.js";
import type { Timers } from "./timers.js";

/** SQLite's checkpoint modes (`PRAGMA wal_checkpoint(MODE)`). */
export type CheckpointMode = "PASSIVE" | "FULL" | "RESTART" | "TRUNCATE";

/** The checkpoint modes, for validation. */
export const CHECKPOINT_MODES: readonly CheckpointMode[] = [
  "PASSIVE",
  "FULL",
  "RESTART",
  "TRUNCATE",
];

/** What one checkpoint did. */
export interface CheckpointResult {
  /** The mode it ran in (`PRAGMA wal_checkpoint(MODE)`). */
  readonly mode: CheckpointMode;
  /** True when SQLite could not finish (a reader or writer, maybe in another process, was in the way). */
  readonly busy: boolean;
  /** Frames (pages) in the WAL afterwards; 0 after a TRUNCATE that finished; -1 when the database is not in WAL mode. */
  readonly walPages: number;
  /** Frames of the WAL already copied into the database; -1 when not in WAL mode. */
  readonly checkpointedPages: number;
  /** Whether every reader of this pool was released before the checkpoint ran. */
  readonly readersDrained: boolean;
}

/** Figures of the WAL guard and of manual checkpoints. */
export interface CheckpointStats {
  /** Whether the automatic guard runs (a file database whose driver allows `wal_checkpoint`, and not turned off). */
  readonly enabled: boolean;
  /** WAL size in frames (pages) at the last measure or checkpoint; undefined before the first. */
  readonly walPages: number | undefined;
  /** PASSIVE checkpoints run to measure the WAL. */
  readonly measures: number;
  /** Draining checkpoints (FULL, RESTART, TRUNCATE) that ran, automatic and manual. */
  readonly checkpoints: number;
  /** Automatic TRUNCATEs skipped because readers were not released within `drainTimeoutMs`. */
  readonly skipped: number;
  /** Checkpoints SQLite reported as busy (not finished). */
  readonly busy: number;
  /** Guard runs that failed (the error is not the caller's; it is counted and the last one kept). */
  readonly errors: number;
  /** The last guard error's message. */
  readonly lastError: string | undefined;
}

interface CheckpointRow {
  busy: number | bigint;
  log: number | bigint;
  checkpointed: number | bigint;
}

/** Runs `PRAGMA wal_checkpoint(mode)` and reads its one row. */
export async function walCheckpoint(
  conn: Queryable,
  mode: CheckpointMode,
): Promise<{ busy: boolean; log: number; checkpointed: number }> {
  const row = await conn.get<CheckpointRow>(`PRAGMA wal_checkpoint(${mode})`);
  if (!row) throw new SqliteError("ERROR", `PRAGMA wal_checkpoint(${mode}) returned no row`);
  return {
    busy: Number(row.busy) !== 0,
    log: Number(row.log),
    checkpointed: Number(row.checkpointed),
  };
}

/**
 * Runs `fn` with `busy_timeout` 0 on `conn`, then puts it back. The automatic
 * guard must never wait: a TRUNCATE blocked by another process's reader
 * would otherwise sit out the whole busy timeout, and with a synchronous
 * driver (better-sqlite3) that wait freezes the event loop. A busy result is
 * reported and the guard tries again at the next interval.
 */
async function withoutBusyWait<T>(conn: Queryable, fn: () => Promise<T>): Promise<T> {
  const row = await conn.get<Record<string, number | bigint>>("PRAGMA busy_timeout");
  const previous = Number(row ? (Object.values(row)[0] ?? 5000) : 5000);
  await conn.exec("PRAGMA busy_timeout = 0");
  try {
    return await fn();
  } finally {
    await conn.exec(`PRAGMA busy_timeout = ${Math.trunc(previous)}`);
  }
}

/**
 * Holds new readers back, waits up to `drainTimeoutMs` for the readers in
 * use to be released, runs the checkpoint on `writer` (which the caller
 * holds) unless `skipIfNotDrained` and they were not, then lets readers in
 * again. Holding readers back is what lets RESTART/TRUNCATE reset the WAL:
 * SQLite cannot rewind it while any reader still reads an old snapshot.
 * Returns undefined when skipped.
 */
export async function checkpointDrained(
  writer: Queryable,
  mode: CheckpointMode,
  readers: Lane | undefined,
  drainTimeoutMs: number,
  skipIfNotDrained: boolean,
): Promise<CheckpointResult | undefined> {
  const reopen = readers?.hold();
  try {
    const readersDrained = readers ? await readers.whenDrained(drainTimeoutMs) : true;
    if (!readersDrained && skipIfNotDrained) return undefined;
    const r = skipIfNotDrained
      ? await withoutBusyWait(writer, () => walCheckpoint(writer, mode))
      : await walCheckpoint(writer, mode);
    return {
      mode,
      busy: r.busy,
      walPages: r.log,
      checkpointedPages: r.checkpointed,
      readersDrained,
    };
  } finally {
    reopen?.();
  }
}

/**
 * The WAL starvation guard. After write transactions (at most once per
 * `intervalMs`) it measures the WAL with a PASSIVE checkpoint — the same
 * work SQLite's auto-checkpoint does, so it adds little — and when the WAL
 * holds `walPages` or more frames it runs a TRUNCATE with readers drained.
 * A trailing, unref'd timer makes sure the last burst of writes is measured
 * too. The pool runs it while holding the writer.
 */
export class WalGuard {
  readonly #o: Required<CheckpointOptions> | false;
  readonly #timers: Timers;
  #lastRunAt = Number.NEGATIVE_INFINITY;
  #cancelTrailing: (() => void) | undefined;
  #walPages: number | undefined;
  #measures = 0;
  #checkpoints = 0;
  #skipped = 0;
  #busy = 0;
  #errors = 0;
  #lastError: string | undefined;

  constructor(options: Required<CheckpointOptions> | false, timers: Timers) {
    this.#o = options;
    this.#timers = timers;
  }

  /** Whether a measure is due now (always false when the guard is off). */
  due(): boolean {
    return this.#o !== false && now() - this.#lastRunAt >= this.#o.intervalMs;
  }

  /**
   * Arranges for `run` to be called once the interval has passed, unless a
   * trailing run is already pending. The timer never keeps the process alive.
   */
  scheduleTrailing(run: () => void): void {
    if (this.#o === false || this.#cancelTrailing) return;
    const delay = Math.max(0, this.#lastRunAt + this.#o.intervalMs - now());
    this.#cancelTrailing = this.#timers.start(delay, () => {
      this.#cancelTrailing = undefined;
      run();
    });
  }

  /** Cancels a pending trailing run (at close). */
  stop(): void {
    this.#cancelTrailing?.();
    this.#cancelTrailing = undefined;
  }

  /** Measures the WAL on `writer` (held by the caller) and truncates it if it is too big. */
  async run(writer: Queryable, readers: Lane | undefined): Promise<void> {
    if (this.#o === false) return;
    this.#lastRunAt = now();
    this.#cancelTrailing?.();
    this.#cancelTrailing = undefined;
    const measured = await walCheckpoint(writer, "PASSIVE");
    this.#measures++;
    this.#walPages = measured.log;
    // -1: not in WAL mode (nothing to guard); below the threshold: nothing to do.
    if (measured.log < this.#o.walPages) return;
    const result = await checkpointDrained(
      writer,
      "TRUNCATE",
      readers,
      this.#o.drainTimeoutMs,
      true,
    );
    if (result) this.record(result);
    else this.#skipped++;
  }

  /** Counts a checkpoint's outcome (automatic or manual). */
  record(result: CheckpointResult): void {
    if (result.mode === "PASSIVE") this.#measures++;
    else this.#checkpoints++;
    if (result.busy) this.#busy++;
    this.#walPages = result.walPages;
  }

  /** Counts a failed guard run. */
  recordError(error: unknown): void {
    this.#errors++;
    this.#lastError = error instanceof Error ? error.message : String(error);
  }

  /** The guard's figures. */
  stats(): CheckpointStats {
    return {
      enabled: this.#o !== false,
      walPages: this.#walPages,
      measures: this.#measures,
      checkpoints: this.#checkpoints,
      skipped: this.#skipped,
      busy: this.#busy,
      errors: this.#errors,
      lastError: this.#lastError,
    };
  }
}
