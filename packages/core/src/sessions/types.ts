/** A JSON object, as stored in `metadata` columns. */
export type JsonObject = { [key: string]: JsonValue };
/** Any JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

/** Where a session is in its lifecycle. */
export type SessionStatus = "active" | "idle" | "archived";

/** Who wrote a message. */
export type MessageRole = "system" | "user" | "assistant" | "tool";

/** A conversation. Times are milliseconds since the epoch, from the store's clock. */
export interface Session {
  readonly id: string;
  /** The tenant it belongs to, or `null` for the default tenant. */
  readonly tenantId: string | null;
  readonly title: string | null;
  readonly model: string | null;
  readonly status: SessionStatus;
  readonly metadata: JsonObject;
  /** Messages stored (kept by triggers). */
  readonly messageCount: number;
  /** Sum of the messages' `tokens` (kept by triggers). */
  readonly tokenCount: number;
  /** The highest `seq` (0 when empty); the next message gets `lastSeq + 1`. */
  readonly lastSeq: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** The last append or touch. Idle and archive timeouts count from here. */
  readonly lastActivityAt: number;
  /** An absolute expiry, or `null`. */
  readonly expiresAt: number | null;
  readonly archivedAt: number | null;
  /** The session this one was forked from (null once that one is deleted). */
  readonly parentId: string | null;
  /** The parent's `seq` the fork was taken at. */
  readonly parentSeq: number | null;
}

/** A stored message. */
export interface Message {
  readonly id: string;
  readonly sessionId: string;
  /** 1, 2, 3, ... per session, gap-free in commit order. */
  readonly seq: number;
  readonly role: MessageRole;
  readonly content: string;
  /** A tool's or participant's name. */
  readonly name: string | null;
  readonly model: string | null;
  readonly tokens: number | null;
  readonly latencyMs: number | null;
  readonly metadata: JsonObject;
  readonly idempotencyKey: string | null;
  readonly createdAt: number;
}

/** What `sessions.create` takes. Every field is optional. */
export interface NewSession {
  /** A caller-chosen id (1–128 characters); a UUIDv7 when absent. */
  id?: string;
  title?: string | null;
  model?: string | null;
  metadata?: JsonObject;
  /** Only on the root store; a tenant-scoped store sets its own. */
  tenantId?: string | null;
  expiresAt?: number | null;
}

/** What `sessions.update` changes; absent fields stay. */
export interface SessionPatch {
  title?: string | null;
  model?: string | null;
  metadata?: JsonObject;
  expiresAt?: number | null;
}

/** What `messages.append` takes per message. */
export interface NewMessage {
  role: MessageRole;
  content: string;
  /** A caller-chosen id; a UUIDv7 when absent. */
  id?: string;
  name?: string | null;
  model?: string | null;
  tokens?: number | null;
  latencyMs?: number | null;
  metadata?: JsonObject;
  /**
   * Makes a retried append a no-op: when this session already has a message
   * with this key, that stored message is returned and nothing is written.
   */
  idempotencyKey?: string | null;
}

/** One page of a keyset-paginated list. */
export interface Page<T> {
  readonly items: T[];
  /** Pass back as `cursor` for the next page; `null` when this was the last. */
  readonly nextCursor: string | null;
}

/** Options of `sessions.list`. */
export interface ListSessionsOptions {
  status?: SessionStatus;
  model?: string;
  /** Root store only: which tenant to list (`null` = the default tenant). */
  tenantId?: string | null;
  limit?: number;
  cursor?: string | null;
}

/** Options of `messages.list`. */
export interface ListMessagesOptions {
  /** Start after this seq (0 = from the beginning). */
  afterSeq?: number;
  limit?: number;
  cursor?: string | null;
}

/** Options of `sessions.fork`. */
export interface ForkOptions {
  /** Copy the messages up to and including this seq (default: all). */
  atSeq?: number;
  title?: string | null;
  metadata?: JsonObject;
  id?: string;
}

/** What `stats()` reports, for the store's scope. */
export interface StoreStats {
  readonly sessions: { readonly total: number } & Record<SessionStatus, number>;
  readonly messages: number;
  readonly tokens: number;
  readonly byModel: ReadonlyArray<{
    readonly model: string | null;
    readonly sessions: number;
    readonly messages: number;
    readonly tokens: number;
  }>;
}
