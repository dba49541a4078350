import { type Queryable, step, type TxSteps } from "../driver/index.js";
import { IdempotencyConflictError, ValidationError } from "../errors.js";
import { SELECT_BY_KEY } from "./append-sql.js";
import {
  appendSteps,
  type ParsedMessage,
  type SessionMessageRow,
  toValues,
} from "./append-steps.js";
import { loadSession, loadWritableSessionSteps, type StoreContext } from "./context.js";
import { idempotencyDifferences } from "./idempotency.js";
import { toolCallIds, toolResultIds } from "./parts.js";
import { joinChunksSql, SESSION_MESSAGE_COLUMNS, type SessionRow, toMessage } from "./rows.js";
import type { CompactOptions, Message, WindowOptions } from "./types.js";
import { parse } from "./validation.js";
import { chooseWindow, isPinned } from "./window.js";

/**
 * Context windows, compaction and tail replacement: the reads and writes
 * behind `messages.window`, `messages.compact` and `messages.replaceTail`.
 */

/**
 * The pinned messages and the uncompacted history of a live session, in seq
 * order: a range of `(session_pk, seq)` above the compaction point, and the
 * compacted part's system and developer messages from `messages_pinned`
 * (the compacted history itself is not read).
 */
// Each arm knows which side of the compaction point its rows are on: no
// lookup of the session per message.
const WINDOW_ROWS = `SELECT ${SESSION_MESSAGE_COLUMNS}, 0 AS compacted FROM messages WHERE session_pk = ? AND seq > ?
  UNION ALL
  SELECT ${SESSION_MESSAGE_COLUMNS}, 1 AS compacted FROM messages
  WHERE session_pk = ? AND seq <= ? AND role IN ('system', 'developer')
  ORDER BY seq`;

/**
 * The compacted, unpinned message holding each tool call of `json_each(?)`
 * (ids whose results are in the uncompacted history): such a group cannot be
 * in the window (see `chooseWindow`).
 */
const COMPACTED_CALLS = `SELECT t.tool_call_id AS id, m.seq AS seq
  FROM json_each(?) AS j CROSS JOIN message_tool_calls AS t ON t.session_pk = ? AND t.tool_call_id = j.value
    CROSS JOIN messages AS m ON m.pk = t.message_pk
  WHERE m.seq <= ? AND m.role NOT IN ('system', 'developer')`;

/** `messages.window`: see `MessagesApi.window`. */
export async function readWindow(
  ctx: StoreContext,
  sessionId: string,
  options: WindowOptions,
): Promise<Message[]> {
  const id = parse("messages.window", ctx.schemas.id, sessionId);
  const opts = parse("messages.window", ctx.schemas.window, options);
  // One snapshot: the compaction point, the rows and the compacted calls
  // must be of the same commit (a compaction or tail replacement between
  // two statements would pair one state's boundary with another's rows).
  const input = await ctx.db.readSnapshot(async (q) => {
    const session = await loadSession(q, ctx.scope, id);
    return session.status === "archived"
      ? archivedInput(ctx, q, session)
      : liveInput(q, session, id);
  });
  return chooseWindow(input, opts);
}

async function liveInput(q: Queryable, session: SessionRow, id: string) {
  const compactedThrough = Number(session.compacted_through);
  const rows = await q.all<SessionMessageRow>(WINDOW_ROWS, [
    session.pk,
    compactedThrough,
    session.pk,
    compactedThrough,
  ]);
  const messages = rows.map((row) => toMessage(row, id));
  const newestSummarySeq = newestSummary(messages);
  const compactedMembers = new Map<string, number>();
  if (compactedThrough > 0) {
    const open = new Set<string>();
    for (const m of messages) {
      if (m.seq <= compactedThrough || isPinned(m, newestSummarySeq)) continue;
      for (const callId of toolResultIds(m.parts)) open.add(callId);
    }
    if (open.size > 0) {
      const found = await q.all<{ id: string; seq: number }>(COMPACTED_CALLS, [
        JSON.stringify([...open]),
        session.pk,
        compactedThrough,
      ]);
      for (const row of found) compactedMembers.set(row.id, Number(row.seq));
    }
  }
  return { messages, compactedThrough, newestSummarySeq, compactedMembers };
}

/** An archived session's window comes from its snapshot, as `last` does. */
async function archivedInput(ctx: StoreContext, q: Queryable, session: SessionRow) {
  const compactedThrough = Number(session.compacted_through ?? 0);
  const rows = await ctx.archived.readMessages(q, session);
  const messages = rows.map((row) =>
    toMessage({ ...row, compacted: Number(row.seq) <= compactedThrough }, session.id),
  );
  const newestSummarySeq = newestSummary(messages);
  const compactedMembers = new Map<string, number>();
  for (const m of messages) {
    if (m.seq > compactedThrough || isPinned(m, newestSummarySeq)) continue;
    for (const callId of [...toolCallIds(m.parts), ...toolResultIds(m.parts)]) {
      compactedMembers.set(callId, m.seq);
    }
  }
  return { messages, compactedThrough, newestSummarySeq, compactedMembers };
}

function newestSummary(messages: readonly Message[]): number | null {
  let seq: number | null = null;
  for (const m of messages) if (m.summaryThrough !== null) seq = m.seq;
  return seq;
}

/**
 * Tool-call ids whose unpinned messages lie on both sides of `throughSeq`,
 * with their first and last seq. Reads the parts of the session's messages
 * that have parts (compaction is rare; appends stay as they are).
 */
const SPLIT_GROUPS = `SELECT j.value ->> 'toolCallId' AS id, min(m.seq) AS lo, max(m.seq) AS hi
  FROM messages AS m CROSS JOIN json_each(
    CASE WHEN m.parts_chunks IS NULL THEN m.parts ELSE (${joinChunksSql("m.pk")}) END) AS j
  WHERE m.session_pk = ? AND (m.parts IS NOT NULL OR m.parts_chunks IS NOT NULL)
    AND m.role NOT IN ('system', 'developer')
    AND j.value ->> 'type' IN ('tool-call', 'tool-result')
  GROUP BY 1 HAVING lo <= ? AND hi > ? ORDER BY lo LIMIT 5`;

/** `messages.compact`: see `MessagesApi.compact`. */
export async function compactMessages(
  ctx: StoreContext,
  sessionId: string,
  options: CompactOptions,
): Promise<Message> {
  const where = "messages.compact";
  const id = parse(where, ctx.schemas.id, sessionId);
  const opts = parse(where, ctx.schemas.compact, options);
  const summary = opts.summary as ParsedMessage;
  if (summary.idempotencyKey !== undefined && summary.idempotencyKey !== null) {
    throw new ValidationError(where, [
      { path: "summary.idempotencyKey", message: "give the key as options.idempotencyKey" },
    ]);
  }
  if (toolCallIds(summary.parts).length + toolResultIds(summary.parts).length > 0) {
    throw new ValidationError(where, [
      { path: "summary.parts", message: "a summary cannot hold tool-call or tool-result parts" },
    ]);
  }
  const given: ParsedMessage = { ...summary, idempotencyKey: opts.idempotencyKey ?? null };
  const { values, chunks } = toValues(ctx, [given], opts.throughSeq);
  const { stored, written, indexed } = await ctx.db.writeSteps(function* () {
    const session = yield* loadWritableSessionSteps(ctx, id);
    const retried = yield* storedCompaction(session, id, given, opts.throughSeq);
    if (retried) return { stored: retried, written: false, indexed: false };
    yield* checkThrough(session, opts.throughSeq);
    const [made] = yield* appendSteps(session, id, [given], values, chunks, {}, where);
    const indexed = yield* ctx.searchIndex.indexIfDue(1);
    return { stored: made as Message, written: true, indexed };
  });
  // A new summary was queued for the search index like an appended message.
  if (written) ctx.searchIndex.appended(1, indexed);
  return stored;
}

/** The summary a retried compaction stored, or undefined; a different request under the key throws. */
function* storedCompaction(
  session: SessionRow,
  id: string,
  given: ParsedMessage,
  throughSeq: number,
): TxSteps<Message | undefined> {
  const key = given.idempotencyKey;
  if (key === undefined || key === null) return undefined;
  const stored = yield* step.get<SessionMessageRow>(SELECT_BY_KEY, [session.pk, key]);
  if (!stored) return undefined;
  const differ = idempotencyDifferences({ ...given, summaryThrough: throughSeq }, stored);
  if (differ.length > 0) throw new IdempotencyConflictError(id, key, differ);
  return toMessage(stored, id);
}

/** The rules of `throughSeq` against the session (see `CompactOptions.throughSeq`). */
function* checkThrough(session: SessionRow, throughSeq: number): TxSteps<void> {
  const refuse = (message: string) =>
    new ValidationError("messages.compact", [{ path: "throughSeq", message }]);
  if (throughSeq > Number(session.last_seq)) {
    throw refuse(`must be at most the session's lastSeq (${session.last_seq})`);
  }
  if (throughSeq < Number(session.compacted_through)) {
    throw refuse(
      `must be at least the session's compactedThrough (${session.compacted_through}): compaction never moves back`,
    );
  }
  const split = yield* step.all<{ id: string; lo: number; hi: number }>(SPLIT_GROUPS, [
    session.pk,
    throughSeq,
    throughSeq,
  ]);
  const [first] = split;
  if (first) {
    throw refuse(
      `would separate the messages of tool call ${JSON.stringify(first.id)} (seqs ${first.lo} to ${first.hi}): compact through ${Number(first.lo) - 1} or through ${first.hi} or later`,
    );
  }
}
