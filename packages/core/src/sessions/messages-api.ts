import {
  type Row,
  SqliteError,
  type SqliteValue,
  type Statement,
  step,
  type TxSteps,
} from "../driver/index.js";
import { IdempotencyConflictError, ValidationError } from "../errors.js";
import { QUEUED_SPAN_SQL } from "../search/index-queue.js";
import {
  INSERT_CHUNK,
  insertMessage,
  KEY_INDEX,
  type MessageValues,
  oneBatchAppend,
  repeatsAKey,
  SELECT_BY_KEY,
  storedUnderKeys,
} from "./append-sql.js";
import {
  loadSession,
  loadWritableSession,
  loadWritableSessionSteps,
  type StoreContext,
  sessionPkParams,
  sessionPkSql,
} from "./context.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { idempotencyDifferences } from "./idempotency.js";
import { MAX_SEQ } from "./limits.js";
import { chunkText, toolCallIds, toolResultIds } from "./parts.js";
import { type MessageRow, SESSION_MESSAGE_COLUMNS, toMessage } from "./rows.js";
import { rethrowIdConflict } from "./sessions-api.js";
import type { AppendOptions, ListMessagesOptions, Message, NewMessage, Page } from "./types.js";
import { parse } from "./validation.js";

const TOOL_CALL_KNOWN =
  "SELECT 1 AS found FROM message_tool_calls WHERE session_pk = ? AND tool_call_id = ?";

/** A validated message of an append: content filled in, parts in their stored form. */
type ParsedMessage = NewMessage & { readonly content: string; readonly storedParts: string | null };

/** A message row as read through its session (no session column). */
type SessionMessageRow = Omit<MessageRow, "session_id">;

/** The message operations of the public face: `store.messages`. */
export class MessagesApi {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /**
   * Appends one message or several, atomically (all or none), and returns
   * them as stored, in input order, with their `seq`. A message whose
   * `idempotencyKey` this session already has is not stored again: the stored
   * one is returned in its place, when it is the same message (a retry);
   * when it differs in any field the caller gave, the append is an
   * `IdempotencyConflictError` and nothing is written.
   *
   * A `tool-result` part must answer a `tool-call` this session holds (in
   * an earlier message, an earlier message of this append, or the same
   * message), else `ValidationError`, unless `options.allowUnknownToolCalls`.
   * A `toolCallId` the session already has a call for is a `ValidationError`.
   * A session's costs are in one currency: another is a `ValidationError`.
   */
  async append(
    sessionId: string,
    messages: NewMessage | readonly NewMessage[],
    options: AppendOptions = {},
  ): Promise<Message[]> {
    const { schemas } = this.#ctx;
    const id = parse("messages.append", schemas.id, sessionId);
    const list: ParsedMessage[] = parse(
      "messages.append",
      schemas.newMessages,
      Array.isArray(messages) ? messages : [messages],
    );
    const opts = parse("messages.append", schemas.appendOptions, options);
    checkBatch(list);
    const now = this.#ctx.clock();
    const { inlinePartsBytes } = this.#ctx.limits;
    // Parts too large for the row go to chunks (see schema v5).
    const chunks = list.map((m) =>
      m.storedParts !== null && Buffer.byteLength(m.storedParts, "utf8") > inlinePartsBytes
        ? chunkText(m.storedParts)
        : null,
    );
    const values: MessageValues[] = list.map((m, i) => [
      m.id ?? this.#ctx.newId(),
      m.role,
      m.content,
      m.name ?? null,
      m.model ?? null,
      m.tokens ?? null,
      m.latencyMs ?? null,
      JSON.stringify(m.metadata ?? {}),
      m.idempotencyKey ?? null,
      now,
      chunks[i] ? null : m.storedParts,
      m.usage?.inputTokens ?? null,
      m.usage?.outputTokens ?? null,
      m.usage?.cachedInputTokens ?? null,
      m.usage?.reasoningTokens ?? null,
      m.usage?.cost?.micros ?? null,
      m.usage?.cost?.currency ?? null,
      chunks[i]?.length ?? null,
    ]);
    // The one-batch path holds the plain messages; parts (tool-call rules,
    // chunks) and costs (one currency per session) need the session's answers.
    const plain = list.every((m) => m.parts === null && m.usage?.cost === undefined);
    const counted = this.#ctx.roundTrips && !repeatsAKey(values);
    const fast = counted && plain ? await this.#appendInOneBatch(id, values) : undefined;
    if (fast) return fast;
    const retried = counted ? await this.#storedRetry(id, values, list) : undefined;
    if (retried) return retried;
    const ctx = this.#ctx;
    // Written as steps: on a synchronous driver the whole transaction runs
    // without waiting on a promise (the hot write of every model call).
    const { stored, indexed } = await ctx.db.writeSteps(function* () {
      const session = yield* loadWritableSessionSteps(ctx, id);
      const stored: Message[] = [];
      let currency = session.cost_currency;
      for (const [i, v] of values.entries()) {
        const given = list[i] as ParsedMessage;
        const cost = given.usage?.cost?.currency;
        if (cost !== undefined && currency !== null && cost !== currency) {
          throw new ValidationError("messages.append", [
            {
              path: `${i}.usage.cost.currency`,
              message: `this session's costs are in ${JSON.stringify(currency)}`,
            },
          ]);
        }
        currency ??= cost ?? null;
        if (!opts.allowUnknownToolCalls) {
          const own = new Set(toolCallIds(given.parts));
          for (const callId of toolResultIds(given.parts)) {
            if (own.has(callId)) continue;
            const known = yield* step.get<{ found: number }>(TOOL_CALL_KNOWN, [session.pk, callId]);
            if (!known) throw unknownToolCall(i, callId);
          }
        }
        stored.push(
          yield* insertOne(insertMessage(v, session.pk), id, given, i, chunks[i] ?? null),
        );
      }
      // The append that finds about a batch queued indexes it in this transaction.
      const indexed = yield* ctx.searchIndex.indexIfDue(counted ? 0 : stored.length);
      return { stored, indexed };
    });
    // Committed: the search index takes them in a later batch or pass (search itself never misses them).
    this.#ctx.searchIndex.appended(stored.length, indexed);
    return stored;
  }

  /**
   * The append as one batch (one request on a server): stored, or
   * `undefined` when it wrote nothing because a rule of the interactive path
   * applies (no such session, archived, ambiguous id, a key already used, an
   * id already taken).
   */
  async #appendInOneBatch(
    id: string,
    values: readonly MessageValues[],
  ): Promise<Message[] | undefined> {
    const { db, scope, searchIndex } = this.#ctx;
    const statements = oneBatchAppend(scope, id, values);
    const look = searchIndex.lookAfter(values.length);
    if (look) statements.push({ sql: QUEUED_SPAN_SQL });
    let results: Row[][];
    try {
      results = await db.writeBatch(statements);
    } catch (error) {
      // A message id already taken: the interactive path names it (ConflictError).
      if (error instanceof SqliteError && error.code === "CONSTRAINT") return undefined;
      throw error;
    }
    const rows = results.slice(0, values.length);
    if (!rows.every((r) => r.length === 1)) return undefined;
    const stored = rows.map((r) => toMessage(r[0] as unknown as SessionMessageRow, id));
    searchIndex.appended(stored.length);
    const span = Number((results[values.length]?.[0]?.span as number | bigint | null) ?? 0);
    // Due for the index: a pass of its own (one request), not this append's.
    if (look && searchIndex.spanDue(span)) searchIndex.indexSoon();
    return stored;
  }

  /**
   * On a server, the answer to a retried append (every message keyed, every
   * key already stored) read without a write transaction: one request, and no
   * write lock to wait for, so no BUSY. `undefined` when that is not the case
   * (a message without a key, a key not stored yet, an archived session):
   * the interactive path decides. A stored message that differs from the one
   * given is an `IdempotencyConflictError`, as there.
   */
  async #storedRetry(
    id: string,
    values: readonly MessageValues[],
    given: readonly ParsedMessage[],
  ): Promise<Message[] | undefined> {
    const keys = values.map((v) => v[KEY_INDEX]);
    if (!keys.every((key): key is string => key !== null)) return undefined;
    const query = storedUnderKeys(this.#ctx.scope, id, keys);
    const rows = await this.#ctx.db.read((q) =>
      q.all<SessionMessageRow>(query.sql, query.params as SqliteValue[]),
    );
    if (rows.length !== keys.length) return undefined;
    const byKey = new Map(rows.map((row) => [row.idempotency_key, row]));
    return keys.map((key, i) => {
      const stored = byKey.get(key) as SessionMessageRow;
      const differ = idempotencyDifferences(given[i] as ParsedMessage, stored);
      if (differ.length > 0) throw new IdempotencyConflictError(id, key, differ);
      return toMessage(stored, id);
    });
  }

  /**
   * The newest `n` messages in chronological order: the model's context
   * window.
   */
  async last(sessionId: string, n: number): Promise<Message[]> {
    const { schemas, scope } = this.#ctx;
    const id = parse("messages.last", schemas.id, sessionId);
    const count = parse("messages.last", schemas.count, n);
    const rows = await this.#ctx.db.read(async (q) => {
      // The hot read: the model's context window on every turn. session_id is
      // the argument, so it is not read back.
      const found = await q.all<SessionMessageRow>(
        `SELECT ${SESSION_MESSAGE_COLUMNS} FROM messages WHERE session_pk = ${sessionPkSql(scope)}
         ORDER BY seq DESC LIMIT ?`,
        [...sessionPkParams(scope, id), count],
      );
      // An empty answer must tell "no messages" from "no such session" and
      // from "archived" (whose messages live in its snapshot).
      if (found.length > 0) return found;
      return (await this.#archivedMessages(q, id)).slice(-count).reverse();
    });
    return rows.reverse().map((row) => toMessage(row, id));
  }

  /**
   * One page of messages in seq order. Forward (the default): the first
   * `limit` after `afterSeq`, and a cursor to the ones after them. Backward,
   * with `beforeSeq` (scrolling back through a chat's history): the last
   * `limit` before `beforeSeq`, still oldest first, and a cursor to the ones
   * before them. Both are keyset reads of the `(session_id, seq)` index: a
   * page costs its size, however deep in the history it is.
   */
  async list(sessionId: string, options: ListMessagesOptions = {}): Promise<Page<Message>> {
    const { schemas, limits } = this.#ctx;
    const id = parse("messages.list", schemas.id, sessionId);
    const opts = parse("messages.list", schemas.listMessages, options);
    const limit = opts.limit ?? limits.defaultPageSize;
    const cursor = opts.cursor ? decodeMessageCursor(opts.cursor, id) : null;
    const backward = cursor ? cursor.backward : opts.beforeSeq !== undefined;
    if (cursor && (backward ? opts.afterSeq : opts.beforeSeq) !== undefined) {
      throw new ValidationError("messages.list", [
        {
          path: backward ? "afterSeq" : "beforeSeq",
          message: `cannot be given with a cursor that goes ${backward ? "backward" : "forward"}`,
        },
      ]);
    }
    const page = backward
      ? await this.#pageBefore(
          id,
          Math.min(opts.beforeSeq ?? MAX_SEQ, cursor?.seq ?? MAX_SEQ),
          limit,
        )
      : await this.#pageAfter(id, Math.max(opts.afterSeq ?? 0, cursor?.seq ?? 0), limit);
    const items = page.rows.map((row) => toMessage(row, id));
    const edge = backward ? items[0] : items[items.length - 1];
    return {
      items,
      nextCursor:
        page.more && edge
          ? encodeCursor(backward ? [id, edge.seq, BACKWARD] : [id, edge.seq])
          : null,
    };
  }

  /** The first `limit` messages after `after`, and whether there are more. */
  async #pageAfter(id: string, after: number, limit: number): Promise<PageRows> {
    const { scope } = this.#ctx;
    const rows = await this.#ctx.db.read(async (q) => {
      const found = await q.all<SessionMessageRow>(
        `SELECT ${SESSION_MESSAGE_COLUMNS} FROM messages WHERE session_pk = ${sessionPkSql(scope)} AND seq > ?
         ORDER BY seq LIMIT ?`,
        [...sessionPkParams(scope, id), after, limit + 1],
      );
      if (found.length > 0) return found;
      const archived = await this.#archivedMessages(q, id);
      return archived.filter((m) => Number(m.seq) > after).slice(0, limit + 1);
    });
    return { rows: rows.slice(0, limit), more: rows.length > limit };
  }

  /** The last `limit` messages before `before`, oldest first, and whether there are older ones. */
  async #pageBefore(id: string, before: number, limit: number): Promise<PageRows> {
    const { scope } = this.#ctx;
    const newestFirst = await this.#ctx.db.read(async (q) => {
      const found = await q.all<SessionMessageRow>(
        `SELECT ${SESSION_MESSAGE_COLUMNS} FROM messages WHERE session_pk = ${sessionPkSql(scope)} AND seq < ?
         ORDER BY seq DESC LIMIT ?`,
        [...sessionPkParams(scope, id), before, limit + 1],
      );
      if (found.length > 0) return found;
      const archived = await this.#archivedMessages(q, id);
      return archived
        .filter((m) => Number(m.seq) < before)
        .slice(-(limit + 1))
        .reverse();
    });
    return { rows: newestFirst.slice(0, limit).reverse(), more: newestFirst.length > limit };
  }

  /**
   * [] for a live session with no messages (or none in range); snapshot rows
   * for an archived one. Loading the session also tells "no such session"
   * (and, on the root store, an id several tenants hold) from "no messages".
   */
  async #archivedMessages(q: Parameters<typeof loadSession>[0], id: string): Promise<MessageRow[]> {
    const session = await loadSession(q, this.#ctx.scope, id);
    return session.status === "archived" ? this.#ctx.archived.readMessages(q, session) : [];
  }

  /** Removes the newest message (undo) and returns it; `null` when the session is empty. */
  async pop(sessionId: string): Promise<Message | null> {
    const id = parse("messages.pop", this.#ctx.schemas.id, sessionId);
    const now = this.#ctx.clock();
    return this.#ctx.db.write(async (tx) => {
      const session = await loadWritableSession(tx, this.#ctx, id);
      // Read first: the chunks of its parts go with the row (a RETURNING could not join them).
      const row = await tx.get<SessionMessageRow>(
        `SELECT ${SESSION_MESSAGE_COLUMNS} FROM messages WHERE session_pk = ? AND seq = ?`,
        [session.pk, session.last_seq],
      );
      if (!row) return null;
      await tx.run("DELETE FROM messages WHERE session_pk = ? AND seq = ?", [
        session.pk,
        session.last_seq,
      ]);
      await tx.run("UPDATE sessions SET updated_at = ? WHERE pk = ?", [now, session.pk]);
      return toMessage(row, id);
    });
  }
}

/** A page's rows and whether the list goes on past them. */
interface PageRows {
  readonly rows: SessionMessageRow[];
  readonly more: boolean;
}

/** The last element of a cursor of a backward (`beforeSeq`) listing. */
const BACKWARD = "before";

/**
 * A messages cursor: `[sessionId, seq]` continues forward (after seq),
 * `[sessionId, seq, "before"]` backward (before seq). One of another
 * session is refused.
 */
function decodeMessageCursor(
  cursor: string,
  sessionId: string,
): { seq: number; backward: boolean } {
  let key: { session: string; seq: number; backward: boolean };
  try {
    const [session, seq] = decodeCursor("messages.list", cursor, ["string", "number"] as const);
    key = { session, seq, backward: false };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const [session, seq, direction] = decodeCursor("messages.list", cursor, [
      "string",
      "number",
      "string",
    ] as const);
    if (direction !== BACKWARD) throw error;
    key = { session, seq, backward: true };
  }
  if (key.session !== sessionId) {
    throw new ValidationError("messages.list", [
      { path: "cursor", message: "belongs to another session" },
    ]);
  }
  return key;
}

/** A tool call id given twice in one append is refused before anything runs. */
function checkBatch(list: readonly ParsedMessage[]): void {
  const seen = new Set<string>();
  for (const [i, m] of list.entries()) {
    for (const callId of toolCallIds(m.parts)) {
      if (seen.has(callId)) throw duplicateToolCall(i, callId);
      seen.add(callId);
    }
  }
}

const unknownToolCall = (i: number, callId: string) =>
  new ValidationError("messages.append", [
    {
      path: `${i}.parts`,
      message: `a tool-result answers toolCallId ${JSON.stringify(callId)}, which this session has no call for (append the call first, or pass { allowUnknownToolCalls: true })`,
    },
  ]);

const duplicateToolCall = (i: number, callId: string) =>
  new ValidationError("messages.append", [
    {
      path: `${i}.parts`,
      message: `toolCallId ${JSON.stringify(callId)} is already a call of this session`,
    },
  ]);

function* insertOne(
  insert: Statement,
  sessionId: string,
  given: ParsedMessage,
  index: number,
  chunks: readonly string[] | null,
): TxSteps<Message> {
  const params = insert.params as readonly SqliteValue[];
  let row: (SessionMessageRow & { pk: number }) | undefined;
  try {
    row = yield* step.get<SessionMessageRow & { pk: number }>(insert.sql, params);
  } catch (error) {
    // The tool-call table's key: this session already has a call with that id.
    if (error instanceof SqliteError && /message_tool_calls/.test(error.message)) {
      throw duplicateToolCall(index, toolCallIds(given.parts).join(", "));
    }
    rethrowIdConflict(error, "message", String(params[0]));
  }
  if (row) {
    if (!chunks) return toMessage(row, sessionId);
    for (const [n, data] of chunks.entries()) yield* step.run(INSERT_CHUNK, [row.pk, n, data]);
    return toMessage({ ...row, parts: given.storedParts }, sessionId);
  }
  // No row: the idempotency key was already used. The same message is a
  // retry and gets what was stored then; a different one is refused.
  const stored = (yield* step.get<SessionMessageRow>(SELECT_BY_KEY, [
    params[1] ?? null,
    params[10] ?? null,
  ])) as SessionMessageRow;
  const differ = idempotencyDifferences(given, stored);
  if (differ.length > 0) {
    throw new IdempotencyConflictError(sessionId, String(params[10]), differ);
  }
  return toMessage(stored, sessionId);
}
