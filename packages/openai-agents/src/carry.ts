import type { Message, MessageUsage } from "@llm-sessions/core";
import { type AgentInputItem, UserError } from "@openai/agents-core";
import { canonicalJson } from "./codec.js";

/** The store's ceiling for one message's usage figure (2^31 − 1). */
const MAX = 2 ** 31 - 1;

const TOKENS = ["inputTokens", "outputTokens", "cachedInputTokens", "reasoningTokens"] as const;

type Figure = (typeof TOKENS)[number] | "micros";

function figure(usage: MessageUsage | undefined, key: Figure): number {
  const value = key === "micros" ? usage?.cost?.micros : usage?.[key];
  return typeof value === "number" ? value : 0;
}

/**
 * Adds `extra` to `usages[at]`. A figure that would pass the store's
 * per-message ceiling spills onto the other messages of the write (the
 * session's totals are what must be kept, not which message holds them);
 * when it fits nowhere this is a `UserError`, before anything is written.
 */
export function placeUsage(
  usages: (MessageUsage | undefined)[],
  at: number,
  extra: MessageUsage | undefined,
): void {
  if (!extra || usages.length === 0) return;
  const order = [at, ...usages.keys()].filter((i, n) => n === 0 || i !== at);
  const currency = extra.cost?.currency;
  for (const key of [...TOKENS, "micros"] as const) {
    let rest = figure(extra, key);
    for (const i of order) {
      if (rest === 0) break;
      const held = figure(usages[i], key);
      const add = Math.min(rest, MAX - held);
      if (add <= 0) continue;
      const next: MessageUsage = { ...usages[i] };
      if (key === "micros") {
        next.cost = { micros: held + add, currency: next.cost?.currency ?? (currency as string) };
      } else {
        next[key] = held + add;
      }
      usages[i] = next;
      rest -= add;
    }
    if (rest > 0) {
      throw new UserError(
        `SessionStoreSession: the replaced history's ${key} usage is too large to carry on ${usages.length} message(s).`,
      );
    }
  }
}

/**
 * The usage each message of a history replacement must hold so that the
 * session's usage totals stay what they were: an item that is a stored
 * message's item (equal, matched in order: each with the next stored
 * message after the previous match) keeps that message's usage; the usage
 * of the stored messages not kept this way is summed onto the first item
 * (the compaction item). Nothing to write means nothing carries it.
 */
export function carriedUsages(
  stored: readonly { message: Message; item: AgentInputItem }[],
  items: readonly AgentInputItem[],
): (MessageUsage | undefined)[] {
  const usages: (MessageUsage | undefined)[] = items.map(() => undefined);
  const byKey = new Map<string, number[]>();
  stored.forEach((entry, i) => {
    const key = canonicalJson(entry.item);
    const list = byKey.get(key);
    if (list) list.push(i);
    else byKey.set(key, [i]);
  });
  const kept = new Set<number>();
  let after = -1;
  items.forEach((item, i) => {
    const list = byKey.get(canonicalJson(item));
    while (list && list.length > 0 && (list[0] as number) <= after) list.shift();
    const match = list?.shift();
    if (match === undefined) return;
    after = match;
    kept.add(match);
    usages[i] = stored[match]?.message.usage ?? undefined;
  });
  stored.forEach((entry, i) => {
    if (!kept.has(i) && entry.message.usage) placeUsage(usages, 0, entry.message.usage);
  });
  return usages;
}
