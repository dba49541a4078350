import type { MaybePromise, RawConnection, RawStatement } from "./adapter.js";
import { SqliteError } from "./errors.js";
import type { BackupOptions, Statement } from "./types.js";

/**
 * Wraps a raw connection that has an online backup with what every adapter
 * would otherwise repeat around its driver's backup:
 *
 * - an `onProgress` that throws aborts the copy, and the backup rejects with
 *   `ABORT` whose `cause` is what it threw (whatever the driver rejects with);
 * - `holdCalls()`, given to the adapter's backup: from that call until the
 *   backup settles, every call to the connection (statements, `exec`,
 *   transaction steps, `batch`) waits. A driver that ends the copy after its
 *   last progress report (node:sqlite settles on a later turn) calls it
 *   before that last step, so that every write done before the backup
 *   resolves is in the copy.
 *
 * A connection without `backup` is returned as it is.
 */
export function withBackupHold(raw: RawConnection): RawConnection {
  const backup = raw.backup;
  if (typeof backup !== "function") return raw;
  /** Settles when the backup that holds calls has settled. */
  let held: Promise<void> | undefined;
  /** Runs `fn` once no backup holds calls (a later backup may hold them again meanwhile). */
  const after = <T>(fn: () => MaybePromise<T>): Promise<T> =>
    (held as Promise<void>).then(() => (held === undefined ? fn() : after(fn)));
  const when = <T>(fn: () => MaybePromise<T>): MaybePromise<T> =>
    held === undefined ? fn() : after(fn);
  // Statements test `held` before making a closure: they are the hot path.
  const statement = (s: RawStatement): RawStatement => ({
    run: (params) => (held === undefined ? s.run(params) : after(() => s.run(params))),
    get: (params) => (held === undefined ? s.get(params) : after(() => s.get(params))),
    all: (params) => (held === undefined ? s.all(params) : after(() => s.all(params))),
  });
  const batch = raw.batch;
  return {
    prepare: (sql) => statement(raw.prepare(sql)),
    exec: (sql) => when(() => raw.exec(sql)),
    begin: (mode) => when(() => raw.begin(mode)),
    commit: () => when(() => raw.commit()),
    rollback: () => when(() => raw.rollback()),
    inTransaction: () => raw.inTransaction(),
    close: () => raw.close(),
    ...(batch
      ? {
          batch: async (statements: readonly Statement[]) =>
            when(() => batch.call(raw, statements)),
        }
      : {}),
    async backup(destination: string, { onProgress }: BackupOptions): Promise<void> {
      let thrown: { error: unknown } | undefined;
      let release = (): void => {};
      try {
        await backup.call(raw, destination, {
          onProgress: (progress) => {
            try {
              onProgress?.(progress);
            } catch (error) {
              thrown = { error };
              throw error;
            }
          },
          holdCalls: () => {
            held ??= new Promise((resolve) => (release = resolve));
          },
        });
      } catch (error) {
        if (thrown === undefined) throw error;
        throw new SqliteError("ABORT", "backup aborted: onProgress threw", { cause: thrown.error });
      } finally {
        held = undefined;
        release();
      }
    },
  };
}
