import {
  ConcurrentModificationError,
  type Message,
  type NewMessage,
  type Store,
  ValidationError,
} from "@llm-sessions/core";
import fc from "fast-check";
import { describe, expect } from "vitest";
import { expectSound, type StoreHarness } from "./harness.js";

/**
 * A fast-check model of context windows and compaction: random appends
 * (plain, system, tool calls and their results, answered at once or later),
 * compactions (valid or not), tail replacements (current or stale) and pops,
 * checked after every step against a model of the history, and every window
 * checked against a brute-force reading of the rule: the pinned messages
 * plus the longest suffix of the uncompacted history that is within budget
 * and cuts no tool group.
 */

type Op =
  | { kind: "say"; role: "user" | "assistant"; tokens: number | null; words: number }
  | { kind: "instruct"; role: "system" | "developer"; tokens: number }
  | { kind: "call"; answer: boolean; tokens: number }
  | { kind: "answer"; pick: number; tokens: number | null }
  | { kind: "compact"; through: number; role: "assistant" | "system"; tokens: number }
  | { kind: "replace"; back: number; stale: boolean; count: number }
  | { kind: "pop" };

const tokens = fc.integer({ min: 0, max: 12 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("say" as const),
      role: fc.constantFrom("user" as const, "assistant" as const),
      tokens: fc.option(tokens, { nil: null }),
      words: fc.integer({ min: 0, max: 12 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("instruct" as const),
      role: fc.constantFrom("system" as const, "developer" as const),
      tokens: fc.integer({ min: 0, max: 3 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant("call" as const), answer: fc.boolean(), tokens }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("answer" as const),
      pick: fc.nat(),
      tokens: fc.option(tokens, { nil: null }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("compact" as const),
      // Taken modulo lastSeq + 2: 0 and lastSeq + 1 are refused, the rest as the rules say.
      through: fc.nat(),
      role: fc.constantFrom("assistant" as const, "system" as const),
      tokens: fc.integer({ min: 0, max: 3 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("replace" as const),
      back: fc.integer({ min: 0, max: 4 }),
      stale: fc.boolean(),
      count: fc.integer({ min: 0, max: 2 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "pop" as const }) },
);

const budgetArb = fc.record({
  maxTokens: fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }),
  maxMessages: fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }),
});

/** What the model keeps per message. */
interface Held {
  readonly role: Message["role"];
  readonly calls: readonly string[];
  readonly results: readonly string[];
  readonly summaryThrough: number | null;
}

const toolIds = (m: Message | Held): string[] =>
  "calls" in m
    ? [...m.calls, ...m.results]
    : (m.parts ?? []).flatMap((p) =>
        p.type === "tool-call" || p.type === "tool-result" ? [p.toolCallId] : [],
      );

/** The documented cost of a message. */
const costOf = (m: Message): number =>
  m.tokens ??
  m.usage?.outputTokens ??
  Math.ceil((m.parts === null ? m.content : JSON.stringify(m.parts)).length / 4);

/** The window by brute force over every suffix, or "refused" when the pinned messages exceed the budget. */
function expectedWindow(
  history: readonly Message[],
  budget: { maxTokens?: number | undefined; maxMessages?: number | undefined },
): number[] | "refused" {
  const summaries = history.filter((m) => m.summaryThrough !== null);
  const newest = summaries.at(-1);
  const through = newest?.summaryThrough ?? 0;
  const pinned = (m: Message) =>
    m.role === "system" || m.role === "developer" || m.seq === newest?.seq;
  const pins = history.filter(pinned);
  const rest = history.filter((m) => !pinned(m) && m.seq > through);
  const maxTokens = budget.maxTokens ?? Number.POSITIVE_INFINITY;
  const maxMessages = budget.maxMessages ?? Number.POSITIVE_INFINITY;
  const pinCost = pins.reduce((sum, m) => sum + costOf(m), 0);
  if (pinCost > maxTokens || pins.length > maxMessages) return "refused";
  for (let k = rest.length; k >= 0; k--) {
    const suffix = rest.slice(rest.length - k);
    const inSuffix = new Set(suffix.map((m) => m.seq));
    const cost = pinCost + suffix.reduce((sum, m) => sum + costOf(m), 0);
    if (cost > maxTokens || pins.length + k > maxMessages) continue;
    // Every tool group's unpinned members (anywhere in the history) all in, or none.
    const whole = [...new Set(suffix.flatMap(toolIds))].every((id) =>
      history
        .filter((m) => !pinned(m) && toolIds(m).includes(id))
        .every((m) => inSuffix.has(m.seq)),
    );
    if (whole) return [...pins, ...suffix].map((m) => m.seq).sort((a, b) => a - b);
  }
  return pins.map((m) => m.seq);
}

/** Whether compacting through `t` is allowed by the documented rules. */
function compactAllowed(held: readonly Held[], compactedThrough: number, t: number): boolean {
  if (t < 1 || t > held.length || t < compactedThrough) return false;
  const spans = new Map<string, [number, number]>();
  for (const [i, m] of held.entries()) {
    if (m.role === "system" || m.role === "developer") continue;
    for (const id of [...m.calls, ...m.results]) {
      const span = spans.get(id) ?? [i + 1, i + 1];
      spans.set(id, [Math.min(span[0], i + 1), Math.max(span[1], i + 1)]);
    }
  }
  return [...spans.values()].every(([lo, hi]) => !(lo <= t && hi > t));
}

/** Store suite: the fast-check model of windows and compaction. */
export function registerWindowModelTests(h: StoreHarness, runs: number): void {
  describe("context window model", () => {
    h.test(
      "windows.model",
      "after any appends, tool exchanges, compactions, tail replacements and pops, every window is the pinned messages plus the longest in-budget suffix of the uncompacted history that cuts no tool group",
      async () => {
        const store = await h.open();
        let run = 0;
        await fc.assert(
          fc.asyncProperty(
            fc.array(opArb, { minLength: 1, maxLength: 30 }),
            fc.array(budgetArb, { minLength: 1, maxLength: 3 }),
            async (ops, budgets) => {
              run += 1;
              const s = await store.sessions.create();
              const held: Held[] = [];
              let calls = 0;
              for (const op of ops) {
                await step(store, s.id, op, held, () => `r${run}-c${++calls}`);
                const history = (await store.messages.list(s.id, { limit: 1000 })).items;
                const session = await store.sessions.get(s.id);
                const newest = held.findLast((m) => m.summaryThrough !== null);
                const through = newest?.summaryThrough ?? 0;
                expect(session.compactedThrough).toBe(through);
                expect(history.map((m) => [m.seq, m.role, m.summaryThrough, m.compacted])).toEqual(
                  held.map((m, i) => [i + 1, m.role, m.summaryThrough, i + 1 <= through]),
                );
                for (const budget of budgets) {
                  const want = expectedWindow(history, budget);
                  const got = await store.messages.window(s.id, budget).then(
                    (w) => w.map((m) => m.seq),
                    (error: unknown) => {
                      expect(error).toBeInstanceOf(ValidationError);
                      return "refused" as const;
                    },
                  );
                  expect(got).toEqual(want);
                }
              }
              await expectSound(store);
              await store.sessions.delete(s.id);
            },
          ),
          { numRuns: runs },
        );
      },
      120_000,
    );
  });
}

/** Applies one op to the store and to the model `held`. */
async function step(
  store: Store,
  id: string,
  op: Op,
  held: Held[],
  newCallId: () => string,
): Promise<void> {
  const plain = (role: Message["role"], n: number | null, words = 3): NewMessage => ({
    role,
    content: Array.from({ length: words }, (_, i) => `w${i}`).join(" "),
    ...(n === null ? {} : { tokens: n }),
  });
  const hold = (role: Message["role"], calls: string[] = [], results: string[] = []) =>
    held.push({ role, calls, results, summaryThrough: null });
  const compactedThrough = held.findLast((m) => m.summaryThrough !== null)?.summaryThrough ?? 0;
  switch (op.kind) {
    case "say":
      await store.messages.append(id, plain(op.role, op.tokens, op.words));
      hold(op.role);
      return;
    case "instruct":
      await store.messages.append(id, plain(op.role, op.tokens));
      hold(op.role);
      return;
    case "call": {
      const callId = newCallId();
      const messages: NewMessage[] = [
        {
          role: "assistant",
          parts: [{ type: "tool-call", toolCallId: callId, toolName: "t", input: { callId } }],
          tokens: op.tokens,
        },
      ];
      if (op.answer) {
        messages.push({
          role: "tool",
          parts: [{ type: "tool-result", toolCallId: callId, output: "ok" }],
          tokens: op.tokens,
        });
      }
      await store.messages.append(id, messages);
      hold("assistant", [callId]);
      if (op.answer) hold("tool", [], [callId]);
      return;
    }
    case "answer": {
      const open = held.flatMap((m) => m.calls);
      const callId = open[op.pick % Math.max(open.length, 1)];
      if (callId === undefined) return;
      await store.messages.append(id, {
        role: "tool",
        parts: [{ type: "tool-result", toolCallId: callId, output: { n: op.pick } }],
        ...(op.tokens === null ? {} : { tokens: op.tokens }),
      });
      hold("tool", [], [callId]);
      return;
    }
    case "compact": {
      const through = op.through % (held.length + 2);
      const before = await store.sessions.get(id);
      const attempt = store.messages.compact(id, {
        throughSeq: through,
        summary: { role: op.role, content: "summary", tokens: op.tokens },
      });
      if (compactAllowed(held, compactedThrough, through)) {
        const summary = await attempt;
        expect([summary.seq, summary.summaryThrough]).toEqual([held.length + 1, through]);
        held.push({ role: op.role, calls: [], results: [], summaryThrough: through });
      } else {
        await expect(attempt).rejects.toBeInstanceOf(ValidationError);
        expect(await store.sessions.get(id)).toEqual(before);
      }
      return;
    }
    case "replace": {
      const last = held.length;
      const afterSeq = Math.max(0, last - op.back);
      const attempt = store.messages.replaceTail(id, {
        afterSeq,
        expectedLastSeq: op.stale ? last + 1 : last,
        messages: Array.from({ length: op.count }, () => plain("assistant", 2)),
      });
      if (op.stale) {
        await expect(attempt).rejects.toBeInstanceOf(ConcurrentModificationError);
        return;
      }
      await attempt;
      held.splice(afterSeq);
      for (let i = 0; i < op.count; i++) hold("assistant");
      return;
    }
    case "pop":
      await store.messages.pop(id);
      held.pop();
      return;
  }
}
