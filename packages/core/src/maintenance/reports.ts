/**
 * A maintenance task the target cannot run (a remote server has no
 * checkpoint or VACUUM; `:memory:` has no WAL). Returned, not thrown:
 * skipping it loses nothing, and a routine that runs the same tasks against
 * local and remote stores should not have to catch. `backup` is different:
 * a backup that was not written throws.
 */
export interface MaintenanceUnsupported {
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
  readonly pageSize: number;
  /** Bytes of the database file (`pages × pageSize` where there is no file). */
  readonly fileBytes: number;
  /** Bytes of the `-wal` file; `undefined` when unknown (no local file). */
  readonly walBytes: number | undefined;
}

/** What `maintenance.checkpoint()` did. */
export interface CheckpointReport {
  readonly status: "done";
  /** True when SQLite could not finish (a reader, maybe in another process, held an old snapshot). */
  readonly busy: boolean;
  /** Whether this pool's readers were all released before it ran. */
  readonly readersDrained: boolean;
  readonly walBytesBefore: number | undefined;
  readonly walBytesAfter: number | undefined;
  readonly durationMs: number;
}

/** What `maintenance.optimize()` did. */
export interface OptimizeReport {
  readonly status: "done";
  /** `PRAGMA optimize` ran (false on a server: it accepts pragmas only as reads). */
  readonly analyzed: boolean;
  /** The search index's segments were merged (`'optimize'` command of FTS5). */
  readonly searchIndexMerged: boolean;
  /** A TRUNCATE checkpoint ran afterwards (the merge is written through the WAL). */
  readonly checkpointed: boolean;
  /** A vacuum ran because `vacuum: "auto"` found enough free pages (its report). */
  readonly vacuum: VacuumReport | null;
  readonly before: SpaceFigures;
  readonly after: SpaceFigures;
  /** (file + WAL bytes before) − (after); negative when it grew. */
  readonly freedBytes: number;
  readonly durationMs: number;
}

/** What `maintenance.vacuum()` did. */
export interface VacuumReport {
  readonly status: "done";
  readonly before: SpaceFigures;
  readonly after: SpaceFigures;
  /** (file + WAL bytes before) − (after); negative when it grew. */
  readonly freedBytes: number;
  /** The journal mode afterwards: `wal` for a file (it is checked, and set back if it ever is not). */
  readonly journalMode: string;
  /** The `quick_check` run afterwards. */
  readonly check: { readonly ok: boolean; readonly problems: readonly string[] };
  readonly durationMs: number;
}

/** `(file + WAL) before − (file + WAL) after`. */
export function freedBytes(before: SpaceFigures, after: SpaceFigures): number {
  return before.fileBytes + (before.walBytes ?? 0) - (after.fileBytes + (after.walBytes ?? 0));
}
