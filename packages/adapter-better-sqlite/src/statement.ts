import type { Params, RawStatement, Row, RowBuilder, RunResult } from "@llm-sessions/core/driver";
import { rowBuilder, runResult } from "@llm-sessions/core/driver";
import type Database from "better-sqlite3";
import { bindArgs } from "./values.js";

type Prepared = Database.Statement<unknown[], unknown>;

/**
 * One better-sqlite3 statement as the contract's raw statement. Statements
 * that return rows run in raw mode (arrays) and `#build` shapes each array
 * into a row object: faster than better-sqlite3's own row objects (see core's
 * `rowBuilder`). Integers (rows and `lastInsertRowid`) are read as bigint so
 * that none beyond 2^53 is rounded; the builder and core's `runResult` narrow
 * the safe ones to numbers.
 */
export class BetterSqliteStatement implements RawStatement {
  readonly #stmt: Prepared;
  /** null for statements that return no data. */
  #build: RowBuilder | null = null;
  #columns = 0;

  constructor(stmt: Prepared) {
    this.#stmt = stmt;
    stmt.safeIntegers(true);
    if (stmt.reader) {
      stmt.raw(true);
      this.#rebuild();
    }
  }

  run(params?: Params): RunResult {
    // run() works on statements that return rows too (INSERT ... RETURNING): they are stepped through.
    const { changes, lastInsertRowid } = this.#stmt.run(...bindArgs(params));
    return runResult(changes, lastInsertRowid);
  }

  get(params?: Params): Row | undefined {
    // better-sqlite3 refuses get() on a statement that returns no data; the contract does not.
    if (this.#build === null) {
      this.#stmt.run(...bindArgs(params));
      return undefined;
    }
    const values = this.#stmt.get(...bindArgs(params)) as unknown[] | undefined;
    return values === undefined ? undefined : this.#builder(values)(values);
  }

  all(params?: Params): Row[] {
    if (this.#build === null) {
      this.#stmt.run(...bindArgs(params));
      return [];
    }
    const rows = this.#stmt.all(...bindArgs(params)) as unknown[][];
    const out = new Array<Row>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const values = rows[i] as unknown[];
      out[i] = this.#builder(values)(values);
    }
    return out;
  }

  /**
   * The builder, remade if the statement's columns changed: SQLite
   * re-prepares a statement after a schema change, so `SELECT *` can gain or
   * lose columns between two runs of the same cached statement. (A rename
   * that keeps the count is not seen; every statement of the store names its
   * columns, so only a hand-written `SELECT *` across a rename could be.)
   */
  #builder(values: readonly unknown[]): RowBuilder {
    if (values.length !== this.#columns) this.#rebuild();
    return this.#build as RowBuilder;
  }

  #rebuild(): void {
    const names = this.#stmt.columns().map((c) => c.name);
    this.#build = rowBuilder(names);
    this.#columns = names.length;
  }
}
