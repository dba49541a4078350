import type { SqliteDriver } from "@llm-sessions/core";
import {
  type Params,
  type Queryable,
  type Row,
  runSteps,
  type SqliteConnection,
  type Statement,
  type Transaction,
} from "@llm-sessions/core/driver";

/** One statement the store ran, with SQLite's plan for it. */
export interface PlannedStatement {
  /** The statement, whitespace collapsed to single spaces. */
  readonly sql: string;
  /** The `detail` column of each `EXPLAIN QUERY PLAN` row, in order. */
  readonly plan: readonly string[];
}

/**
 * Wraps a driver so that every statement the store sends is first explained
 * (`EXPLAIN QUERY PLAN`, on the same connection or transaction, with the same
 * parameters) and recorded. It tests the queries the store really runs, not
 * copies of them.
 */
export function recordingDriver(driver: SqliteDriver): {
  /** The wrapped driver, to open the store with. */
  driver: SqliteDriver;
  /** The statements recorded so far (SELECT, INSERT, UPDATE, DELETE and WITH only). */
  statements: PlannedStatement[];
  /** Switch of the recording; off at first. */
  recording: {
    /** Set to true to record statements, false to stop. */
    on: boolean;
  };
} {
  const statements: PlannedStatement[] = [];
  const recording = { on: false };

  const explain = async (q: Queryable, sql: string, params?: Params): Promise<void> => {
    if (!recording.on || !/^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b/i.test(sql)) return;
    const rows = await q.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params);
    statements.push({ sql: sql.replace(/\s+/g, " ").trim(), plan: rows.map((r) => r.detail) });
  };

  const wrapQueryable = <Q extends Queryable>(q: Q): Queryable => ({
    run: async (sql: string, params?: Params) => {
      await explain(q, sql, params);
      return q.run(sql, params);
    },
    get: async <T extends object = Row>(sql: string, params?: Params) => {
      await explain(q, sql, params);
      return q.get<T>(sql, params);
    },
    all: async <T extends object = Row>(sql: string, params?: Params) => {
      await explain(q, sql, params);
      return q.all<T>(sql, params);
    },
    exec: (sql: string) => q.exec(sql),
    batch: async (list: readonly Statement[]) => {
      for (const s of list) await explain(q, s.sql, s.params);
      return q.batch(list);
    },
  });

  const wrapConnection = (conn: SqliteConnection): SqliteConnection => ({
    ...wrapQueryable(conn),
    transaction: (mode, fn) => conn.transaction(mode, (tx: Transaction) => fn(wrapQueryable(tx))),
    // Through transaction(), so that every statement of the body is recorded.
    transactionSteps: (mode, steps) =>
      conn.transaction(mode, (tx: Transaction) => runSteps(steps(), wrapQueryable(tx))),
    writeBatch: async (list) => {
      for (const s of list) await explain(conn, s.sql, s.params);
      return conn.writeBatch(list);
    },
    inTransaction: () => conn.inTransaction(),
    close: () => conn.close(),
    get closed() {
      return conn.closed;
    },
  });

  return {
    statements,
    recording,
    driver: {
      name: driver.name,
      target: driver.target,
      capabilities: driver.capabilities,
      connect: async (options) => wrapConnection(await driver.connect(options)),
    },
  };
}
