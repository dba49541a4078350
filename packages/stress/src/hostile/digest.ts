import { createHash } from "node:crypto";
import type { Queryable, SqliteValue } from "@llm-sessions/core/driver";

/** A digest of a whole database: one hash per table (and one for the schema and pragmas). */
export type StateDigest = ReadonlyMap<string, string>;

function cell(v: SqliteValue): string {
  if (v === null) return "n";
  if (typeof v === "number") return Object.is(v, -0) ? "i-0" : `i${v}`;
  if (typeof v === "bigint") return `I${v}`;
  // JSON keeps lone surrogates as escapes, so different code units never hash alike.
  if (typeof v === "string") return `s${JSON.stringify(v)}`;
  return `b${Buffer.from(v).toString("hex")}`;
}

/**
 * Reads every row of every table (including the search index's shadow
 * tables, its queue, snapshots and leases, but not the virtual table itself,
 * whose rows are the shadow tables' and the content table's) plus the schema
 * and `user_version`, and hashes each table's rows sorted. Rows are sorted
 * after reading so that tables without a rowid need no ORDER BY.
 */
export async function digestState(q: Queryable): Promise<StateDigest> {
  const out = new Map<string, string>();
  const schema = await q.all<{ type: string; name: string; sql: string | null }>(
    "SELECT type, name, sql FROM sqlite_master ORDER BY type, name",
  );
  const version = await q.get<{ user_version: number }>("PRAGMA user_version");
  out.set(
    "(schema)",
    hash([`v${version?.user_version}`, ...schema.map((r) => `${r.type} ${r.name} ${r.sql}`)]),
  );
  const tables = schema.filter(
    (r) => r.type === "table" && !/^\s*CREATE\s+VIRTUAL\s+TABLE/i.test(r.sql ?? ""),
  );
  for (const { name } of tables) {
    const rows = await q.all(`SELECT * FROM "${name.replaceAll('"', '""')}"`);
    const lines = rows.map((row) =>
      Object.entries(row)
        .map(([k, v]) => `${k}=${cell(v)}`)
        .join("\u0001"),
    );
    lines.sort();
    out.set(name, hash(lines));
  }
  return out;
}

function hash(lines: readonly string[]): string {
  const h = createHash("sha256");
  for (const line of lines) h.update(line).update("\n");
  return `${lines.length}:${h.digest("hex").slice(0, 16)}`;
}

/** The tables whose digests differ (empty when the states are equal). */
export function changedTables(before: StateDigest, after: StateDigest): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((n) => before.get(n) !== after.get(n)).sort();
}
