/**
 * A maintenance task the target cannot run (a remote server has no
 * checkpoint or VACUUM; `:memory:` has no WAL). Returned, not thrown:
 * skipping it loses nothing, and a routine that runs the same tasks against
 * local and remote stores should not have to catch. `backup` is different:
 * a backup that was not written throws.
 */
export interface MaintenanceUnsupported {
  /** The task did not run. */
  readonly status: "unsupported";
  /** E.g. `maintenance.vacuum`. */
  readonly operation: string;
  /** Why, in words. */
  readonly reason: string;
}

/** Space figures before or after a task. */
export interface SpaceFigures {
  /** Pages in the database, free ones included. */
  readonly pages: number;
  /** Pages on the free list. */
  readonly freePages: number;
  /** Bytes per page. */
  readonly pageSize: number;
  /** Bytes of the database file (`pages × pageSize` where there is no file). */
  readonly fileBytes: number;
  /** Bytes of the `-wal` file; `undefined` when unknown (no local file). */
  readonly walBytes: number | undefined;
}

/** What `maintenance.checkpoint()` did. */
export interface CheckpointReport {
  /** The checkpoint ran (see `busy` for whether it finished). */
  readonly status: "done";
  /** True when SQLite could not finish (a reader, maybe in another process, held an old snapshot). */
  readonly busy: boolean;
  /** Whether this pool's readers were all released before it ran. */
  readonly readersDrained: boolean;
  /** Bytes of the `-wal` file before; `undefined` when unknown. */
  readonly walBytesBefore: number | undefined;
  /** Bytes of the `-wal` file after; `undefined` when unknown. */
  readonly walBytesAfter: number | undefined;
  /** How long it took. */
  readonly durationMs: number;
}

/** What `maintenance.optimize()` did. */
export interface OptimizeReport {
  /** The task ran. */
  readonly status: "done";
  /** `PRAGMA optimize` ran (false on a server: it accepts pragmas only as reads). */
  readonly analyzed: boolean;
  /** The search index's segments were merged (`'optimize'` command of FTS5). */
  readonly searchIndexMerged: boolean;
  /** A TRUNCATE checkpoint ran afterwards (the merge is written through the WAL). */
  readonly checkpointed: boolean;
  /** A vacuum ran because `vacuum: "auto"` found enough free pages (its report). */
  readonly vacuum: VacuumReport | null;
  /** Space figures before. */
  readonly before: SpaceFigures;
  /** Space figures after. */
  readonly after: SpaceFigures;
  /** (file + WAL bytes before) − (after); negative when it grew. */
  readonly freedBytes: number;
  /** How long it took. */
  readonly durationMs: number;
}

/** What `maintenance.vacuum()` did. */
export interface VacuumReport {
  /** The task ran. */
  readonly status: "done";
  /** Space figures before. */
  readonly before: SpaceFigures;
  /** Space figures after. */
  readonly after: SpaceFigures;
  /** (file + WAL bytes before) − (after); negative when it grew. */
  readonly freedBytes: number;
  /** The journal mode afterwards: `wal` for a file (it is checked, and set back if it ever is not). */
  readonly journalMode: string;
  /** The `quick_check` run afterwards. */
  readonly check: {
    /** True when `quick_check` answered `ok`. */
    readonly ok: boolean;
    /** The lines `quick_check` answered when not `ok`; empty when `ok`. */
    readonly problems: readonly string[];
  };
  /** How long it took. */
  readonly durationMs: number;
}

/** `(file + WAL) before − (file + WAL) after`. */
export function freedBytes(before: SpaceFigures, after: SpaceFigures): number {
  return before.fileBytes + (before.walBytes ?? 0) - (after.fileBytes + (after.walBytes ?? 0));
}
