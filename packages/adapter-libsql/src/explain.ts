import type { InStatement, ResultSet } from "@libsql/client";
import type { Executor } from "./statements.js";

/**
 * libSQL's native layer never steps an EXPLAIN statement to its end nor
 * resets it, so it stays "in progress" until the garbage collector finalizes
 * it. Until then the connection behaves as after SQLITE_BUSY: COMMIT fails
 * with "SQL statements in progress", autocommit writes stay uncommitted
 * holding the write lock, and reads keep an old snapshot. (`exec` is safe: it
 * runs statements to completion; only rows-returning calls are affected.)
 * The local connection therefore answers EXPLAIN elsewhere.
 */
const EXPLAIN = /^(?:\s|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*EXPLAIN\b/i;

/** Runs an EXPLAIN statement on behalf of a connection. */
export type Explainer = (statement: Exclude<InStatement, string>) => Promise<ResultSet>;

/** An executor that hands EXPLAIN statements to `explainer` (when there is one). */
export function routeExplain(executor: Executor, explainer: Explainer | undefined): Executor {
  if (explainer === undefined) return executor;
  return {
    execute: (statement) =>
      typeof statement !== "string" && EXPLAIN.test(statement.sql)
        ? explainer(statement)
        : executor.execute(statement),
  };
}
