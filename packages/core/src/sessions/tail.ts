import { step, type TxSteps } from "../driver/index.js";
import {
  ConcurrentModificationError,
  IdempotencyConflictError,
  ValidationError,
} from "../errors.js";
import { appendSteps, checkBatch, type ParsedMessage, toValues } from "./append-steps.js";
import { loadSession, loadWritableSessionSteps, type StoreContext } from "./context.js";
import type { SessionRow } from "./rows.js";
import type {
  AppendOptions,
  HistoryOperation,
  Message,
  OperationRecord,
  OperationResult,
  ReplaceTailOptions,
} from "./types.js";
import { parse } from "./validation.js";

/**
 * Writes that change a session's tail: `messages.replaceTail`,
 * `messages.applyOperation` (a change recorded under the caller's operation
 * id, so that its retries are no-ops) and `messages.clear`.
 */

/** The expected end of a session's history, checked before its tail is replaced. */
interface TailExpectation {
  readonly afterSeq: number;
  readonly expectedLastSeq: number;
  readonly expectedLastId?: string | null | undefined;
}

const SELECT_OPERATION =
  "SELECT id, fingerprint, created_at FROM message_operations WHERE session_pk = ? AND id = ?";

/** `messages.replaceTail`: see `MessagesApi.replaceTail`. */
export async function replaceTail(
  ctx: StoreContext,
  sessionId: string,
  options: ReplaceTailOptions,
): Promise<Message[]> {
  const where = "messages.replaceTail";
  const id = parse(where, ctx.schemas.id, sessionId);
  const opts = parse(where, ctx.schemas.replaceTail, options);
  checkExpectation(where, "", opts);
  const list = opts.messages as ParsedMessage[];
  checkBatch(list, where);
  const { values, chunks } = toValues(ctx, list, null);
  const now = ctx.clock();
  const { stored, indexed } = await ctx.db.writeSteps(function* () {
    const session = yield* loadWritableSessionSteps(ctx, id);
    yield* cutTailSteps(session, id, opts, now);
    if (list.length === 0) return { stored: [] as Message[], indexed: false };
    // appendSteps reads the session's key and currency, which the delete leaves as they were.
    const stored = yield* appendSteps(session, id, list, values, chunks, opts, where);
    const indexed = yield* ctx.searchIndex.indexIfDue(stored.length);
    return { stored, indexed };
  });
  if (stored.length > 0) ctx.searchIndex.appended(stored.length, indexed);
  return stored;
}

/** `messages.applyOperation`: see `MessagesApi.applyOperation`. */
export async function applyOperation(
  ctx: StoreContext,
  sessionId: string,
  operation: HistoryOperation,
  options: AppendOptions = {},
): Promise<OperationResult> {
  const where = "messages.applyOperation";
  const id = parse(where, ctx.schemas.id, sessionId);
  const op = parse(where, ctx.schemas.operation, operation);
  const opts = parse(where, ctx.schemas.appendOptions, options);
  if (op.replace) checkExpectation(where, "replace.", op.replace);
  const list = op.messages as ParsedMessage[];
  checkBatch(list, where);
  const { values, chunks } = toValues(ctx, list, null);
  const now = ctx.clock();
  const result = await ctx.db.writeSteps(function* () {
    const session = yield* loadWritableSessionSteps(ctx, id);
    // Looked up first: a retry is a no-op even when the history moved on since.
    const recorded = yield* step.get<{ fingerprint: string }>(SELECT_OPERATION, [
      session.pk,
      op.id,
    ]);
    if (recorded) {
      if (recorded.fingerprint !== op.fingerprint) {
        throw new IdempotencyConflictError(id, op.id, ["fingerprint"]);
      }
      return { applied: false, stored: [] as Message[], indexed: false };
    }
    if (op.replace) yield* cutTailSteps(session, id, op.replace, now);
    yield* step.run(
      "INSERT INTO message_operations (session_pk, id, fingerprint, created_at) VALUES (?, ?, ?, ?)",
      [session.pk, op.id, op.fingerprint, now],
    );
    if (list.length === 0) {
      yield* step.run("UPDATE sessions SET updated_at = ? WHERE pk = ?", [now, session.pk]);
      return { applied: true, stored: [] as Message[], indexed: false };
    }
    const stored = yield* appendSteps(session, id, list, values, chunks, opts, where);
    const indexed = yield* ctx.searchIndex.indexIfDue(stored.length);
    return { applied: true, stored, indexed };
  });
  if (result.stored.length > 0) ctx.searchIndex.appended(result.stored.length, result.indexed);
  return { applied: result.applied, messages: result.stored };
}

/** `messages.operation`: see `MessagesApi.operation`. */
export async function readOperation(
  ctx: StoreContext,
  sessionId: string,
  operationId: string,
): Promise<OperationRecord | null> {
  const where = "messages.operation";
  const id = parse(where, ctx.schemas.id, sessionId);
  const opId = parse(where, ctx.schemas.operationId, operationId);
  return ctx.db.readSnapshot(async (q) => {
    const session = await loadSession(q, ctx.scope, id);
    const row = await q.get<{ id: string; fingerprint: string; created_at: number | bigint }>(
      SELECT_OPERATION,
      [session.pk, opId],
    );
    return row
      ? { id: row.id, fingerprint: row.fingerprint, createdAt: Number(row.created_at) }
      : null;
  });
}

/** `messages.clear`: see `MessagesApi.clear`. */
export async function clearMessages(ctx: StoreContext, sessionId: string): Promise<number> {
  const id = parse("messages.clear", ctx.schemas.id, sessionId);
  const now = ctx.clock();
  return ctx.db.writeSteps(function* () {
    const session = yield* loadWritableSessionSteps(ctx, id);
    // The delete triggers keep the counters, totals, tool-call index, search index and compaction point.
    const deleted = yield* step.run("DELETE FROM messages WHERE session_pk = ?", [session.pk]);
    yield* step.run("DELETE FROM message_operations WHERE session_pk = ?", [session.pk]);
    yield* step.run("UPDATE sessions SET updated_at = ? WHERE pk = ?", [now, session.pk]);
    return Number(deleted.changes);
  });
}

/** `afterSeq` past the expected end cannot be meant: refused before anything runs. */
function checkExpectation(where: string, prefix: string, e: TailExpectation): void {
  if (e.afterSeq > e.expectedLastSeq) {
    throw new ValidationError(where, [
      { path: `${prefix}afterSeq`, message: "must be at most expectedLastSeq" },
    ]);
  }
}

/**
 * The compare-and-swap and the cut of a tail replacement: the session's
 * last seq (and last message id, when given) must be as the caller saw
 * them; then the messages above `afterSeq` go.
 */
function* cutTailSteps(
  session: SessionRow,
  sessionId: string,
  e: TailExpectation,
  now: number,
): TxSteps<void> {
  const lastSeq = Number(session.last_seq);
  if (lastSeq !== e.expectedLastSeq) {
    throw new ConcurrentModificationError(sessionId, e.expectedLastSeq, lastSeq);
  }
  if (e.expectedLastId !== undefined) {
    const last = yield* step.get<{ id: string }>(
      "SELECT id FROM messages WHERE session_pk = ? AND seq = ?",
      [session.pk, lastSeq],
    );
    const lastId = last?.id ?? null;
    if (lastId !== e.expectedLastId) {
      throw new ConcurrentModificationError(sessionId, e.expectedLastSeq, lastSeq, {
        expectedLastId: e.expectedLastId,
        actualLastId: lastId,
      });
    }
  }
  // The delete triggers keep the counters, totals, tool-call index, search
  // index and compaction point; chunks go with their message (foreign key).
  yield* step.run("DELETE FROM messages WHERE session_pk = ? AND seq > ?", [
    session.pk,
    e.afterSeq,
  ]);
  yield* step.run("UPDATE sessions SET updated_at = ? WHERE pk = ?", [now, session.pk]);
}
