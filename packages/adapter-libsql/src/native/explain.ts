import { type Row, rowBuilder, SqliteError } from "@llm-sessions/core/driver";
import type Database from "libsql";
import type { BoundArgs } from "../parameters.js";

/** `EXPLAIN` after any space and comments SQLite skips. */
const EXPLAIN = /^(?:\s|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*EXPLAIN\b/i;

/**
 * Whether `sql` is an EXPLAIN statement. The `libsql` package (0.5.29) never
 * finishes one, even read to the end: it stays "in progress" until the
 * garbage collector finalizes it. Until then the connection cannot COMMIT
 * after an EXPLAIN of a write ("SQL statements in progress"), and after an
 * EXPLAIN of a query the next query of the same table reads an old snapshot
 * (checked: a write made meanwhile by another connection stays unseen).
 * Neither happens to a second connection that is closed at once.
 */
export function isExplain(sql: string): boolean {
  return EXPLAIN.test(sql);
}

/**
 * Answers an EXPLAIN on a short-lived second connection to the same file:
 * the same schema and statistics, as committed (tables created by an open
 * transaction are not there yet). Closed at once, that connection holds back
 * nothing (checked: a TRUNCATE checkpoint still empties the WAL). A private
 * `:memory:` database has no second way in (`open` undefined): refused with
 * UNSUPPORTED.
 */
export function explainAside(
  open: (() => Database.Database) | undefined,
  sql: string,
  args: BoundArgs,
): Row[] {
  if (open === undefined) {
    throw new SqliteError(
      "UNSUPPORTED",
      "EXPLAIN is not supported on a libsql :memory: database: libSQL never finishes an EXPLAIN statement, which leaves the connection unable to commit or reading an old snapshot; use a file database",
    );
  }
  const side = open();
  try {
    const stmt = side.prepare(sql);
    stmt.safeIntegers(true);
    if (!stmt.reader) return [];
    stmt.raw(true);
    const values = stmt.all(args) as unknown[][];
    const build = rowBuilder(stmt.columns().map((c) => c.name));
    return values.map((row) => build(row));
  } finally {
    side.close();
  }
}
