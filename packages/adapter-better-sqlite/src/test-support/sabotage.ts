import { type SqliteDriver, SqliteError } from "@llm-sessions/core";
import {
  type Queryable,
  type Row,
  runSteps,
  type SqliteConnection,
  type Statement,
  type Transaction,
  type TxSteps,
} from "@llm-sessions/core/driver";
import { betterSqlite } from "../index.js";

/**
 * Ways to break the store on purpose, each aimed at the invariant one stress
 * suite guards. The stress suites must turn red on each.
 */
export type Sabotage =
  /** Counter triggers count every message twice (model, concurrency: counters ≠ rows). */
  | "counters"
  /** A write resolves before its COMMIT (crash: acknowledged writes lost on SIGKILL). */
  | "early-ack"
  /** Integrity pragmas answer "ok", CORRUPT reads come back empty and a COMMIT hides CORRUPT (corruption: damage unseen). */
  | "blind"
  /** The sweep acts 700 ms early (timeouts: sessions idled, archived and purged too soon). */
  | "early-archive"
  /** Write transactions begin DEFERRED (processes: SQLITE_BUSY reaches callers). */
  | "deferred-writes"
  /**
   * A reader holds one snapshot open forever and the driver says it cannot
   * checkpoint, so only SQLite's passive auto-checkpoint is left (soak: the
   * WAL can never be reset and grows).
   */
  | "wal-hog"
  /** Every statement keeps 48 KiB alive (soak: resident memory grows). */
  | "leak";

/** Options of {@link sabotagedBetterSqlite}. */
export interface SabotageOptions {
  readonly filename: string;
  readonly sabotage: Sabotage;
}

const REWRITES: Partial<Record<Sabotage, (sql: string) => string>> = {
  counters: (sql) =>
    sql.replace(/message_count(\s*)=\s*message_count \+ 1/, "message_count$1= message_count + 2"),
  "early-archive": (sql) =>
    sql.replace("AND last_activity_at <= ? LIMIT ?", "AND last_activity_at <= ? + 700 LIMIT ?"),
  blind: (sql) =>
    /^\s*PRAGMA (quick_check|integrity_check)/i.test(sql) ? "SELECT 'ok' AS check_result" : sql,
};

const retained: Uint8Array[] = [];

/** better-sqlite3 with one behaviour broken (see {@link Sabotage}). */
export function sabotagedBetterSqlite(options: SabotageOptions): SqliteDriver {
  const driver = betterSqlite({ filename: options.filename });
  const { sabotage } = options;
  let hogging = false;
  return {
    name: driver.name,
    target: driver.target,
    capabilities:
      sabotage === "wal-hog"
        ? { ...driver.capabilities, walCheckpoint: false }
        : driver.capabilities,
    async connect(connectOptions) {
      const conn = await driver.connect(connectOptions);
      if (sabotage === "wal-hog" && !connectOptions?.readonly && !hogging) {
        hogging = true;
        await holdSnapshot(driver);
      }
      return wrap(conn, sabotage);
    },
  };
}

/** Connections kept reachable (a collected connection would close and end its snapshot). */
const hogs: SqliteConnection[] = [];

/** A side connection that starts a read transaction and never ends it. */
async function holdSnapshot(driver: SqliteDriver): Promise<void> {
  const side = await driver.connect();
  hogs.push(side);
  void side.transaction("deferred", async (tx) => {
    await tx.get("SELECT count(*) AS n FROM sqlite_master");
    await new Promise(() => {});
  });
}

function wrapQueryable<Q extends Queryable>(q: Q, sabotage: Sabotage): Queryable {
  const rewrite = REWRITES[sabotage] ?? ((sql: string) => sql);
  const guard = async <T>(fn: () => Promise<T>, empty: T): Promise<T> => {
    if (sabotage === "leak") retained.push(new Uint8Array(48 * 1024).fill(1));
    try {
      return await fn();
    } catch (error) {
      if (sabotage === "blind" && error instanceof SqliteError && error.code === "CORRUPT") {
        return empty;
      }
      throw error;
    }
  };
  return {
    run: (sql, params) =>
      guard(() => q.run(rewrite(sql), params), { changes: 0, lastInsertRowid: 0 }),
    get: (sql, params) => guard(() => q.get(rewrite(sql), params), undefined),
    all: (sql, params) => guard(() => q.all(rewrite(sql), params), []),
    exec: (sql) => guard(() => q.exec(rewrite(sql)), undefined),
    batch: (statements) =>
      guard(() => q.batch(statements.map((s) => ({ ...s, sql: rewrite(s.sql) }))), []),
  };
}

/**
 * A transaction whose end hides damage too: when a statement met a damaged
 * page, SQLite may report CORRUPT again at COMMIT (even of a read), which
 * would show the damage the blinded statements hid.
 */
async function blindTransaction<T>(
  conn: SqliteConnection,
  mode: "immediate" | "deferred",
  body: (tx: Transaction) => Promise<T>,
): Promise<T> {
  let finished = false;
  let value: T | undefined;
  try {
    return await conn.transaction(mode, async (tx) => {
      value = await body(tx);
      finished = true;
      return value;
    });
  } catch (error) {
    if (finished && error instanceof SqliteError && error.code === "CORRUPT") return value as T;
    throw error;
  }
}

/** The connection with its statements (and transactions) sabotaged; anything else passes through. */
function wrap(conn: SqliteConnection, sabotage: Sabotage): SqliteConnection {
  const overrides: Partial<SqliteConnection> = {
    ...wrapQueryable(conn, sabotage),
    transaction<T>(
      mode: "immediate" | "deferred",
      fn: (tx: Transaction) => Promise<T>,
    ): Promise<T> {
      const wrapped = (tx: Transaction) => fn(wrapQueryable(tx, sabotage));
      if (sabotage === "deferred-writes") return conn.transaction("deferred", wrapped);
      if (sabotage === "blind") return blindTransaction(conn, mode, wrapped);
      if (sabotage !== "early-ack") return conn.transaction(mode, wrapped);
      // Resolve as soon as the work is done; COMMIT follows 30 ms later.
      return new Promise<T>((resolve, reject) => {
        conn
          .transaction(mode, async (tx) => {
            const result = await wrapped(tx);
            resolve(result);
            await new Promise((r) => setTimeout(r, 30));
            return result;
          })
          .catch(reject);
      });
    },
  };
  // The adapter's online backup (used by maintenance.backup) is not part of the contract.
  const native = conn as SqliteConnection & { backup?: (...args: unknown[]) => unknown };
  return {
    ...(overrides as SqliteConnection),
    ...(typeof native.backup === "function" ? { backup: native.backup.bind(conn) } : {}),
    // Through the sabotaged transaction(), so that a step body meets the same sabotage.
    transactionSteps: <T>(mode: "immediate" | "deferred", steps: () => TxSteps<T>) =>
      (overrides.transaction as SqliteConnection["transaction"])(mode, (tx) =>
        runSteps(steps(), tx),
      ),
    // Likewise: the statements of a one-batch write meet the sabotage.
    writeBatch: (list: readonly Statement[]) =>
      (overrides.transaction as SqliteConnection["transaction"])("immediate", async (tx) => {
        const rows: Row[][] = [];
        for (const s of list) rows.push(await tx.all(s.sql, s.params));
        return rows;
      }),
    inTransaction: () => conn.inTransaction(),
    close: () => conn.close(),
    get closed() {
      return conn.closed;
    },
  };
}
