import type { JsonObject, Message, MessageRole, Session, SessionStatus } from "./types.js";

/** A `sessions` row as SQLite returns it. */
export interface SessionRow {
  id: string;
  tenant_id: string;
  title: string | null;
  model: string | null;
  status: string;
  metadata: string;
  message_count: number;
  token_count: number;
  last_seq: number;
  created_at: number;
  updated_at: number;
  last_activity_at: number;
  expires_at: number | null;
  archived_at: number | null;
  parent_id: string | null;
  parent_seq: number | null;
}

/** A `messages` row as SQLite returns it. */
export interface MessageRow {
  id: string;
  session_id: string;
  seq: number;
  role: string;
  content: string;
  name: string | null;
  model: string | null;
  tokens: number | null;
  latency_ms: number | null;
  metadata: string;
  idempotency_key: string | null;
  created_at: number;
}

/** The columns of a message, in the order `MessageRow` has them. */
export const MESSAGE_COLUMNS =
  "id, session_id, seq, role, content, name, model, tokens, latency_ms, metadata, idempotency_key, created_at";

/**
 * The same without `session_id`, for reads of one session's messages (the
 * caller knows the id): 50 fewer strings made per last(50), about 5% of it.
 */
export const SESSION_MESSAGE_COLUMNS =
  "id, seq, role, content, name, model, tokens, latency_ms, metadata, idempotency_key, created_at";

export const SESSION_COLUMNS =
  "id, tenant_id, title, model, status, metadata, message_count, token_count, last_seq, created_at, updated_at, last_activity_at, expires_at, archived_at, parent_id, parent_seq";

/** The default tenant is stored as '' (so it can be indexed) and shown as null. */
export const tenantToDb = (tenantId: string | null | undefined): string => tenantId ?? "";
const tenantFromDb = (tenantId: string): string | null => (tenantId === "" ? null : tenantId);

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

/** A message row as `Message`; `sessionId` stands in for a row read without `session_id`. */
export function toMessage(
  row: MessageRow | Omit<MessageRow, "session_id">,
  sessionId?: string,
): Message {
  return {
    id: row.id,
    sessionId: "session_id" in row ? row.session_id : (sessionId as string),
    seq: Number(row.seq),
    role: row.role as MessageRole,
    content: row.content,
    name: row.name,
    model: row.model,
    tokens: row.tokens === null ? null : Number(row.tokens),
    latencyMs: row.latency_ms === null ? null : Number(row.latency_ms),
    metadata: JSON.parse(row.metadata) as JsonObject,
    idempotencyKey: row.idempotency_key,
    createdAt: Number(row.created_at),
  };
}
