import { ValidationError } from "../errors.js";
import { toolCallIds, toolResultIds } from "./parts.js";
import type { Message, WindowOptions } from "./types.js";

/**
 * How `messages.window` chooses, as a pure function of the messages read
 * (so the store suite's model can state the same rule independently).
 *
 * - Pinned, always in the window: every `system` and `developer` message of
 *   the session (compacted or not) and the newest compaction summary.
 * - The rest is a suffix of the uncompacted messages (seq above the
 *   session's `compactedThrough`), as long as the budget allows.
 * - A tool group (a call and every message holding one of its results;
 *   linked transitively by tool-call ids) is never cut: the suffix may only
 *   start where no group has members on both sides. A group with a member
 *   in the compacted history (a result appended after its call was
 *   compacted) cannot be cut anywhere above that member, so the suffix
 *   starts after the group's newest member. Pinned members do not count:
 *   they are in the window anyway.
 */

/** The default cost: about four characters a token, of what the model is sent. */
export function defaultEstimate(message: Message): number {
  const text = message.parts === null ? message.content : JSON.stringify(message.parts);
  return Math.ceil(text.length / 4);
}

/** A message's cost in the window's budget (see `WindowOptions.maxTokens`). */
export function messageCost(message: Message, estimate: WindowOptions["estimate"]): number {
  if (message.tokens !== null) return message.tokens;
  const output = message.usage?.outputTokens;
  if (output !== undefined) return output;
  if (!estimate) return defaultEstimate(message);
  const cost = estimate(message);
  if (typeof cost !== "number" || !Number.isFinite(cost) || cost < 0) {
    throw new ValidationError("messages.window", [
      {
        path: "estimate",
        message: `returned ${String(cost)} for message ${message.seq}: must be a finite number, 0 or more`,
      },
    ]);
  }
  return cost;
}

/** Whether a message is pinned in the window. */
export function isPinned(message: Message, newestSummarySeq: number | null): boolean {
  return (
    message.role === "system" || message.role === "developer" || message.seq === newestSummarySeq
  );
}

/** What `chooseWindow` works from. */
export interface WindowInput {
  /** The pinned messages and every uncompacted one, in seq order (others are ignored). */
  readonly messages: readonly Message[];
  /** The session's `compactedThrough`. */
  readonly compactedThrough: number;
  /** The seq of the newest compaction summary, or `null`. */
  readonly newestSummarySeq: number | null;
  /**
   * Seqs of compacted, unpinned messages that share a tool-call id with an
   * uncompacted message, by tool-call id (read separately: the compacted
   * history itself is not read).
   */
  readonly compactedMembers: ReadonlyMap<string, number>;
}

/** The window of `input` under `options`, oldest first. */
export function chooseWindow(input: WindowInput, options: WindowOptions): Message[] {
  const { messages, compactedThrough, newestSummarySeq } = input;
  const maxTokens = options.maxTokens ?? Number.POSITIVE_INFINITY;
  const maxMessages = options.maxMessages ?? Number.POSITIVE_INFINITY;
  const pinned = messages.filter((m) => isPinned(m, newestSummarySeq));
  const candidates = messages.filter(
    (m) => m.seq > compactedThrough && !isPinned(m, newestSummarySeq),
  );
  let tokens = 0;
  for (const m of pinned) tokens += messageCost(m, options.estimate);
  if (tokens > maxTokens || pinned.length > maxMessages) {
    throw new ValidationError("messages.window", [
      {
        path: tokens > maxTokens ? "maxTokens" : "maxMessages",
        message: `the session's pinned messages (system, developer and the newest summary) alone are ${pinned.length} messages costing ${tokens} tokens: more than the budget`,
      },
    ]);
  }
  // Each tool-call id's span of unpinned seqs: the suffix may not start inside one.
  const spans = new Map<string, { min: number; max: number }>();
  const widen = (id: string, seq: number) => {
    const span = spans.get(id);
    if (!span) spans.set(id, { min: seq, max: seq });
    else {
      span.min = Math.min(span.min, seq);
      span.max = Math.max(span.max, seq);
    }
  };
  for (const m of candidates) {
    for (const id of [...toolCallIds(m.parts), ...toolResultIds(m.parts)]) widen(id, m.seq);
  }
  for (const [id, seq] of input.compactedMembers) if (spans.has(id)) widen(id, seq);
  // Spans by their newest member, newest first: walking the candidates down,
  // the spans reaching at or above a seq are exactly those taken so far.
  const byMax = [...spans.values()].sort((a, b) => b.max - a.max);
  let next = 0;
  let lowestOpenMin = Number.POSITIVE_INFINITY;
  let count = pinned.length;
  let start = candidates.length; // index of the first candidate taken
  for (let i = candidates.length - 1; i >= 0; i--) {
    const m = candidates[i] as Message;
    count += 1;
    tokens += messageCost(m, options.estimate);
    if (count > maxMessages || tokens > maxTokens) break;
    while (next < byMax.length && (byMax[next] as { max: number }).max >= m.seq) {
      lowestOpenMin = Math.min(lowestOpenMin, (byMax[next] as { min: number }).min);
      next += 1;
    }
    // Starting here cuts no group when no group reaching here started below.
    if (lowestOpenMin >= m.seq) start = i;
  }
  return [...pinned, ...candidates.slice(start)].sort((a, b) => a.seq - b.seq);
}
