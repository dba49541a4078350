import { decodeParts } from "./parts.js";
import type {
  JsonObject,
  Message,
  MessageRole,
  MessageUsage,
  Session,
  SessionStatus,
} from "./types.js";

/**
 * A `sessions` row as SQLite returns it (with `SESSION_COLUMNS`): `pk` is
 * the internal key, `parent_id` the parent's public id.
 */
export interface SessionRow {
  pk: number;
  id: string;
  tenant_id: string;
  title: string | null;
  model: string | null;
  status: string;
  metadata: string;
  message_count: number;
  token_count: number;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  reasoning_tokens: number;
  cost_micros: number;
  cost_currency: string | null;
  /** The `summary_through` of the newest compaction summary (0: none). */
  compacted_through: number;
  last_seq: number;
  created_at: number;
  updated_at: number;
  last_activity_at: number;
  expires_at: number | null;
  archived_at: number | null;
  parent_id: string | null;
  parent_seq: number | null;
}

/**
 * A message as snapshots hold it: the columns of `SESSION_MESSAGE_COLUMNS`
 * and the session's public id (the form snapshots have had since v1).
 */
export interface MessageRow {
  id: string;
  session_id: string;
  seq: number;
  role: string;
  content: string;
  /** Absent in snapshots taken before v5. */
  parts?: string | null;
  /** How many `message_blobs` rows held the parts (NULL: in the row); absent before v5. */
  parts_chunks?: number | null;
  name: string | null;
  model: string | null;
  tokens: number | null;
  latency_ms: number | null;
  input_tokens?: number | null;
  output_tokens?: number | null;
  cached_input_tokens?: number | null;
  reasoning_tokens?: number | null;
  cost_micros?: number | null;
  cost_currency?: string | null;
  metadata: string;
  idempotency_key: string | null;
  created_at: number;
  /** A compaction summary: the seq it stands through (NULL otherwise); absent before compaction existed. */
  summary_through?: number | null;
  /**
   * Reads only (not stored): whether the message is at or below its
   * session's compaction point (1/0 from SQL, or a boolean).
   */
  compacted?: number | boolean | null;
}

/** The stored columns of a message a read gives back, in order (`parts` as written, maybe NULL). */
const MESSAGE_COLUMN_LIST = [
  "id",
  "seq",
  "role",
  "content",
  "parts",
  "name",
  "model",
  "tokens",
  "latency_ms",
  "input_tokens",
  "output_tokens",
  "cached_input_tokens",
  "reasoning_tokens",
  "cost_micros",
  "cost_currency",
  "metadata",
  "idempotency_key",
  "created_at",
  "summary_through",
  "parts_chunks",
] as const;

/**
 * The chunks of the message whose pk is `pk` (an SQL expression), joined in
 * order. The ordered subquery feeds the aggregate in index order (SQLite does
 * not flatten a subquery with ORDER BY into an aggregate), with no sort; the
 * aggregate's own ORDER BY would need SQLite 3.44 and a parser that knows it
 * (sqld's does not).
 */
export function joinChunksSql(pk: string): string {
  return `SELECT group_concat(c.data, '') FROM (SELECT data FROM message_blobs WHERE message_pk = ${pk} ORDER BY chunk) AS c`;
}

/**
 * The columns of a message row read through `alias` (the table's name when
 * unaliased), without its session (a message is read through its session,
 * whose id the caller has). Parts kept in chunks are joined back here, so
 * every read gets them whole.
 */
export function messageColumns(alias = "messages"): string {
  return MESSAGE_COLUMN_LIST.map((c) =>
    c === "parts"
      ? `CASE WHEN ${alias}.parts_chunks IS NULL THEN ${alias}.parts ELSE (${joinChunksSql(`${alias}.pk`)}) END AS parts`
      : `${alias}.${c}`,
  ).join(", ");
}

/** How many columns `messageColumns` gives. */
export const MESSAGE_COLUMN_COUNT = MESSAGE_COLUMN_LIST.length;

/** `messageColumns()` of the unaliased `messages` table. */
export const SESSION_MESSAGE_COLUMNS = messageColumns();

/**
 * SQL for whether the message read through `alias` is compacted: its seq is
 * at or below its session's `compacted_through` (`session`: an SQL expression
 * for that column; by default a lookup of the session by its key).
 */
export function compactedSql(
  alias = "messages",
  session = `(SELECT compacted_through FROM sessions WHERE pk = ${alias}.session_pk)`,
): string {
  return `${alias}.seq <= ${session} AS compacted`;
}

/**
 * `SESSION_MESSAGE_COLUMNS` and whether each message is compacted: what the
 * message reads give back (snapshots keep `SESSION_MESSAGE_COLUMNS`, which
 * holds only stored columns).
 */
export const READ_MESSAGE_COLUMNS = `${SESSION_MESSAGE_COLUMNS}, ${compactedSql()}`;

/** The columns as stored, for RETURNING (which cannot join chunks: the caller has the parts). */
export const RAW_MESSAGE_COLUMNS = MESSAGE_COLUMN_LIST.join(", ");

/**
 * The columns of `messages` a copy writes (fork, restore): every one but
 * `pk`, `session_pk` and `parts_chunks` (a copy writes the chunks itself).
 */
export const MESSAGE_COPY_COLUMNS = MESSAGE_COLUMN_LIST.filter((c) => c !== "parts_chunks");

/** The names `SESSION_COLUMNS` gives its columns, for a select from a subquery of them. */
export const SESSION_COLUMN_NAMES =
  "pk, id, tenant_id, title, model, status, metadata, message_count, token_count, input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_micros, cost_currency, compacted_through, last_seq, created_at, updated_at, last_activity_at, expires_at, archived_at, parent_id, parent_seq";

/**
 * A session's columns as `SessionRow` has them, from a statement on the
 * `sessions` table (unaliased): the parent's public id is looked up by its
 * key (a fork's parent is in the same tenant).
 */
export const SESSION_COLUMNS = SESSION_COLUMN_NAMES.replace(
  "parent_id",
  "(SELECT p.id FROM sessions AS p WHERE p.pk = sessions.parent_pk) AS parent_id",
);

/** The default tenant is stored as '' (so it can be indexed) and shown as null. */
export const tenantToDb = (tenantId: string | null | undefined): string => tenantId ?? "";
export const tenantFromDb = (tenantId: string): string | null =>
  tenantId === "" ? null : tenantId;

export function toSession(row: SessionRow): Session {
  return {
    id: row.id,
    tenantId: tenantFromDb(row.tenant_id),
    title: row.title,
    model: row.model,
    status: row.status as SessionStatus,
    metadata: JSON.parse(row.metadata) as JsonObject,
    messageCount: Number(row.message_count),
    tokenCount: Number(row.token_count),
    usage: {
      inputTokens: Number(row.input_tokens),
      outputTokens: Number(row.output_tokens),
      cachedInputTokens: Number(row.cached_input_tokens),
      reasoningTokens: Number(row.reasoning_tokens),
      costMicros: Number(row.cost_micros),
      currency: row.cost_currency,
    },
    compactedThrough: Number(row.compacted_through ?? 0),
    lastSeq: Number(row.last_seq),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    lastActivityAt: Number(row.last_activity_at),
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
    archivedAt: row.archived_at === null ? null : Number(row.archived_at),
    parentId: row.parent_id,
    parentSeq: row.parent_seq === null ? null : Number(row.parent_seq),
  };
}

/** A message row of session `sessionId` as `Message`. */
export function toMessage(row: Omit<MessageRow, "session_id">, sessionId: string): Message {
  return {
    id: row.id,
    sessionId,
    seq: Number(row.seq),
    role: row.role as MessageRole,
    content: row.content,
    parts: decodeParts(row.parts ?? null),
    usage: toUsage(row),
    name: row.name,
    model: row.model,
    tokens: row.tokens === null ? null : Number(row.tokens),
    latencyMs: row.latency_ms === null ? null : Number(row.latency_ms),
    metadata: JSON.parse(row.metadata) as JsonObject,
    idempotencyKey: row.idempotency_key,
    createdAt: Number(row.created_at),
    summaryThrough:
      row.summary_through === null || row.summary_through === undefined
        ? null
        : Number(row.summary_through),
    compacted: Boolean(row.compacted),
  };
}

const num = (v: number | null | undefined): number | undefined =>
  v === null || v === undefined ? undefined : Number(v);

/** A row's usage with the fields it has, or `null` when it has none. */
export function toUsage(row: Omit<MessageRow, "session_id">): MessageUsage | null {
  const usage: MessageUsage = {};
  const figures: [keyof MessageUsage, number | undefined][] = [
    ["inputTokens", num(row.input_tokens)],
    ["outputTokens", num(row.output_tokens)],
    ["cachedInputTokens", num(row.cached_input_tokens)],
    ["reasoningTokens", num(row.reasoning_tokens)],
  ];
  for (const [key, value] of figures)
    if (value !== undefined) (usage as Record<string, number>)[key] = value;
  const micros = num(row.cost_micros);
  if (micros !== undefined && row.cost_currency)
    usage.cost = { micros, currency: row.cost_currency };
  return Object.keys(usage).length === 0 ? null : usage;
}
