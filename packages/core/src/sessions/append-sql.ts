import type { SqliteValue, Statement } from "../driver/index.js";
import { type Scope, sessionPkParams, sessionPkSql } from "./context.js";
import { RAW_MESSAGE_COLUMNS, READ_MESSAGE_COLUMNS } from "./rows.js";

/**
 * The SQL of `messages.append`, in one place: the interactive path (one
 * INSERT per message, the session loaded first) and the one-batch path (the
 * same inserts with the session's rules as SQL conditions).
 */

/** The stored columns of a new message, in the order of `MessageValues`. */
const COLUMNS =
  "id, session_pk, seq, role, content, name, model, tokens, latency_ms, metadata, idempotency_key, created_at, parts, input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_micros, cost_currency, parts_chunks, summary_through";

/**
 * A new message's values, `session_pk` and `seq` left out (the session gives
 * them): id, role, content, name, model, tokens, latency_ms, metadata,
 * idempotency_key, created_at, then (schema v5) parts (NULL when in chunks),
 * the usage figures, the number of chunks, and (a compaction summary) the
 * seq it stands through.
 */
export type MessageValues = readonly [
  id: string,
  role: string,
  content: string,
  name: string | null,
  model: string | null,
  tokens: number | null,
  latencyMs: number | null,
  metadata: string,
  idempotencyKey: string | null,
  createdAt: number,
  parts: string | null,
  inputTokens: number | null,
  outputTokens: number | null,
  cachedInputTokens: number | null,
  reasoningTokens: number | null,
  costMicros: number | null,
  costCurrency: string | null,
  partsChunks: number | null,
  summaryThrough: number | null,
];

/** Where `idempotency_key` is in `MessageValues`. */
export const KEY_INDEX = 8;

/**
 * One INSERT per message; `seq` comes from the session's `last_seq`, which the
 * insert trigger advances, so each message of a batch gets the next number. A
 * repeated idempotency key inserts nothing (and fires no trigger). RETURNING
 * gives the stored columns and `pk` (for the chunks of large parts, which it
 * cannot join: the caller has those parts).
 */
const INSERT_MESSAGE = `INSERT INTO messages (${COLUMNS})
  VALUES (?, ?, (SELECT last_seq + 1 FROM sessions WHERE pk = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (session_pk, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
  RETURNING pk, ${RAW_MESSAGE_COLUMNS}`;

/** One chunk of a message's large parts. */
export const INSERT_CHUNK = "INSERT INTO message_blobs (message_pk, chunk, data) VALUES (?, ?, ?)";

/** The interactive path's INSERT of one message into the loaded session `pk`. */
export function insertMessage(values: MessageValues, pk: number): Statement {
  const [id, ...rest] = values;
  return { sql: INSERT_MESSAGE, params: [id, pk, pk, ...rest] };
}

/** The message stored under an idempotency key. */
export const SELECT_BY_KEY = `SELECT ${READ_MESSAGE_COLUMNS} FROM messages WHERE session_pk = ? AND idempotency_key = ?`;

/**
 * The whole append as statements that need no answer in between (one
 * request on a server), each INSERT returning its row:
 *
 * - the first message is inserted only when the scope sees exactly one
 *   session with this id, it is not archived, and none of the messages'
 *   idempotency keys is stored in it yet;
 * - each later one only when the statement before it inserted its row
 *   (`changes() = 1`), so the batch stores all of its messages or none.
 *
 * Anything else (no such session, an archived or ambiguous one, a key
 * already used) inserts nothing, and the caller takes the interactive path,
 * which owns those rules and their errors. Keys repeated inside the batch
 * are the caller's to route there first: the key check runs once, before
 * the first insert.
 */
export function oneBatchAppend(
  scope: Scope,
  sessionId: string,
  messages: readonly MessageValues[],
): Statement[] {
  const keys = messages.flatMap((m) => (m[KEY_INDEX] === null ? [] : [m[KEY_INDEX]]));
  const session = `FROM sessions WHERE pk = ${sessionPkSql(scope)} AND status <> 'archived'`;
  const sessionParams = sessionPkParams(scope, sessionId);
  const select = `SELECT ?, pk, last_seq + 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? ${session}`;
  // Only messages without parts in chunks take this path (see MessagesApi.append).
  const returning = `RETURNING ${RAW_MESSAGE_COLUMNS}`;
  const noKeyStored =
    keys.length === 0
      ? ""
      : ` AND NOT EXISTS (SELECT 1 FROM messages WHERE session_pk = sessions.pk AND idempotency_key IN (${keys.map(() => "?").join(", ")}))`;
  return messages.map((values, i) => {
    const params: SqliteValue[] = [...values, ...sessionParams];
    if (i > 0) {
      return {
        sql: `INSERT INTO messages (${COLUMNS}) ${select} AND changes() = 1 ${returning}`,
        params,
      };
    }
    return {
      sql: `INSERT INTO messages (${COLUMNS}) ${select}${noKeyStored} ${returning}`,
      params: [...params, ...keys],
    };
  });
}

/** Whether two messages of one append share an idempotency key. */
export function repeatsAKey(messages: readonly MessageValues[]): boolean {
  const keys = messages.flatMap((m) => (m[KEY_INDEX] === null ? [] : [m[KEY_INDEX]]));
  return new Set(keys).size !== keys.length;
}

/**
 * The messages of the scope's session `id` stored under `keys` (a retried
 * append's answer): none when the scope does not see exactly one such session.
 */
export function storedUnderKeys(scope: Scope, id: string, keys: readonly string[]): Statement {
  return {
    sql: `SELECT ${READ_MESSAGE_COLUMNS} FROM messages WHERE session_pk = ${sessionPkSql(scope)}
      AND idempotency_key IN (${keys.map(() => "?").join(", ")})`,
    params: [...sessionPkParams(scope, id), ...keys],
  };
}
