import type { Queryable, Transaction } from "../driver/index.js";
import { MIGRATIONS, SCHEMA_VERSION, STORE_APPLICATION_ID } from "./migrations.js";

/**
 * The older (v0) layout, made by the router before this library: no
 * foreign keys, no triggers, counters kept (or not) by application code.
 *
 * ```
 * sessions(session_id TEXT PRIMARY KEY, created_at, last_activity, message_count,
 *          [title], [model], [metadata], [user_id])
 * messages(message_id INTEGER PRIMARY KEY, session_id, role, content, timestamp,
 *          [tokens], [model])
 * ```
 *
 * Columns in brackets may be missing; `session_id`, `message_id`, `role` and
 * `content` must be there. Times are ISO-8601 text, or epoch seconds or
 * milliseconds (as numbers or numeric text), mixed freely.
 */
export interface LegacyV0Layout {
  readonly sessionColumns: ReadonlySet<string>;
  readonly messageColumns: ReadonlySet<string>;
}

/** What bringing a v0 database forward did. */
export interface LegacyV0Counts {
  /** Sessions brought over. */
  readonly sessions: number;
  /** v0 sessions without an id (NULL), left behind: their messages are quarantined as orphans. */
  readonly sessionsSkipped: number;
  /** Messages brought over, each with seq 1..n per session in v0 insertion order. */
  readonly messages: number;
  /** Messages whose session does not exist, moved to `quarantined_messages` (reason `orphan`). */
  readonly orphansQuarantined: number;
  /** Messages whose role means nothing here, moved to `quarantined_messages` (reason `unknown-role`). */
  readonly unknownRolesQuarantined: number;
  /** Messages kept with a role spelled another way (`human` -> `user`); the v0 spelling is kept in metadata. */
  readonly rolesMapped: number;
  /** Sessions whose v0 `message_count` did not match their messages (the new counters are exact). */
  readonly countersFixed: number;
  /** Times that were missing or unreadable and were filled in (see `migrateLegacy`). */
  readonly timesFilledIn: number;
}

/**
 * v0 role spellings and what they mean here. Matched after trim and
 * lower-casing; anything else is quarantined rather than guessed (a
 * misattributed turn would change what the model is told).
 */
export const LEGACY_ROLES: Readonly<Record<string, "system" | "user" | "assistant" | "tool">> = {
  system: "system",
  developer: "system",
  user: "user",
  human: "user",
  assistant: "assistant",
  ai: "assistant",
  bot: "assistant",
  model: "assistant",
  tool: "tool",
  function: "tool",
};

async function columns(q: Pick<Queryable, "all">, table: string): Promise<Set<string>> {
  const rows = await q.all<{ name: string }>("SELECT name FROM pragma_table_info(?)", [table]);
  return new Set(rows.map((r) => r.name));
}

/**
 * The v0 layout when the database has it (user_version 0, `sessions` keyed by
 * `session_id`, `messages` with `message_id`), else `undefined`.
 */
export async function detectLegacyV0(
  q: Pick<Queryable, "all" | "get">,
): Promise<LegacyV0Layout | undefined> {
  const version = await q.get<{ user_version: number }>("PRAGMA user_version");
  if (Number(version?.user_version ?? 0) !== 0) return undefined;
  const sessionColumns = await columns(q, "sessions");
  const messageColumns = await columns(q, "messages");
  const has = (set: Set<string>, names: string[]) => names.every((n) => set.has(n));
  if (!has(sessionColumns, ["session_id"])) return undefined;
  if (!has(messageColumns, ["message_id", "session_id", "role", "content"])) return undefined;
  return { sessionColumns, messageColumns };
}

/**
 * A v0 time as milliseconds since the epoch, or NULL when it cannot be read.
 * Numbers below 1e11 are seconds (1e11 s is the year 5138; 1e11 ms is March
 * 1973, so no plausible time is misread), others milliseconds. Text that is
 * a number is read the same way; other text goes through SQLite's date
 * parser (ISO-8601 with `T` or space, optional fraction and `Z`/offset).
 */
function msSql(column: string): string {
  const number = (x: string) =>
    `CASE WHEN abs(${x}) < 100000000000 THEN CAST(round(${x} * 1000) AS INTEGER) ELSE CAST(round(${x}) AS INTEGER) END`;
  return `(CASE
    WHEN typeof(${column}) IN ('integer', 'real') THEN ${number(column)}
    WHEN typeof(${column}) = 'text' AND trim(${column}) <> '' AND trim(${column}) NOT GLOB '*[^0-9.]*'
      THEN ${number(`CAST(trim(${column}) AS REAL)`)}
    WHEN typeof(${column}) = 'text' AND julianday(${column}) IS NOT NULL
      THEN CAST(round((julianday(${column}) - 2440587.5) * 86400000.0) AS INTEGER)
  END)`;
}

/** A column's value as JSON can hold it (json_object refuses blobs). */
const jsonSafe = (column: string) =>
  `CASE typeof(${column}) WHEN 'blob' THEN hex(${column}) ELSE ${column} END`;

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Brings a v0 database to the current schema inside the caller's write
 * transaction (all or nothing): the v0 tables are renamed aside, the current
 * schema is created, sessions and messages are copied over (the triggers
 * count and index every message, so counters are exact by construction),
 * orphans and unknown roles go to `quarantined_messages` with their whole v0
 * row, and the v0 tables are dropped. Returns `undefined` when the database
 * is no longer v0 (another process migrated it first).
 */
export async function migrateLegacyV0InTx(
  tx: Transaction,
  now: number,
): Promise<LegacyV0Counts | undefined> {
  const layout = await detectLegacyV0(tx);
  if (!layout) return undefined;
  const s = (name: string, fallback = "NULL") =>
    layout.sessionColumns.has(name) ? `s.${name}` : fallback;
  const m = (name: string, fallback = "NULL") =>
    layout.messageColumns.has(name) ? `m.${name}` : fallback;

  await tx.exec("ALTER TABLE sessions RENAME TO legacy_v0_sessions");
  await tx.exec("ALTER TABLE messages RENAME TO legacy_v0_messages");
  // Renamed tables keep their indexes' names, which could clash with ours.
  const indexes = await tx.all<{ name: string }>(
    `SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
     AND tbl_name IN ('legacy_v0_sessions', 'legacy_v0_messages')`,
  );
  for (const { name } of indexes) await tx.exec(`DROP INDEX ${quoteIdent(name)}`);
  for (const migration of MIGRATIONS) {
    for (const statement of migration.statements) await tx.exec(statement);
  }

  // Sessions. A missing creation time falls back to the first message, then
  // the last activity, then now.
  const firstMessage = `(SELECT min(${msSql("m.timestamp")}) FROM legacy_v0_messages m WHERE m.session_id = s.session_id)`;
  const created = `coalesce(${msSql(s("created_at"))}, ${layout.messageColumns.has("timestamp") ? firstMessage : "NULL"}, ${msSql(s("last_activity"))}, :now)`;
  const metadata = `CASE
      WHEN ${s("metadata")} IS NULL THEN '{}'
      WHEN json_valid(${s("metadata")}) AND json_type(${s("metadata")}) = 'object' THEN json(${s("metadata")})
      ELSE json_object('v0Metadata', CAST(${s("metadata")} AS TEXT)) END`;
  const withUser = layout.sessionColumns.has("user_id")
    ? `CASE WHEN s.user_id IS NULL THEN ${metadata} ELSE json_set(${metadata}, '$.v0UserId', ${jsonSafe("s.user_id")}) END`
    : metadata;
  const timesMissingInSessions = await tx.get<{ n: number }>(
    `SELECT count(*) AS n FROM legacy_v0_sessions s
     WHERE s.session_id IS NOT NULL AND ${msSql(s("created_at"))} IS NULL`,
  );
  await tx.run(
    `INSERT INTO sessions (id, title, model, metadata, created_at, updated_at, last_activity_at)
     SELECT id, title, model, metadata, created, max(created, coalesce(active, created)), max(created, coalesce(active, created))
     FROM (SELECT CAST(s.session_id AS TEXT) AS id,
                  CAST(${s("title")} AS TEXT) AS title, CAST(${s("model")} AS TEXT) AS model,
                  ${withUser} AS metadata, ${created} AS created, ${msSql(s("last_activity"))} AS active
           FROM legacy_v0_sessions s WHERE s.session_id IS NOT NULL ORDER BY s.rowid)`,
    { now },
  );
  const counts = await tx.get<{ sessions: number; skipped: number; fixed: number }>(
    `SELECT
       (SELECT count(*) FROM sessions) AS sessions,
       (SELECT count(*) FROM legacy_v0_sessions WHERE session_id IS NULL) AS skipped,
       ${
         layout.sessionColumns.has("message_count")
           ? `(SELECT count(*) FROM legacy_v0_sessions s WHERE s.session_id IS NOT NULL AND
                s.message_count IS NOT (SELECT count(*) FROM legacy_v0_messages m WHERE m.session_id = s.session_id))`
           : "0"
       } AS fixed`,
  );

  // Messages that cannot come over keep their whole v0 row, as JSON.
  const original = `json_object(${[...layout.messageColumns]
    .map((c) => `'${c.replaceAll("'", "''")}', ${jsonSafe(`m.${quoteIdent(c)}`)}`)
    .join(", ")})`;
  const sessionExists = "EXISTS (SELECT 1 FROM sessions x WHERE x.id = CAST(m.session_id AS TEXT))";
  const quarantine = (reason: string, where: string) =>
    tx.run(
      `INSERT INTO quarantined_messages (reason, source, quarantined_at, session_id, message_id, original)
       SELECT '${reason}', 'legacy-v0', :now, CAST(m.session_id AS TEXT), CAST(m.message_id AS TEXT), ${original}
       FROM legacy_v0_messages m WHERE ${where} ORDER BY m.message_id`,
      { now },
    );
  // Built from the constant table above (no input reaches this SQL).
  const roleOf = `(CASE lower(trim(m.role)) ${Object.entries(LEGACY_ROLES)
    .map(([from, to]) => `WHEN '${from}' THEN '${to}'`)
    .join(" ")} END)`;
  const orphans = await quarantine("orphan", `NOT ${sessionExists}`);
  const unknown = await quarantine("unknown-role", `${sessionExists} AND ${roleOf} IS NULL`);

  // seq follows v0 insertion order (message_id): timestamps tie at second
  // resolution and may be missing. The insert trigger counts and indexes each row.
  const mapped = await tx.get<{ n: number }>(
    `SELECT count(*) AS n FROM legacy_v0_messages m
     WHERE ${sessionExists} AND ${roleOf} IS NOT NULL AND ${roleOf} IS NOT m.role`,
  );
  const timesMissingInMessages = await tx.get<{ n: number }>(
    `SELECT count(*) AS n FROM legacy_v0_messages m
     WHERE ${sessionExists} AND ${roleOf} IS NOT NULL AND ${msSql(m("timestamp"))} IS NULL`,
  );
  const tokens = layout.messageColumns.has("tokens")
    ? "CASE WHEN typeof(m.tokens) IN ('integer', 'real') AND m.tokens >= 0 THEN CAST(m.tokens AS INTEGER) END"
    : "NULL";
  const inserted = await tx.run(
    `INSERT INTO messages (id, session_pk, seq, role, content, model, tokens, metadata, created_at)
     SELECT 'v0-' || m.message_id, x.pk,
            row_number() OVER (PARTITION BY x.pk ORDER BY m.message_id),
            ${roleOf}, coalesce(CAST(m.content AS TEXT), ''), CAST(${m("model")} AS TEXT), ${tokens},
            CASE WHEN ${roleOf} IS m.role THEN '{}' ELSE json_object('v0Role', m.role) END,
            coalesce(${msSql(m("timestamp"))}, x.created_at)
     FROM legacy_v0_messages m JOIN sessions x ON x.id = CAST(m.session_id AS TEXT)
     WHERE ${roleOf} IS NOT NULL
     ORDER BY m.message_id`,
  );
  await tx.exec("DROP TABLE legacy_v0_messages");
  await tx.exec("DROP TABLE legacy_v0_sessions");
  await tx.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
  await tx.exec(`PRAGMA application_id = ${STORE_APPLICATION_ID}`);
  return {
    sessions: Number(counts?.sessions ?? 0),
    sessionsSkipped: Number(counts?.skipped ?? 0),
    messages: inserted.changes,
    orphansQuarantined: orphans.changes,
    unknownRolesQuarantined: unknown.changes,
    rolesMapped: Number(mapped?.n ?? 0),
    countersFixed: Number(counts?.fixed ?? 0),
    timesFilledIn: Number(timesMissingInSessions?.n ?? 0) + Number(timesMissingInMessages?.n ?? 0),
  };
}
