import type { MessageUsage } from "@llm-sessions/core";
import type { RunContext } from "@openai/agents-core";

/** Token counts of a run so far, as summed from the SDK's `Usage`. */
interface Totals {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  reasoningTokens: number;
}

const ZERO: Totals = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, reasoningTokens: 0 };

/** The store's ceiling for a usage figure (2^31 − 1). */
const MAX = 2 ** 31 - 1;

function sumDetail(details: unknown, key: string): number {
  const list = Array.isArray(details)
    ? details
    : details && typeof details === "object"
      ? [details]
      : [];
  let sum = 0;
  for (const d of list) {
    const v = (d as Record<string, unknown>)?.[key];
    if (typeof v === "number" && Number.isFinite(v)) sum += v;
  }
  return sum;
}

function totalsOf(context: RunContext<unknown>): Totals | undefined {
  const u = context?.usage;
  if (!u || typeof u !== "object") return undefined;
  return {
    inputTokens: u.inputTokens ?? 0,
    outputTokens: u.outputTokens ?? 0,
    cachedInputTokens: sumDetail(u.inputTokensDetails, "cached_tokens"),
    reasoningTokens: sumDetail(u.outputTokensDetails, "reasoning_tokens"),
  };
}

/**
 * Turns the SDK's running usage into per-message usage. The runner passes
 * the same `RunContext` to every history write of a run and its `usage`
 * grows with each model call; what grew since this session last recorded
 * for that context is what the model output in this write cost, and goes on
 * the write's last model-produced message. Held per context (weakly), so a
 * retried write of an operation already applied records nothing twice.
 */
export class UsageLedger {
  readonly #recorded = new WeakMap<object, Totals>();

  /** The usage not yet recorded for `context`, or undefined when none grew (or is reported). */
  pending(
    context: RunContext<unknown> | undefined,
  ): { usage: MessageUsage; totals: Totals } | undefined {
    if (!context || typeof context !== "object") return undefined;
    const now = totalsOf(context);
    if (!now) return undefined;
    const before = this.#recorded.get(context) ?? ZERO;
    const usage: MessageUsage = {};
    let any = false;
    for (const key of Object.keys(ZERO) as (keyof Totals)[]) {
      const delta = now[key] - before[key];
      if (Number.isInteger(delta) && delta > 0 && delta <= MAX) {
        usage[key] = delta;
        any = true;
      }
    }
    return any ? { usage, totals: now } : undefined;
  }

  /** Marks `totals` as recorded for `context` (after the write holding them committed). */
  commit(context: RunContext<unknown> | undefined, totals: Totals | undefined): void {
    if (context && totals) this.#recorded.set(context, totals);
  }
}
