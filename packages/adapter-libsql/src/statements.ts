import type { InStatement, ResultSet } from "@libsql/client";
import type { Params, Row, RunResult, Statement } from "@llm-sessions/core/driver";
import { bindParams } from "./parameters.js";
import { toRows, toRunResult } from "./values.js";

/** What a @libsql/client client and an open transaction both offer. */
export interface Executor {
  execute(statement: InStatement): Promise<ResultSet>;
}

/** Runs one statement; a server reports `changes` and `lastInsertRowid` exactly. */
export async function runStatement(
  executor: Executor,
  sql: string,
  params: Params | undefined,
): Promise<RunResult> {
  return toRunResult(await executor.execute({ sql, args: bindParams(sql, params) }));
}

export async function allRows(
  executor: Executor,
  sql: string,
  params: Params | undefined,
): Promise<Row[]> {
  return toRows(await executor.execute({ sql, args: bindParams(sql, params) }));
}

export async function firstRow(
  executor: Executor,
  sql: string,
  params: Params | undefined,
): Promise<Row | undefined> {
  return (await allRows(executor, sql, params))[0];
}

/**
 * The statements of a remote batch as one call (one round trip), optionally
 * framed by `wrap.before`/`wrap.after` (a savepoint), and how to read back
 * the figures of the caller's statements.
 */
export function planBatch(
  statements: readonly Statement[],
  wrap?: { before: string; after: string },
): { statements: InStatement[]; results(resultSets: readonly ResultSet[]): RunResult[] } {
  const sent: InStatement[] = statements.map(({ sql, params }) => ({
    sql,
    args: bindParams(sql, params),
  }));
  if (wrap) {
    sent.unshift(wrap.before);
    sent.push(wrap.after);
  }
  const offset = wrap ? 1 : 0;
  return {
    statements: sent,
    results: (resultSets) =>
      statements.map((_, i) => toRunResult(resultSets[i + offset] as ResultSet)),
  };
}
