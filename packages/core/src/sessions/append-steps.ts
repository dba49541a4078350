import {
  SqliteError,
  type SqliteValue,
  type Statement,
  step,
  type TxSteps,
} from "../driver/index.js";
import { IdempotencyConflictError, ValidationError } from "../errors.js";
import { INSERT_CHUNK, insertMessage, type MessageValues, SELECT_BY_KEY } from "./append-sql.js";
import type { StoreContext } from "./context.js";
import { idempotencyDifferences } from "./idempotency.js";
import { chunkText, toolCallIds, toolResultIds } from "./parts.js";
import { type MessageRow, type SessionRow, toMessage } from "./rows.js";
import { rethrowIdConflict } from "./sessions-api.js";
import type { Message, NewMessage } from "./types.js";

/**
 * The body of an append inside its write transaction, shared by
 * `messages.append`, `messages.compact` (its summary) and
 * `messages.replaceTail` (the new tail): the session's rules for each
 * message (one currency, tool results answer known calls), then the insert.
 */

const TOOL_CALL_KNOWN =
  "SELECT 1 AS found FROM message_tool_calls WHERE session_pk = ? AND tool_call_id = ?";

/** A validated message of an append: content filled in, parts in their stored form. */
export type ParsedMessage = NewMessage & {
  readonly content: string;
  readonly storedParts: string | null;
};

/** A message row as read through its session (no session column). */
export type SessionMessageRow = Omit<MessageRow, "session_id">;

/**
 * The stored values of validated messages, and the chunks of parts too large
 * for their row (see schema v5). `summaryThrough` marks a compaction summary.
 */
export function toValues(
  ctx: Pick<StoreContext, "clock" | "newId" | "limits">,
  list: readonly ParsedMessage[],
  summaryThrough: number | null,
): { values: MessageValues[]; chunks: (string[] | null)[] } {
  const now = ctx.clock();
  const { inlinePartsBytes } = ctx.limits;
  const chunks = list.map((m) =>
    m.storedParts !== null && Buffer.byteLength(m.storedParts, "utf8") > inlinePartsBytes
      ? chunkText(m.storedParts)
      : null,
  );
  const values: MessageValues[] = list.map((m, i) => [
    m.id ?? ctx.newId(),
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
    summaryThrough,
  ]);
  return { values, chunks };
}

/** Appends `list` (as `values`, `chunks`) to the loaded `session`, in order. */
export function* appendSteps(
  session: SessionRow,
  sessionId: string,
  list: readonly ParsedMessage[],
  values: readonly MessageValues[],
  chunks: readonly (string[] | null)[],
  opts: { readonly allowUnknownToolCalls?: boolean | undefined },
  where: string,
): TxSteps<Message[]> {
  const stored: Message[] = [];
  let currency = session.cost_currency;
  for (const [i, v] of values.entries()) {
    const given = list[i] as ParsedMessage;
    const cost = given.usage?.cost?.currency;
    if (cost !== undefined && currency !== null && cost !== currency) {
      throw new ValidationError(where, [
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
        if (!known) throw unknownToolCall(where, i, callId);
      }
    }
    stored.push(
      yield* insertOne(insertMessage(v, session.pk), sessionId, given, i, chunks[i] ?? null, where),
    );
  }
  return stored;
}

/** A tool call id given twice in one append is refused before anything runs. */
export function checkBatch(list: readonly ParsedMessage[], where: string): void {
  const seen = new Set<string>();
  for (const [i, m] of list.entries()) {
    for (const callId of toolCallIds(m.parts)) {
      if (seen.has(callId)) throw duplicateToolCall(where, i, callId);
      seen.add(callId);
    }
  }
}

const unknownToolCall = (where: string, i: number, callId: string) =>
  new ValidationError(where, [
    {
      path: `${i}.parts`,
      message: `a tool-result answers toolCallId ${JSON.stringify(callId)}, which this session has no call for (append the call first, or pass { allowUnknownToolCalls: true })`,
    },
  ]);

const duplicateToolCall = (where: string, i: number, callId: string) =>
  new ValidationError(where, [
    {
      path: `${i}.parts`,
      message: `toolCallId ${JSON.stringify(callId)} is already a call of this session`,
    },
  ]);

/**
 * Inserts one message (and the chunks of its large parts); a key the
 * session already holds gives the stored message when it is the same one
 * (a retry), else `IdempotencyConflictError`.
 */
export function* insertOne(
  insert: Statement,
  sessionId: string,
  given: ParsedMessage,
  index: number,
  chunks: readonly string[] | null,
  where: string,
): TxSteps<Message> {
  const params = insert.params as readonly SqliteValue[];
  let row: (SessionMessageRow & { pk: number }) | undefined;
  try {
    row = yield* step.get<SessionMessageRow & { pk: number }>(insert.sql, params);
  } catch (error) {
    // The tool-call table's key: this session already has a call with that id.
    if (error instanceof SqliteError && /message_tool_calls/.test(error.message)) {
      throw duplicateToolCall(where, index, toolCallIds(given.parts).join(", "));
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
