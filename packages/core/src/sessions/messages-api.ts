import { type Row, SqliteError, type SqliteValue } from "../driver/index.js";
import { IdempotencyConflictError, ValidationError } from "../errors.js";
import { QUEUED_SPAN_SQL } from "../search/index-queue.js";
import {
  KEY_INDEX,
  type MessageValues,
  oneBatchAppend,
  repeatsAKey,
  storedUnderKeys,
} from "./append-sql.js";
import {
  appendSteps,
  checkBatch,
  type ParsedMessage,
  type SessionMessageRow,
  toValues,
} from "./append-steps.js";
import { compactMessages, readWindow } from "./compaction.js";
import {
  loadSession,
  loadWritableSession,
  loadWritableSessionSteps,
  type Scope,
  type StoreContext,
  sessionPkParams,
  sessionPkSql,
} from "./context.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { idempotencyDifferences } from "./idempotency.js";
import { MAX_SEQ } from "./limits.js";
import {
  compactedSql,
  type MessageRow,
  READ_MESSAGE_COLUMNS,
  SESSION_MESSAGE_COLUMNS,
  type SessionRow,
  toMessage,
} from "./rows.js";
import { applyOperation, clearMessages, readOperation, replaceTail } from "./tail.js";
import type {
  AppendOptions,
  CompactOptions,
  HistoryOperation,
  ListMessagesOptions,
  Message,
  NewMessage,
  OperationRecord,
  OperationResult,
  Page,
  ReplaceTailOptions,
  WindowOptions,
} from "./types.js";
import { parse, plainMessages } from "./validation.js";

/** `append` without options: nothing to parse. */
const NO_OPTIONS: AppendOptions = Object.freeze({});

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
    options: AppendOptions = NO_OPTIONS,
  ): Promise<Message[]> {
    const { schemas } = this.#ctx;
    const id = parse("messages.append", schemas.id, sessionId);
    const list: ParsedMessage[] =
      plainMessages(messages, this.#ctx.limits) ??
      parse(
        "messages.append",
        schemas.newMessages,
        Array.isArray(messages) ? messages : [messages],
      );
    const opts =
      options === NO_OPTIONS ? options : parse("messages.append", schemas.appendOptions, options);
    checkBatch(list, "messages.append");
    const { values, chunks } = toValues(this.#ctx, list, null);
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
      const stored = yield* appendSteps(session, id, list, values, chunks, opts, "messages.append");
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
        `SELECT ${readColumns(scope)} FROM messages WHERE session_pk = ${sessionPkSql(scope)}
         ORDER BY seq DESC LIMIT ?`,
        [...sessionPkParams(scope, id), ...sessionPkParams(scope, id), count],
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
        `SELECT ${readColumns(scope)} FROM messages WHERE session_pk = ${sessionPkSql(scope)} AND seq > ?
         ORDER BY seq LIMIT ?`,
        [...sessionPkParams(scope, id), ...sessionPkParams(scope, id), after, limit + 1],
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
        `SELECT ${readColumns(scope)} FROM messages WHERE session_pk = ${sessionPkSql(scope)} AND seq < ?
         ORDER BY seq DESC LIMIT ?`,
        [...sessionPkParams(scope, id), ...sessionPkParams(scope, id), before, limit + 1],
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
    return session.status === "archived" ? this.#snapshotMessages(q, session) : [];
  }

  /** An archived session's messages, marked compacted as the session row says (archive keeps it). */
  async #snapshotMessages(
    q: Parameters<typeof loadSession>[0],
    session: SessionRow,
  ): Promise<MessageRow[]> {
    const through = Number(session.compacted_through ?? 0);
    const rows = await this.#ctx.archived.readMessages(q, session);
    return rows.map((row) => ({ ...row, compacted: Number(row.seq) <= through }));
  }

  /**
   * The context to send a model: the newest messages that fit the budget,
   * oldest first. Always in it (pinned, counted in the budget): the
   * session's `system` and `developer` messages, wherever they are, and its
   * newest compaction summary. The rest is the longest run of the newest
   * uncompacted messages (seq above `compactedThrough`) within `maxTokens`
   * and `maxMessages`, that does not cut a tool group: a tool call and the
   * messages holding its results are in the window together or not at all
   * (when the run would start between them, it starts after them instead).
   * A message's cost is described at `WindowOptions.maxTokens`. When the
   * pinned messages alone exceed the budget: `ValidationError` (the budget
   * cannot be kept without dropping instructions).
   *
   * It reads, in one read transaction, the pinned messages and the whole
   * uncompacted history (compact a long session to keep that small). A
   * tool result appended with
   * `allowUnknownToolCalls` before its call, with that result compacted and
   * the call not, is not looked for. An archived session's window comes
   * from its snapshot, as `last` does; compacted messages are marked
   * (`compacted: true`) on every read.
   */
  async window(sessionId: string, options: WindowOptions = {}): Promise<Message[]> {
    return readWindow(this.#ctx, sessionId, options);
  }

  /**
   * Compacts a session: appends `summary` (with the next seq, like an
   * append) as the message that stands for messages 1..`throughSeq`, and
   * moves the session's `compactedThrough` there, in one transaction.
   * Nothing is deleted: `list`, `last` and `search` still give every
   * message, those at or below `throughSeq` marked `compacted: true`;
   * `window` starts from the summary (see there). The returned summary has
   * `summaryThrough: throughSeq`.
   *
   * `throughSeq` must be at most the session's `lastSeq`, at least its
   * current `compactedThrough` (compaction never moves back), and must not
   * fall between a tool call and one of its results; else `ValidationError`
   * and nothing changes. With `idempotencyKey`, a retry of the same request
   * returns the summary stored then (even after later appends), and another
   * request under that key is `IdempotencyConflictError`. Removing the
   * summary (`pop`, `replaceTail`) undoes its compaction: the newest summary
   * left, if any, applies again. An archived session is restored first
   * under `autoRestore`, else `SessionArchivedError`. The tool-group check
   * reads the parts of the session's messages that have parts (compaction
   * is rare; appends pay nothing for it).
   */
  async compact(sessionId: string, options: CompactOptions): Promise<Message> {
    return compactMessages(this.#ctx, sessionId, options);
  }

  /**
   * Replaces a session's tail (regenerate an answer, a framework's history
   * rewrite): in one transaction, removes the messages with a seq above
   * `afterSeq` and appends `messages` after it, with the rules of `append`
   * (so the first new message gets `afterSeq + 1`), and returns them as
   * stored. Only when the session's `lastSeq` is still `expectedLastSeq`:
   * otherwise `ConcurrentModificationError` and nothing changes. Counters,
   * usage totals, the tool-call index, large parts and the search index
   * follow (triggers). Bad input: `ValidationError`, nothing changes.
   *
   * With `expectedLastId`, the last message's id must match too (a pop and
   * an append give the same `lastSeq` with another message).
   *
   * Cutting below a compaction summary removes the summary and so undoes
   * its compaction (the newest summary left applies), like `pop`. A retry
   * after the replacement committed, when the new tail is as long as the
   * old one, finds the same `lastSeq` and replaces the tail again with the
   * same messages (the same end state; give them `id`s to keep their ids
   * too); `applyOperation` makes a retry a no-op instead. A session's
   * currency, once set, stays.
   */
  async replaceTail(sessionId: string, options: ReplaceTailOptions): Promise<Message[]> {
    return replaceTail(this.#ctx, sessionId, options);
  }

  /**
   * Applies a change to a session's history exactly once: appends
   * `operation.messages` (or, with `replace`, replaces the tail as
   * `replaceTail` does, with its compare-and-swap) and records
   * `operation.id` with its `fingerprint`, in one transaction. When the id
   * is already recorded for this session: the same fingerprint is a retry,
   * `{ applied: false }` and nothing changes (even if the history moved on
   * since); another fingerprint is `IdempotencyConflictError` (`fields`:
   * `["fingerprint"]`) and nothing changes. A failed compare-and-swap
   * (`ConcurrentModificationError`) or bad input (`ValidationError`)
   * records nothing. Agent frameworks' history transactions (the OpenAI
   * Agents SDK's `applyHistoryTransaction`) map onto it.
   *
   * Records live as long as the session, or until `clear`. An archived
   * session is restored first under `autoRestore`, else
   * `SessionArchivedError`.
   */
  async applyOperation(
    sessionId: string,
    operation: HistoryOperation,
    options?: AppendOptions,
  ): Promise<OperationResult> {
    return applyOperation(this.#ctx, sessionId, operation, options);
  }

  /** The record of operation `operationId` of a session (`applyOperation`), or `null`. */
  async operation(sessionId: string, operationId: string): Promise<OperationRecord | null> {
    return readOperation(this.#ctx, sessionId, operationId);
  }

  /**
   * Removes every message of a session and forgets its recorded operations,
   * in one transaction; the session itself (title, metadata, tenant) stays.
   * Returns how many messages were removed. Counters, usage totals and the
   * search index follow; the compaction point goes back to 0. An archived
   * session is restored first under `autoRestore` (its messages then go
   * too), else `SessionArchivedError`.
   */
  async clear(sessionId: string): Promise<number> {
    return clearMessages(this.#ctx, sessionId);
  }

  /** Removes the newest message (undo) and returns it; `null` when the session is empty. */
  async pop(sessionId: string): Promise<Message | null> {
    const id = parse("messages.pop", this.#ctx.schemas.id, sessionId);
    const now = this.#ctx.clock();
    return this.#ctx.db.write(async (tx) => {
      const session = await loadWritableSession(tx, this.#ctx, id);
      // Read first: the chunks of its parts go with the row (a RETURNING could not join them).
      const row = await tx.get<SessionMessageRow>(
        `SELECT ${READ_MESSAGE_COLUMNS} FROM messages WHERE session_pk = ? AND seq = ?`,
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

/**
 * The read columns of a session's messages, `compacted` computed from the
 * session's row found once (a scalar subquery over bound parameters only is
 * evaluated once per statement) instead of looked up again for every
 * message. Its parameters are `sessionPkParams` again, before the
 * statement's own.
 */
function readColumns(scope: Scope): string {
  return `${SESSION_MESSAGE_COLUMNS}, ${compactedSql(
    "messages",
    `(SELECT compacted_through FROM sessions WHERE pk = ${sessionPkSql(scope)})`,
  )}`;
}
