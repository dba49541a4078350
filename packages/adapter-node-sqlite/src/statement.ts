import type { SQLInputValue, StatementSync } from "node:sqlite";
import {
  bindInteger,
  narrowRow,
  type Params,
  type RawStatement,
  type Row,
  type RunResult,
  runResult,
} from "@llm-sessions/core/driver";
import { support } from "./support.js";

/**
 * One node:sqlite statement as the contract's raw statement. Integers are
 * read as bigint (`setReadBigInts`), so that none beyond 2^53 is rounded or
 * refused, and the safe ones are narrowed back to numbers here. Core checks
 * the parameters first (node:sqlite would bind a missing one as NULL).
 */
export class NodeSqliteStatement implements RawStatement {
  readonly #stmt: StatementSync;

  constructor(stmt: StatementSync) {
    this.#stmt = stmt;
    stmt.setReadBigInts(true);
  }

  run(params?: Params): RunResult {
    const { changes, lastInsertRowid } = this.#stmt.run(...bindArgs(params));
    return runResult(changes, BigInt(lastInsertRowid));
  }

  get(params?: Params): Row | undefined {
    const row = this.#stmt.get(...bindArgs(params)) as Row | undefined;
    return row === undefined ? undefined : narrowRow(row);
  }

  all(params?: Params): Row[] {
    const args = bindArgs(params);
    if (support.allSeesNewColumns) return (this.#stmt.all(...args) as Row[]).map(narrowRow);
    // Node 22: iterate() sees a schema change that all() misses; a failed iteration is ended, which resets the statement.
    const iterator = this.#stmt.iterate(...args) as IterableIterator<Row>;
    try {
      return Array.from(iterator, narrowRow);
    } catch (error) {
      iterator.return?.();
      throw error;
    }
  }
}

/**
 * The arguments for node:sqlite. A safe integer is bound as a bigint
 * (node:sqlite binds every number as REAL: `3` would be `3.0`). Named keys
 * bind with or without their prefix.
 */
function bindArgs(params: Params | undefined): SQLInputValue[] {
  if (params === undefined) return [];
  if (Array.isArray(params)) return params.map(bindInteger) as SQLInputValue[];
  const named: Record<string, SQLInputValue> = {};
  for (const [key, value] of Object.entries(params))
    named[key] = bindInteger(value) as SQLInputValue;
  // node:sqlite takes the named values as its first argument (typed as an overload).
  return [named] as unknown as SQLInputValue[];
}
