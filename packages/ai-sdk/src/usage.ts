import type { MessageUsage } from "@llm-sessions/core";
import type { LanguageModelUsage } from "ai";

/** Usage as the AI SDK reports it (`result.totalUsage`, `onFinish`'s `totalUsage`) or as the store keeps it. */
export type ChatUsage = LanguageModelUsage | MessageUsage;

/**
 * The store's usage of the AI SDK's: input and output tokens, cache reads as
 * `cachedInputTokens`, reasoning tokens; figures the provider did not report
 * are left out (`null` when none was). A `MessageUsage` (it has no token
 * details) is taken as it is.
 */
export function toMessageUsage(usage: ChatUsage): MessageUsage | null {
  if (!("inputTokenDetails" in usage) && !("outputTokenDetails" in usage)) {
    return usage as MessageUsage;
  }
  const sdk = usage as LanguageModelUsage;
  const out: MessageUsage = {};
  if (sdk.inputTokens !== undefined) out.inputTokens = sdk.inputTokens;
  if (sdk.outputTokens !== undefined) out.outputTokens = sdk.outputTokens;
  const cached = sdk.inputTokenDetails?.cacheReadTokens;
  if (cached !== undefined) out.cachedInputTokens = cached;
  const reasoning = sdk.outputTokenDetails?.reasoningTokens;
  if (reasoning !== undefined) out.reasoningTokens = reasoning;
  // A call that reported nothing (an errored stream's) records no usage.
  return Object.keys(out).length > 0 ? out : null;
}

/**
 * Two calls' usage summed (a continued message: the stored call's and the
 * continuation's). Costs add when they are in one currency; a cost in
 * another currency than the stored one is dropped rather than mixed (the
 * store keeps one currency per chat).
 */
export function addUsage(a: MessageUsage | null, b: MessageUsage | null): MessageUsage | null {
  if (a === null) return b;
  if (b === null) return a;
  const out: MessageUsage = {};
  for (const key of [
    "inputTokens",
    "outputTokens",
    "cachedInputTokens",
    "reasoningTokens",
  ] as const) {
    const x = a[key];
    const y = b[key];
    if (x !== undefined || y !== undefined) out[key] = (x ?? 0) + (y ?? 0);
  }
  if (a.cost && b.cost && a.cost.currency === b.cost.currency) {
    out.cost = { micros: a.cost.micros + b.cost.micros, currency: a.cost.currency };
  } else if (a.cost ?? b.cost) {
    out.cost = (a.cost ?? b.cost) as NonNullable<MessageUsage["cost"]>;
  }
  return out;
}
