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

type Method = "run" | "get" | "all" | "iterate";

/**
 * One node:sqlite statement as the contract's raw statement. Integers are
 * read as bigint (`setReadBigInts`), so that none beyond 2^53 is rounded or
 * refused, and the safe ones are narrowed back to numbers here.
 */
/** What the connection tells a statement about itself and the connection. */
export interface StatementContext {
  /** The highest parameter number the statement reads and how many it reads. */
  readonly parameters: { readonly highest: number; readonly distinct: number };
  /** A promise to wait for before running, while a backup finishes. */
  readonly paused: () => Promise<void> | undefined;
}

/**
 * One node:sqlite statement as the contract's raw statement. Integers are
 * read as bigint (`setReadBigInts`), so that none beyond 2^53 is rounded or
 * refused, and the safe ones are narrowed back to numbers here.
 */
export class NodeSqliteStatement implements RawStatement {
  readonly #stmt: StatementSync;
  readonly #context: StatementContext;

  constructor(stmt: StatementSync, context: StatementContext) {
    this.#stmt = stmt;
    this.#context = context;
    stmt.setReadBigInts(true);
  }

  run(params?: Params): MaybePromise<RunResult> {
    const paused = this.#context.paused();
    if (paused !== undefined) return paused.then(() => this.run(params));
    const { changes, lastInsertRowid } = this.#call("run", params) as {
      changes: number | bigint;
      lastInsertRowid: number | bigint;
    };
    return {
      changes: Number(changes),
      lastInsertRowid:
        typeof lastInsertRowid === "bigint" ? fromBigInt(lastInsertRowid) : lastInsertRowid,
    };
  }

  get(params?: Params): MaybePromise<Row | undefined> {
    const paused = this.#context.paused();
    if (paused !== undefined) return paused.then(() => this.get(params));
    const row = this.#call("get", params) as Row | undefined;
    return row === undefined ? undefined : narrow(row);
  }

  all(params?: Params): MaybePromise<Row[]> {
    const paused = this.#context.paused();
    if (paused !== undefined) return paused.then(() => this.all(params));
    const rows = support.allSeesNewColumns
      ? (this.#call("all", params) as Row[])
      : this.#iterate(params);
    for (const row of rows) narrow(row);
    return rows;
  }

  /**
   * all() for Node 22, whose all() misses columns after a schema change
   * (iterate() sees them). An iteration that fails is ended, which resets the statement.
   */
  #iterate(params: Params | undefined): Row[] {
    const iterator = this.#call("iterate", params) as IterableIterator<Row>;
    try {
      return Array.from(iterator);
    } catch (error) {
      iterator.return?.();
      throw error;
    }
  }

  /** Refuses missing parameters (`RANGE`) that node:sqlite would bind as NULL, then runs. */
  #call(method: Method, params: Params | undefined): unknown {
    const { highest, distinct } = this.#context.parameters;
    const missing =
      params === undefined
        ? distinct > 0
        : Array.isArray(params)
          ? params.length < highest
          : new Set(Object.keys(params).map((k) => k.replace(/^[:@$]/, ""))).size < distinct;
    if (missing) throw new SqliteError("RANGE", "a parameter of the statement has no value");
    return call(this.#stmt, method, params);
  }
}

/**
 * Binds and runs. A JS number that is a safe integer is bound as a bigint:
 * node:sqlite binds every number as REAL, so `3` would become `3.0`. Text
 * with a NUL is refused where node:sqlite would store it cut.
 * Named keys bind with or without their prefix (`id` and `:id` alike).
 */
function call(stmt: StatementSync, method: Method, params: Params | undefined): unknown {
  if (params === undefined) return stmt[method]();
  if (Array.isArray(params)) return stmt[method](...params.map(bindValue));
  const named: Record<string, SQLInputValue> = {};
  for (const [key, value] of Object.entries(params)) named[key] = bindValue(value);
  return stmt[method](named);
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
