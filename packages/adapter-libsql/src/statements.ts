import type { InStatement, ResultSet } from "@libsql/client";
import type { Params, Row, RunResult, Statement } from "@llm-sessions/core";
import { bindParams } from "./parameters.js";
import { toInteger, toRows, toRunResult } from "./values.js";

/** What a @libsql/client client and an open transaction both offer. */
export interface Executor {
  execute(statement: InStatement): Promise<ResultSet>;
}

/**
 * Two figures the local client gets wrong, asked for again right after the
 * statement, on the same connection (the caller's mutex keeps anyone else out):
 * - a statement that returns rows is read with `all()`, which reports
 *   `rowsAffected: 0` and no `lastInsertRowid`, even for `INSERT ... RETURNING`;
 * - `lastInsertRowid` passes through a double in libSQL's native layer, so a
 *   rowid beyond 2^53 comes back rounded.
 * A remote server reports both exactly.
 */
const FOLLOW_UP = "SELECT changes() AS changes, last_insert_rowid() AS rowid";
const RETURNING = /\breturning\b/i;

export async function runStatement(
  executor: Executor,
  sql: string,
  params: Params | undefined,
  local: boolean,
): Promise<RunResult> {
  const result = await executor.execute({ sql, args: bindParams(sql, params) });
  if (!local) return toRunResult(result);
  if (RETURNING.test(sql)) return fromFollowUp(await executor.execute(FOLLOW_UP));
  const figures = toRunResult(result);
  if (typeof figures.lastInsertRowid !== "bigint") return figures;
  // Unsafe, so possibly rounded: read the exact value.
  const exact = fromFollowUp(await executor.execute(FOLLOW_UP));
  return { changes: figures.changes, lastInsertRowid: exact.lastInsertRowid };
}

/** Runs statements one by one, in order (local batches: no round trips to save). */
export async function runEach(
  executor: Executor,
  statements: readonly Statement[],
  local: boolean,
): Promise<RunResult[]> {
  const results: RunResult[] = [];
  for (const { sql, params } of statements) {
    results.push(await runStatement(executor, sql, params, local));
  }
  return results;
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

function fromFollowUp(result: ResultSet): RunResult {
  const row = result.rows[0];
  return {
    changes: Number(toInteger(row?.[0] as bigint | undefined)),
    lastInsertRowid: toInteger(row?.[1] as bigint | undefined),
  };
}
