import { type Row, type RowBuilder, rowBuilder } from "@llm-sessions/core/driver";
import type Database from "libsql";
import { type BoundArgs, type ParameterShape, shapeOf } from "../parameters.js";
import { isExplain } from "./explain.js";

type Db = Database.Database;
type Prepared = Database.Statement;

/**
 * `*` outside `count(*)`: the statement's column names come from the schema
 * (`SELECT *`, `t.*`, `RETURNING *`), so a rename that keeps the column count
 * would change them without changing how many there are. A `*` in a comment
 * or a multiplication also counts: that only costs a check, never a wrong row.
 */
const STAR = /\*/;
const COUNT_STAR = /count\s*\(\s*\*\s*\)/gi;
const RETURNING = /\breturning\b/i;

/**
 * One prepared statement of a connection's cache, with what is known about it
 * once: its parameters, whether it returns rows, and how to shape them.
 *
 * Rows are read in raw mode (arrays, integers as bigint) and shaped by a
 * builder generated from the column names (core's `rowBuilder`): libSQL's own
 * row objects cost more and carry an extra `_metadata` property.
 *
 * The package's `run`, `all` and `iterate` reset the statement before they
 * bind, but its `get` does not (0.5.29, checked): it resets only after it
 * has read a row or found none. After a failed `get`, or after a `run` or an
 * `all` of the same statement, SQLite refuses the new bindings (the package
 * ignores the refusal) and `get` steps the statement as it was: it replays
 * the previous parameters, fails again with the previous error, or continues
 * the previous run. One failed insert then failed every later one. So `first`
 * runs `get` only on a statement in the state `get` leaves behind and
 * prepares a new one otherwise; there is no call to reset one.
 */
export class NativeStatement {
  #stmt: Prepared;
  #db: Db;
  /** Whether `#stmt` is reset (as prepared, or as a successful `get` leaves it): see the class comment. */
  #readyForGet = true;
  readonly #sql: string;
  readonly shape: ParameterShape;
  /** It returns rows (SELECT, RETURNING, most PRAGMAs, EXPLAIN). */
  readonly reader: boolean;
  /** An INSERT/UPDATE/DELETE ... RETURNING (a hint from the text; see `NativeConnection.run`). */
  readonly returning: boolean;
  /** An EXPLAIN: must not run on this connection (see `explain.ts`). */
  readonly explain: boolean;
  /** Column names may change with the schema at the same count (see `STAR`). */
  readonly #schemaNamed: boolean;
  #build: RowBuilder | undefined;
  #columns = 0;
  /** `schema_version` when `#build` was made (for `#schemaNamed` statements). */
  #schemaVersion = -1;

  constructor(db: Db, sql: string) {
    this.#db = db;
    this.#sql = sql;
    this.#stmt = db.prepare(sql);
    this.shape = shapeOf(sql);
    this.reader = this.#stmt.reader;
    this.returning = this.reader && RETURNING.test(sql);
    this.explain = isExplain(sql);
    this.#schemaNamed = this.reader && STAR.test(sql.replace(COUNT_STAR, ""));
    this.#configure();
    if (this.reader) this.#rebuild();
  }

  /**
   * Moves the statement to `db` when the connection replaced its native
   * connection (after SQLITE_BUSY, see `NativeConnection`): prepared again there.
   */
  attach(db: Db): void {
    if (db === this.#db) return;
    this.#db = db;
    this.#stmt = db.prepare(this.#sql);
    this.#readyForGet = true;
    this.#configure();
    if (this.reader) this.#rebuild();
  }

  /** Runs the statement once, to the end when it returns no rows (the package resets it first). */
  run(args: BoundArgs): Database.RunResult {
    this.#readyForGet = false;
    return this.#stmt.run(args);
  }

  /** Every row, as arrays (the package resets the statement first). Readers only. */
  all(args: BoundArgs): unknown[][] {
    this.#readyForGet = false;
    return this.#stmt.all(args) as unknown[][];
  }

  /** The first row, as an array, with `args` bound (see the class comment). Readers only. */
  first(args: BoundArgs): unknown[] | undefined {
    if (!this.#readyForGet) {
      this.#stmt = this.#db.prepare(this.#sql);
      this.#configure();
    }
    this.#readyForGet = false;
    const values = this.#stmt.get(args) as unknown[] | undefined;
    this.#readyForGet = true;
    return values;
  }

  /**
   * Shapes the rows just read. SQLite re-prepares a statement after a schema
   * change, so a cached `SELECT *` can gain or lose columns between two runs:
   * a different count remakes the builder. For statements whose names come
   * from the schema, `schemaVersion` (read before the run) tells a rename at
   * the same count; other statements name their columns in their text.
   */
  rows(values: readonly (readonly unknown[])[], schemaVersion: number | undefined): Row[] {
    const out = new Array<Row>(values.length);
    if (values.length === 0) return out;
    const build = this.#builder(values[0] as readonly unknown[], schemaVersion);
    for (let i = 0; i < values.length; i++) out[i] = build(values[i] as readonly unknown[]);
    return out;
  }

  /** `rows` for the one row of `get`. */
  row(values: readonly unknown[], schemaVersion: number | undefined): Row {
    return this.#builder(values, schemaVersion)(values);
  }

  /** Whether `rows`/`row` want the schema version read before the statement runs. */
  get needsSchemaVersion(): boolean {
    return this.#schemaNamed;
  }

  #builder(first: readonly unknown[], schemaVersion: number | undefined): RowBuilder {
    if (
      first.length !== this.#columns ||
      (schemaVersion !== undefined && schemaVersion !== this.#schemaVersion)
    ) {
      this.#rebuild();
      if (schemaVersion !== undefined) this.#schemaVersion = schemaVersion;
    }
    return this.#build as RowBuilder;
  }

  #configure(): void {
    // Integers (rows and figures) as bigint so that none beyond 2^53 is rounded;
    // the row builder narrows the safe ones to numbers.
    this.#stmt.safeIntegers(true);
    // raw() refuses statements that return no data.
    if (this.reader) this.#stmt.raw(true);
  }

  /** After a run, `columns()` describes the rows that run returned. About 15 µs for 12 columns: only when needed. */
  #rebuild(): void {
    const names = this.#stmt.columns().map((c) => c.name);
    this.#build = rowBuilder(names);
    this.#columns = names.length;
  }
}
