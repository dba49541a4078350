import { createHash } from "node:crypto";
import type { Message, MessageUsage, NewMessage } from "@llm-sessions/core";
import { canonicalJson } from "./json.js";
import { addUsage } from "./usage.js";

/**
 * The key of a stored message's `metadata` that holds its chain digest: the
 * SHA-256 of the previous message's chain digest and this message's
 * content (`chainOf`). Equal digests at a seq mean equal histories up to it,
 * so a save finds where the client's list leaves the chat by reading the
 * chat backwards from its end, usually one page, however long the chat.
 */
export const CHAIN_KEY = "aiSdkChain";

/** A chat's end as one save read it: its newest messages, back to where the list agrees. */
export interface StoredTail {
  /** The chat's last seq (0 when empty): the compare-and-swap's expectation. */
  readonly lastSeq: number;
  /** The id of its last message (`null` when empty), checked with `lastSeq`. */
  readonly lastId: string | null;
  /** How many of the list's messages the chat holds as they are (messages 1..prefix). */
  readonly prefix: number;
  /** The stored messages after `prefix`, oldest first. */
  readonly tail: readonly Message[];
  /** The chat does not exist yet. */
  readonly missing: boolean;
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

/** The chain digest of each message of a list (see `CHAIN_KEY`). */
export function chainOf(messages: readonly NewMessage[]): string[] {
  let previous = "";
  return messages.map((message) => {
    previous = createHash("sha256")
      .update(previous)
      .update("\n")
      .update(canonicalJson(contentOf(message)))
      .digest("base64url");
    return previous;
  });
}

/** The chain digest a stored message was written with, if this package wrote it. */
export function storedChain(message: Message): string | undefined {
  const value = message.metadata[CHAIN_KEY];
  return typeof value === "string" ? value : undefined;
}

/**
 * The write that makes the chat hold `list`, or `null` when it already
 * does (or holds more: `list` is a prefix of it, a late retry). From the
 * first message where the chat and the list differ, the chat's tail is
 * replaced; a replaced message that was stored before keeps its stored
 * usage, model, tokens and latency, and the response message, when it is
 * new or changed, gets `usage` (added to what it had: a continuation is
 * another model call) and `model`. Each written message carries its chain
 * digest in its metadata.
 */
export function planSave(
  stored: StoredTail,
  list: readonly NewMessage[],
  chains: readonly string[],
  response: ResponseFields,
): SavePlan | null {
  if (stored.prefix === list.length) return null;
  const old = new Map(stored.tail.map((m) => [m.id, m]));
  const messages = list.slice(stored.prefix).map((message, k) => {
    const before = old.get(message.id as string);
    const out: NewMessage = {
      ...message,
      metadata: { [CHAIN_KEY]: chains[stored.prefix + k] as string },
    };
    if (before) {
      out.usage = before.usage;
      out.model = before.model;
      out.tokens = before.tokens;
      out.latencyMs = before.latencyMs;
    }
    const changed = !before || !sameContent(before, message);
    if (changed && message.id === response.responseId) {
      if (response.usage) out.usage = addUsage(before?.usage ?? null, response.usage);
      if (response.model !== null) out.model = response.model;
    }
    return out;
  });
  return { afterSeq: stored.prefix, messages, removed: stored.lastSeq - stored.prefix };
}

/** What a message says, for comparison: id, role, and its parts or its plain text. */
function contentOf(message: NewMessage | Message): unknown {
  const parts = message.parts ?? null;
  return {
    id: message.id,
    role: message.role,
    content: parts === null ? message.content : null,
    parts,
  };
}

/** The stored message says what `given` says. */
function sameContent(stored: Message, given: NewMessage): boolean {
  return canonicalJson(contentOf(stored)) === canonicalJson(contentOf(given));
}
