import type { Message, MessageUsage, NewMessage } from "@llm-sessions/core";
import { encodeMessage, type WireMessage } from "./encode.js";
import { canonicalJson } from "./json.js";
import { addUsage } from "./usage.js";

/** A chat as one save read it. */
export interface StoredChat {
  /** Every message, oldest first. */
  readonly messages: readonly Message[];
  /** The chat's last seq (0 when empty): the compare-and-swap's expectation. */
  readonly lastSeq: number;
  /** This read created the chat (it was missing). */
  readonly created?: boolean;
}

/** The one write a save makes: replace the messages after `afterSeq` by `messages`. */
export interface SavePlan {
  readonly afterSeq: number;
  readonly messages: NewMessage[];
  /** Stored messages the write removes. */
  readonly removed: number;
}

/** What the response message gets when it is written. */
export interface ResponseFields {
  readonly responseId: string | undefined;
  readonly usage: MessageUsage | null;
  readonly model: string | null;
}

/**
 * The write that makes the chat hold `given`, or `null` when it already
 * does (or holds more: `given` is a prefix of it, a late retry). Messages are
 * compared by what they say (role, content, parts, which hold the UI
 * message whole), not by usage or model, so a retried save finds its
 * messages stored and writes nothing. From the first index where the chat
 * and `given` differ, the chat's tail is replaced; a replaced message that
 * was stored before keeps its stored usage, model, tokens, latency and
 * metadata, and the response message, when it is new or changed, gets
 * `usage` (added to what it had: a continuation is another model call) and
 * `model`.
 */
export function planSave(
  stored: StoredChat,
  given: readonly WireMessage[],
  response: ResponseFields,
): SavePlan | null {
  const encoded = given.map(encodeMessage);
  const have = stored.messages;
  let i = 0;
  while (
    i < have.length &&
    i < encoded.length &&
    same(have[i] as Message, encoded[i] as NewMessage)
  )
    i++;
  if (i === encoded.length) return null;
  const old = new Map(have.slice(i).map((m) => [m.id, m]));
  const messages = encoded.slice(i).map((message) => {
    const before = old.get(message.id as string);
    const out: NewMessage = { ...message };
    if (before) {
      out.usage = before.usage;
      out.model = before.model;
      out.tokens = before.tokens;
      out.latencyMs = before.latencyMs;
      out.metadata = before.metadata;
    }
    const changed = !before || !same(before, message);
    if (changed && message.id === response.responseId) {
      if (response.usage) out.usage = addUsage(before?.usage ?? null, response.usage);
      if (response.model !== null) out.model = response.model;
    }
    return out;
  });
  return {
    afterSeq: i === 0 ? 0 : (have[i - 1] as Message).seq,
    messages,
    removed: have.length - i,
  };
}

/** The stored message says what `given` says (id, role, text and parts). */
function same(stored: Message, given: NewMessage): boolean {
  return (
    stored.id === given.id &&
    stored.role === given.role &&
    (stored.parts === null
      ? given.parts === undefined && stored.content === given.content
      : given.parts !== undefined && canonicalJson(stored.parts) === canonicalJson(given.parts))
  );
}
