/** A JSON object, as stored in `metadata` columns. */
export type JsonObject = { [key: string]: JsonValue };
/** Any JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

/** Where a session is in its lifecycle. */
export type SessionStatus = "active" | "idle" | "archived";

/**
 * Who wrote a message: the roles of the major chat APIs (`developer` is
 * OpenAI's name for instructions from the application, beside `system`).
 */
export type MessageRole = "system" | "developer" | "user" | "assistant" | "tool";

/** Fields every part may carry: provider data to hand back as it was (signatures, ids). */
interface PartBase {
  /** A provider's own data for this part (a JSON object), kept byte for byte. */
  providerMetadata?: JsonObject;
}

/** Text the message says; the text parts make the message's searchable `content`. */
export interface TextPart extends PartBase {
  type: "text";
  text: string;
}

/** A model's reasoning. Kept, not searchable (see `Message.content`). */
export interface ReasoningPart extends PartBase {
  type: "reasoning";
  text: string;
}

/**
 * A call of a tool (AI SDK `tool-call`, OpenAI `function_call`). `toolCallId`
 * is unique within the session.
 */
export interface ToolCallPart extends PartBase {
  type: "tool-call";
  toolCallId: string;
  toolName: string;
  /** The arguments, any JSON (OpenAI's `arguments` string is a JSON string). */
  input: JsonValue;
}

/**
 * The result of a tool call (AI SDK `tool-result`, OpenAI
 * `function_call_result`). Its `toolCallId` must be a call this session
 * holds (or one earlier in the same append, or in the same message) unless
 * the append is made with `{ allowUnknownToolCalls: true }`.
 */
export interface ToolResultPart extends PartBase {
  type: "tool-result";
  toolCallId: string;
  /** The tool's name, when the caller's format carries it. */
  toolName?: string;
  /** The output: any JSON; text is a JSON string. */
  output: JsonValue;
  /** The tool failed and `output` says why. */
  isError?: boolean;
}

/** A file: by `url` (including `data:` URLs) or by its bytes (`data`), exactly one of them. */
export interface FilePart extends PartBase {
  type: "file";
  /** An IANA media type, e.g. `image/png`. */
  mediaType: string;
  filename?: string;
  url?: string;
  /** The file's bytes, stored by the store and given back as a `Uint8Array`. */
  data?: Uint8Array;
}

/** Anything else an application keeps in a message: a name for its kind and JSON. */
export interface DataPart extends PartBase {
  type: "data";
  /** The kind of data (the AI SDK's `data-<name>`). */
  name: string;
  /** An id the application reconciles parts by (optional). */
  id?: string;
  data: JsonValue;
}

/** One part of a message, in the message's order. */
export type MessagePart =
  | TextPart
  | ReasoningPart
  | ToolCallPart
  | ToolResultPart
  | FilePart
  | DataPart;

/**
 * What one model call reported. Every field is optional; token counts and
 * `cost.micros` are integers from 0 to 2^31 − 1.
 */
export interface MessageUsage {
  inputTokens?: number;
  outputTokens?: number;
  /** Input tokens served from the provider's cache (part of `inputTokens`). */
  cachedInputTokens?: number;
  /** Output tokens spent on reasoning (part of `outputTokens`). */
  reasoningTokens?: number;
  /**
   * What the call cost, in millionths of `currency` (`{ micros: 1500,
   * currency: "USD" }` is $0.0015). A session's costs are all in one
   * currency (the first one given); another is `ValidationError`.
   */
  cost?: { micros: number; currency: string };
}

/** Usage summed over a session's messages (kept by triggers). */
export interface UsageTotals {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cachedInputTokens: number;
  readonly reasoningTokens: number;
  /** Sum of the costs, in millionths of `currency`. */
  readonly costMicros: number;
  /** The currency of the costs, or `null` while none was given. */
  readonly currency: string | null;
}

/** A conversation. Times are milliseconds since the epoch, from the store's clock. */
export interface Session {
  /** The session's id (a UUIDv7 unless the caller chose one). */
  readonly id: string;
  /** The tenant it belongs to, or `null` for the default tenant. */
  readonly tenantId: string | null;
  /** A human-readable title, or `null`. */
  readonly title: string | null;
  /** The model the conversation talks to, or `null`. */
  readonly model: string | null;
  /** `active`, `idle` or `archived` (see the lifecycle). */
  readonly status: SessionStatus;
  /** The caller's JSON object (`{}` when none was given). */
  readonly metadata: JsonObject;
  /** Messages stored (kept by triggers). */
  readonly messageCount: number;
  /** Sum of the messages' `tokens` (kept by triggers). */
  readonly tokenCount: number;
  /** Sum of the messages' `usage` (kept by triggers). */
  readonly usage: UsageTotals;
  /** The highest `seq` (0 when empty); the next message gets `lastSeq + 1`. */
  readonly lastSeq: number;
  /**
   * Messages 1..`compactedThrough` are compacted: the session's newest
   * compaction summary (`messages.compact`) stands for them in
   * `messages.window`. 0 when the session has no summary.
   */
  readonly compactedThrough: number;
  /** When the session was created. */
  readonly createdAt: number;
  /** The last change to the session's row (fields, counters, status). */
  readonly updatedAt: number;
  /** The last append or touch. Idle and archive timeouts count from here. */
  readonly lastActivityAt: number;
  /** An absolute expiry, or `null`. */
  readonly expiresAt: number | null;
  /** When it was archived, or `null` while not archived. */
  readonly archivedAt: number | null;
  /** The session this one was forked from (null once that one is deleted). */
  readonly parentId: string | null;
  /** The parent's `seq` the fork was taken at. */
  readonly parentSeq: number | null;
}

/** A stored message. */
export interface Message {
  /** The message's id (a UUIDv7 unless the caller chose one). */
  readonly id: string;
  /** The session it belongs to. */
  readonly sessionId: string;
  /** 1, 2, 3, ... per session, gap-free in commit order. */
  readonly seq: number;
  /** Who wrote it. */
  readonly role: MessageRole;
  /**
   * The text search sees. For a message with parts: the `content` given
   * with them, else the text of its `text` parts joined by a newline
   * (reasoning, tool calls and results, files and data are not searched).
   */
  readonly content: string;
  /** The parts in their order, or `null` for a plain text message. */
  readonly parts: MessagePart[] | null;
  /** What the model call reported, with the fields given, or `null`. */
  readonly usage: MessageUsage | null;
  /** A tool's or participant's name. */
  readonly name: string | null;
  /** The model that produced it, or `null`. */
  readonly model: string | null;
  /** Its token count, or `null`; summed into the session's `tokenCount`. */
  readonly tokens: number | null;
  /** How long the model took to produce it, in milliseconds, or `null`. */
  readonly latencyMs: number | null;
  /** The caller's JSON object (`{}` when none was given). */
  readonly metadata: JsonObject;
  /** The key it was appended with, or `null` (see `NewMessage.idempotencyKey`). */
  readonly idempotencyKey: string | null;
  /** When it was appended. */
  readonly createdAt: number;
  /**
   * For a compaction summary (`messages.compact`): it stands for messages
   * 1..`summaryThrough` of its session. `null` for every other message.
   */
  readonly summaryThrough: number | null;
  /**
   * The message is at or below its session's `compactedThrough`: a summary
   * stands for it in `messages.window`. Still stored, listed and searched.
   * Derived from the session when read (compaction writes nothing per
   * message).
   */
  readonly compacted: boolean;
}

/** What `sessions.create` takes. Every field is optional. */
export interface NewSession {
  /**
   * A caller-chosen id (1–128 characters); a UUIDv7 when absent. Ids are
   * unique across all tenants: one any tenant holds is `ConflictError`. In
   * multi-tenant use make chosen ids unguessable or tenant-prefixed.
   */
  id?: string;
  /** A human-readable title. */
  title?: string | null;
  /** The model the conversation talks to. */
  model?: string | null;
  /**
   * A plain JSON object: at most `limits.maxMetadataBytes` as JSON, nested at
   * most 64 levels, no cycles, no `__proto__` key, well-formed strings.
   */
  metadata?: JsonObject;
  /**
   * The tenant, on the root store (absent or `null`: the default tenant). A
   * tenant view sets its own; another value there is a `ValidationError`.
   */
  tenantId?: string | null;
  /**
   * An absolute expiry (ms since the epoch, at most 253402300799999, the end
   * of year 9999): the lifecycle sweep purges the session then.
   */
  expiresAt?: number | null;
}

/** What `sessions.update` changes; absent fields stay. */
export interface SessionPatch {
  /** A new title (`null` clears it). */
  title?: string | null;
  /** A new model (`null` clears it). */
  model?: string | null;
  /**
   * Replaces the whole metadata object (the same rules as
   * `NewSession.metadata`). Cannot be given with `metadataPatch`.
   */
  metadata?: JsonObject;
  /**
   * Merges into the stored metadata instead of replacing it (JSON Merge
   * Patch, RFC 7386): a key set to `null` is deleted, a nested object is
   * merged key by key, any other value (arrays too) replaces the key's value.
   * `{ pinned: true }` pins a session without touching its other keys. The
   * read, merge and write are one write transaction, so concurrent patches of
   * different keys never lose each other. The merged object must obey the
   * rules of `NewSession.metadata` (size at most `limits.maxMetadataBytes`,
   * depth, no `__proto__`), else `ValidationError` and nothing changes.
   * Cannot be given with `metadata`.
   */
  metadataPatch?: JsonObject;
  /** A new absolute expiry, at most the end of year 9999 (`null` removes it). */
  expiresAt?: number | null;
}

/** What `messages.append` takes per message. */
export interface NewMessage {
  /** Who wrote it. */
  role: MessageRole;
  /**
   * The text (size-limited by `limits.maxContentBytes`; no NUL characters).
   * May be left out when `parts` are given: it is then the text of the
   * `text` parts joined by a newline.
   */
  content?: string;
  /**
   * The message's parts, in order (at most `limits.maxPartsBytes` as
   * stored). Strings must be well-formed and text/reasoning free of NUL;
   * JSON values follow the metadata rules (any JSON at the top).
   */
  parts?: MessagePart[] | null;
  /** What the model call reported (see `MessageUsage`). */
  usage?: MessageUsage | null;
  /**
   * A caller-chosen id; a UUIDv7 when absent. Unique within its session: one
   * the session already holds is `ConflictError`.
   */
  id?: string;
  /** A tool's or participant's name. */
  name?: string | null;
  /** The model that produced it. */
  model?: string | null;
  /**
   * Its token count: an integer from 0 to 2^31 − 1, so that no sum the store
   * keeps (`tokenCount`, `stats()`) can overflow SQLite's 64-bit integers.
   */
  tokens?: number | null;
  /** How long the model took to produce it, in milliseconds: 0 to 2^31 − 1. */
  latencyMs?: number | null;
  /** A plain JSON object (the same rules as `NewSession.metadata`). */
  metadata?: JsonObject;
  /**
   * Makes a retried append a no-op: when this session already has a message
   * with this key, that stored message is returned and nothing is written.
   * The retry must be the same message: one that differs in any field it
   * gives (role, content, parts, usage, name, model, tokens, latencyMs,
   * metadata as data, id when given) is `IdempotencyConflictError`, and nothing is written.
   */
  idempotencyKey?: string | null;
}

/** Options of `messages.append`. */
export interface AppendOptions {
  /**
   * Accept `tool-result` parts whose `toolCallId` this session has no call
   * for (history imported without its calls, a call kept elsewhere).
   * Default false: such a result is a `ValidationError`.
   */
  allowUnknownToolCalls?: boolean;
}

/** One page of a keyset-paginated list. */
export interface Page<T> {
  /** This page's items, in the list's order. */
  readonly items: T[];
  /** Pass back as `cursor` for the next page; `null` when this was the last. */
  readonly nextCursor: string | null;
}

/** A value `ListSessionsOptions.metadata` can match: a JSON scalar. */
export type JsonScalar = string | number | boolean | null;

/** The orders `sessions.list` can list in. */
export type SessionOrder = "lastActivity" | "created";

/** Options of `sessions.list`. */
export interface ListSessionsOptions {
  /** Only sessions with this status. */
  status?: SessionStatus;
  /** Only sessions with this model. */
  model?: string;
  /**
   * Only sessions whose metadata has each of these top-level keys with
   * exactly this value, of the same JSON type (`{ userId: "u1" }` does not
   * match `{ userId: 1 }`; `null` matches a key stored as `null`, not an
   * absent key). Values are JSON scalars; at most 8 keys, each 1–128
   * characters. The filter is evaluated per session (no index covers
   * metadata): a page walks the scope's sessions in list order until it is
   * full, so a rare value in a large tenant costs a walk of that tenant.
   */
  metadata?: Record<string, JsonScalar>;
  /**
   * Only sessions whose title contains this text (1 character or more),
   * ignoring the case of ASCII letters (`"plan"` finds `"Trip PLANS"`); other
   * characters match exactly, and `%`, `_` and `\` are plain characters.
   * Sessions without a title never match. Evaluated per session, like
   * `metadata`.
   */
  titleContains?: string;
  /**
   * `"lastActivity"` (default): most recent activity first, served by an
   * index. `"created"`: newest first by creation time; no index orders
   * sessions by creation, so each page sorts the scope's sessions (one
   * tenant's, or on the root store every session): fine for a user's or a
   * tenant's list, costly on the root store of a large database. Ties are
   * broken by id in both orders. A cursor continues only the order it was
   * issued for.
   */
  orderBy?: SessionOrder;
  /**
   * Root store: list only this tenant (`null` = the default tenant); absent,
   * every tenant's sessions are listed. A tenant view lists its own tenant
   * (another value is a `ValidationError`).
   */
  tenantId?: string | null;
  /** Page size (default `limits.defaultPageSize`). */
  limit?: number;
  /** The previous page's `nextCursor`. */
  cursor?: string | null;
}

/**
 * Options of `messages.list`. Pages go forward (oldest first, from `afterSeq`)
 * unless `beforeSeq` is given; either way the items of a page are in `seq`
 * order.
 */
export interface ListMessagesOptions {
  /** Start after this seq (0 = from the beginning; at most `Number.MAX_SAFE_INTEGER`). */
  afterSeq?: number;
  /**
   * Scroll back: the page holds the `limit` messages just before this seq
   * (the newest of those with a smaller seq), oldest first, and its
   * `nextCursor` continues further back, to older messages. A chat view
   * showing messages from seq 120 on loads the history above it with
   * `{ beforeSeq: 120, limit: 50 }` (seqs 70–119), then passes the cursor for
   * seqs 20–69, and so on; `lastSeq + 1` reads the newest page. At most
   * `Number.MAX_SAFE_INTEGER`; cannot be combined with `afterSeq`.
   */
  beforeSeq?: number;
  /** Page size (default `limits.defaultPageSize`). */
  limit?: number;
  /**
   * The previous page's `nextCursor`. It continues in its page's direction: a
   * cursor of a `beforeSeq` page goes on backwards (with `afterSeq`:
   * `ValidationError`), another goes forward (with `beforeSeq`:
   * `ValidationError`).
   */
  cursor?: string | null;
}

/** Options of `sessions.fork`. */
export interface ForkOptions {
  /** Copy the messages up to and including this seq (default: all). */
  atSeq?: number;
  /** The fork's title (default: the parent's). */
  title?: string | null;
  /** The fork's metadata (default: the parent's). */
  metadata?: JsonObject;
  /** A caller-chosen id for the fork (unique across all tenants); a UUIDv7 when absent. */
  id?: string;
}

/** Usage figures summed over messages; costs per currency. */
export interface UsageSums {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cachedInputTokens: number;
  readonly reasoningTokens: number;
  /** Sums of costs in millionths, one entry per currency (none when no cost was given). */
  readonly cost: ReadonlyArray<{ readonly currency: string; readonly micros: number }>;
}

/** Counts of one group of `stats()` (a model, a tenant). */
export interface StatsGroup {
  /** Sessions in the group. */
  readonly sessions: number;
  /** Messages in those sessions. */
  readonly messages: number;
  /** Sum of those messages' `tokens`. */
  readonly tokens: number;
  /** Sum of those messages' `usage`. */
  readonly usage: UsageSums;
}

/** What `stats()` reports, for the store's scope (the root store: every tenant). */
export interface StoreStats {
  /** Session counts: the total and one per status. */
  readonly sessions: {
    /** All sessions in scope, whatever their status. */
    readonly total: number;
  } & Record<SessionStatus, number>;
  /** Messages stored. */
  readonly messages: number;
  /** Sum of the messages' `tokens`. */
  readonly tokens: number;
  /** Sum of the messages' `usage`. */
  readonly usage: UsageSums;
  /** The same counts per session model (`null` = sessions without a model). */
  readonly byModel: ReadonlyArray<StatsGroup & { readonly model: string | null }>;
  /** The same counts per tenant (`null` = the default tenant); a tenant view has its own only. */
  readonly byTenant: ReadonlyArray<StatsGroup & { readonly tenantId: string | null }>;
}

/** A time window of `stats({ since, until })`: ms since the epoch, `since` included, `until` not. */
export interface StatsWindow {
  /** Start of the window (default 0). */
  since?: number;
  /** End of the window, excluded (default: no end). */
  until?: number;
}

/** Counts of one group of a `stats({ since, until })` window. */
export interface WindowGroup {
  /** Metered messages (with `usage` or `tokens`) appended in the window. */
  readonly messages: number;
  /** Sum of their `tokens`. */
  readonly tokens: number;
  /** Sum of their `usage`. */
  readonly usage: UsageSums;
}

/**
 * What `stats({ since, until })` reports: the usage of the metered messages
 * (those with `usage` or `tokens`) appended in the window, for billing.
 * Read from the live messages through an index by time: an archived
 * session's messages are in its snapshot and not counted until restored,
 * and a fork's copies count in the fork too (they are its messages).
 */
export interface WindowStats extends WindowGroup {
  readonly since: number;
  readonly until: number | null;
  /** Per message model (the session's model when the message has none). */
  readonly byModel: ReadonlyArray<WindowGroup & { readonly model: string | null }>;
  /** Per tenant (`null` = the default tenant). */
  readonly byTenant: ReadonlyArray<WindowGroup & { readonly tenantId: string | null }>;
}

/**
 * Options of `messages.window`. With neither budget the window is the whole
 * uncompacted history plus the pinned messages.
 */
export interface WindowOptions {
  /**
   * The most tokens the window may cost (an integer, at least 1). What a
   * message costs: its `tokens` when stored; else its `usage.outputTokens`
   * (the tokens a model produced are what that message adds to the next
   * call's context; `inputTokens` is the whole prompt of the call that made
   * it, not this message's share); else `estimate(message)`; else
   * `Math.ceil(n / 4)` with `n` the characters of its stored parts JSON
   * (parts) or of its content (plain text): about four characters a token,
   * erring high for JSON. The pinned messages count too.
   */
  maxTokens?: number;
  /** The most messages the window may hold (an integer, at least 1), pinned ones included. */
  maxMessages?: number;
  /**
   * The cost of a message that has neither `tokens` nor `usage.outputTokens`
   * stored: a finite number, 0 or more (else `ValidationError`).
   */
  estimate?: (message: Message) => number;
}

/** What `messages.compact` takes. */
export interface CompactOptions {
  /**
   * The summary stands for messages 1..`throughSeq`: at least 1, at most the
   * session's `lastSeq`, at least its current `compactedThrough`, and not
   * between a tool call and one of its results (a tool group is compacted
   * whole or not at all).
   */
  throughSeq: number;
  /**
   * The summary message, appended with the next seq: `role` (`system`,
   * `developer`, `user` or `assistant`; not `tool`) and `content` and/or
   * `parts` (no `tool-call` or `tool-result` parts), with the other fields of
   * `NewMessage` (usage, metadata, id, ...) as an append takes them.
   */
  summary: Omit<NewMessage, "idempotencyKey">;
  /**
   * Makes a retried compaction a no-op, like an append's key (it is stored
   * as the summary's `idempotencyKey`, in the same key space as appends):
   * the same key with the same request returns the summary stored then; the
   * same key with another request (another `throughSeq` or summary, or a key
   * an ordinary message holds) is `IdempotencyConflictError`.
   */
  idempotencyKey?: string | null;
}

/** What `messages.replaceTail` takes. */
export interface ReplaceTailOptions {
  /** Messages with a seq above this are removed (0: all of them); at most `expectedLastSeq`. */
  afterSeq: number;
  /**
   * The session's `lastSeq` as the caller saw it: when it is another now,
   * `ConcurrentModificationError` and nothing changes (compare-and-swap).
   */
  expectedLastSeq: number;
  /**
   * The id of the session's last message as the caller saw it (`null`: the
   * session had none). Checked with `expectedLastSeq` when given: a pop
   * followed by an append gives the same `lastSeq` with another message,
   * which only the id tells apart.
   */
  expectedLastId?: string | null;
  /** The new tail, appended after `afterSeq` with the rules of `append` (may be empty). */
  messages: readonly NewMessage[];
  /** As `append`'s options, for the new tail. */
  allowUnknownToolCalls?: boolean;
}

/** What `messages.applyOperation` takes: a change to a session's history, recorded under an id. */
export interface HistoryOperation {
  /** The caller's id of the change, stable across its retries (1 to 512 characters). */
  id: string;
  /**
   * What the change is, as the caller compares it: a digest of the request
   * (say, SHA-256 of its canonical JSON), 1 to 512 characters. A retry under
   * the same `id` must give the same fingerprint.
   */
  fingerprint: string;
  /**
   * Replace the tail instead of appending: messages with a seq above
   * `afterSeq` are removed first, only when the session's last seq (and, if
   * given, its last message's id) are still as expected (see
   * `ReplaceTailOptions`). Without it, `messages` go after the last message
   * whatever it is.
   */
  replace?: { afterSeq: number; expectedLastSeq: number; expectedLastId?: string | null };
  /** The messages the change appends (may be empty), with the rules of `append`. */
  messages: readonly NewMessage[];
}

/** What `messages.applyOperation` did. */
export interface OperationResult {
  /** `false`: the operation was recorded before (a retry); nothing changed. */
  readonly applied: boolean;
  /** The messages appended, as stored (none on a retry). */
  readonly messages: Message[];
}

/** An operation recorded with a session's history (`messages.operation`). */
export interface OperationRecord {
  /** The operation's id. */
  readonly id: string;
  /** The fingerprint it was applied with. */
  readonly fingerprint: string;
  /** When it was applied (ms since the epoch, the store's clock). */
  readonly createdAt: number;
}
