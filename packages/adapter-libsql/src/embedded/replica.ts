import { resolve } from "node:path";
import { SqliteError } from "@llm-sessions/core/driver";
import Database from "libsql";
import { mapLibsqlError } from "../errors.js";
import type { ResolvedOptions } from "../options.js";

/** What `Database.sync()` answers (the package's types say `any`). */
interface Replicated {
  /** The replica's last frame after the sync; undefined while the primary has none. */
  readonly frame_no?: number;
  /** Frames this sync applied. */
  readonly frames_synced: number;
}

/** One process's handle on a replica file, shared by every connection to it. */
export interface ReplicaHandle {
  /**
   * Pulls what the primary has committed into the local file and returns
   * once the file holds all of it (libSQL asks the primary for its latest
   * frame first). Blocks the event loop for the round trips (see below).
   */
  sync(): void;
  /** Lets go of the handle; the last one closes the syncing database. */
  release(): void;
}

interface Entry {
  readonly syncUrl: string;
  readonly db: Database.Database;
  refs: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Replica files this process syncs, by absolute path. libSQL keeps one
 * replicator per `Database` opened with `syncUrl`; two in one process
 * writing the same file would both inject the same frames, so every
 * connection (and every store) of the process on that file shares one.
 */
const replicas = new Map<string, Entry>();

/**
 * The process's syncing database for the replica file of `options`
 * (`kind: "replica"`), opened and synced once on first use.
 *
 * The `libsql` package (0.5.29) syncs only synchronously: its promise API
 * cannot open a replica (it passes its native open one argument too few:
 * "failed to downcast any to boolean"). A sync is one or two requests to the
 * primary; the periodic sync (`syncIntervalMs`) is a timer here rather than
 * libSQL's own, which keeps running after close until the garbage collector
 * frees the database.
 *
 * @throws SqliteError `MISUSE` when the file is already this process's
 *   replica of another primary; `IOERR` (or the server's code) when the
 *   first sync fails.
 */
export function acquireReplica(options: ResolvedOptions): ReplicaHandle {
  const path = resolve(options.localPath as string);
  const syncUrl = options.syncUrl as string;
  let entry = replicas.get(path);
  if (entry !== undefined && entry.syncUrl !== syncUrl) {
    throw new SqliteError(
      "MISUSE",
      `libsql: ${path} is already open as a replica of another primary in this process`,
    );
  }
  if (entry === undefined) {
    let db: Database.Database;
    try {
      db = new Database(path, {
        syncUrl,
        ...(options.authToken === undefined ? {} : { authToken: options.authToken }),
      } as Database.Options);
    } catch (error) {
      // Opening asks the primary which protocol it speaks.
      throw syncFailure(error, options);
    }
    try {
      syncNow(db, options);
    } catch (error) {
      closeQuietly(db);
      throw error;
    }
    const opened: Entry = { syncUrl, db, refs: 0, timer: undefined };
    if (options.syncIntervalMs !== undefined) {
      opened.timer = setInterval(() => {
        try {
          syncNow(db, options);
        } catch {
          // The next write or interval tries again; a write reports its own failure.
        }
      }, options.syncIntervalMs);
      // A replica that syncs must not keep the process alive on its own.
      opened.timer.unref();
    }
    replicas.set(path, opened);
    entry = opened;
  }
  entry.refs += 1;
  const held = entry;
  let released = false;
  return {
    sync: () => syncNow(held.db, options),
    release: () => {
      if (released) return;
      released = true;
      held.refs -= 1;
      if (held.refs > 0) return;
      if (held.timer !== undefined) clearInterval(held.timer);
      replicas.delete(path);
      closeQuietly(held.db);
    },
  };
}

function syncNow(db: Database.Database, options: ResolvedOptions): Replicated {
  try {
    return db.sync() as Replicated;
  } catch (error) {
    throw syncFailure(error, options);
  }
}

/** libSQL reports a failed sync as a plain error ("Replication(...)", "sync error: ..."): a network failure. */
function syncFailure(error: unknown, options: ResolvedOptions): SqliteError {
  const mapped = mapLibsqlError(error);
  return new SqliteError(
    mapped.code === "ERROR" ? "IOERR" : mapped.code,
    `libsql: the embedded replica ${options.target} could not sync from its primary: ${mapped.message}`,
    { cause: error },
  );
}

function closeQuietly(db: Database.Database): void {
  try {
    db.close();
  } catch {
    // Nothing more to release.
  }
}
