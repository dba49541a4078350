import type { SQLInputValue, StatementSync } from "node:sqlite";
import {
  fromBigInt,
  type MaybePromise,
  type Params,
  type RawStatement,
  type Row,
  type RunResult,
  SqliteError,
} from "@llm-sessions/core/driver";
import { support } from "./support.js";

type When = <T>(fn: () => T) => MaybePromise<T>;
/** The highest parameter number a statement reads, and how many distinct ones. */
export type ParameterUse = { readonly highest: number; readonly distinct: number };

/**
 * One node:sqlite statement as the contract's raw statement. Integers are
 * read as bigint (`setReadBigInts`), so that none beyond 2^53 is rounded or
 * refused, and the safe ones are narrowed back to numbers here.
 */
export class NodeSqliteStatement implements RawStatement {
  readonly #stmt: StatementSync;
  readonly #parameters: ParameterUse;
  /** The connection's gate: now, or after a finishing backup. */
  readonly #when: When;

  constructor(stmt: StatementSync, parameters: ParameterUse, when: When) {
    this.#stmt = stmt;
    this.#parameters = parameters;
    this.#when = when;
    stmt.setReadBigInts(true);
  }

  run(params?: Params): MaybePromise<RunResult> {
    return this.#when(() => {
      const { changes, lastInsertRowid } = this.#stmt.run(...this.#bind(params));
      return { changes: Number(changes), lastInsertRowid: fromBigInt(BigInt(lastInsertRowid)) };
    });
  }

  get(params?: Params): MaybePromise<Row | undefined> {
    return this.#when(() => {
      const row = this.#stmt.get(...this.#bind(params)) as Row | undefined;
      return row === undefined ? undefined : narrow(row);
    });
  }

  all(params?: Params): MaybePromise<Row[]> {
    return this.#when(() => {
      const args = this.#bind(params);
      if (support.allSeesNewColumns) return (this.#stmt.all(...args) as Row[]).map(narrow);
      // Node 22: iterate() sees a schema change that all() misses; a failed iteration is ended, which resets the statement.
      const iterator = this.#stmt.iterate(...args) as IterableIterator<Row>;
      try {
        return Array.from(iterator, narrow);
      } catch (error) {
        iterator.return?.();
        throw error;
      }
    });
  }

  /**
   * The arguments for node:sqlite. A missing parameter is refused (`RANGE`:
   * node:sqlite would bind NULL). A safe integer is bound as a bigint
   * (node:sqlite binds every number as REAL: `3` would be `3.0`). Named keys
   * bind with or without their prefix.
   */
  #bind(params: Params | undefined): SQLInputValue[] {
    const { highest, distinct } = this.#parameters;
    const missing =
      params === undefined
        ? distinct > 0
        : Array.isArray(params)
          ? params.length < highest
          : new Set(Object.keys(params).map((k) => k.replace(/^[:@$]/, ""))).size < distinct;
    if (missing) throw new SqliteError("RANGE", "a parameter of the statement has no value");
    if (params === undefined) return [];
    if (Array.isArray(params)) return params.map(bindValue);
    const named: Record<string, SQLInputValue> = {};
    for (const [key, value] of Object.entries(params)) named[key] = bindValue(value);
    // node:sqlite takes the named values as its first argument (typed as an overload).
    return [named] as unknown as SQLInputValue[];
  }
}

function bindValue(value: unknown): SQLInputValue {
  if (!support.textKeepsNul && typeof value === "string" && value.includes("\u0000")) {
    throw new SqliteError("MISUSE", "node:sqlite before Node 24 cuts bound text at a NUL");
  }
  return (
    typeof value === "number" && Number.isSafeInteger(value) ? BigInt(value) : value
  ) as SQLInputValue;
}

/** Safe integers as numbers, in place (node:sqlite's rows are fresh null-prototype objects). */
function narrow(row: Row): Row {
  for (const key in row) {
    const value = row[key];
    if (typeof value === "bigint") row[key] = fromBigInt(value);
  }
  return row;
}
