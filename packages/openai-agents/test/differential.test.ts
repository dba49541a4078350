import { type AgentInputItem, MemorySession, type Session } from "@openai/agents-core";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SessionStoreSession } from "../src/index.js";
import { ADAPTERS, tempStore } from "./adapters.js";

/**
 * Random call sequences against `MemorySession` (the SDK's reference) and a
 * `SessionStoreSession`: every call must give the same result, or both must
 * fail with the same error message, and the histories must stay equal. The
 * one documented difference: `getItems(limit)` drops result items whose call
 * the limit cut off; the reference's answer gets the same filter.
 */

const CALL_IDS = ["c1", "c2", "c3"];
const OP_IDS = ["op1", "op2", "op3", "op4"];

const text = fc.constantFrom("hi", "weather", "Paris", "", "ok then", "x y z");
const providerData = fc.option(
  fc.record({
    n: fc.integer(),
    bytes: fc.uint8Array({ maxLength: 3 }),
    gone: fc.constant(undefined),
  }),
  { nil: undefined },
);
const callId = fc.constantFrom(...CALL_IDS);

const item: fc.Arbitrary<AgentInputItem> = fc.oneof(
  fc.record({ role: fc.constant("user" as const), content: text }),
  fc.record({ role: fc.constant("system" as const), content: text }),
  fc.record({
    type: fc.constant("message" as const),
    role: fc.constant("assistant" as const),
    status: fc.constant("completed" as const),
    content: fc.array(
      text.map((t) => ({ type: "output_text" as const, text: t })),
      { maxLength: 2 },
    ),
  }),
  fc.record({ callId, args: text, pd: providerData }).map(({ callId, args, pd }) => ({
    type: "function_call" as const,
    callId,
    name: "lookup",
    arguments: JSON.stringify({ q: args }),
    ...(pd ? { providerData: pd } : {}),
  })),
  fc.record({ callId, out: text }).map(({ callId, out }) => ({
    type: "function_call_result" as const,
    callId,
    name: "lookup",
    status: "completed" as const,
    output: out,
  })),
  text.map((t) => ({
    type: "reasoning" as const,
    content: [{ type: "input_text" as const, text: t }],
  })),
);
const items = fc.array(item, { maxLength: 3 });

type Command =
  | { kind: "get"; limit: number | undefined }
  | { kind: "add"; items: AgentInputItem[] }
  | { kind: "pop" }
  | { kind: "clear" }
  | { kind: "mutate"; callIds: string[]; args: string }
  | { kind: "append"; op: string; items: AgentInputItem[] }
  | {
      kind: "replace";
      op: string;
      suffix: number | AgentInputItem[];
      replacement: AgentInputItem[];
    }
  | { kind: "replay" };

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    kind: fc.constant("get" as const),
    limit: fc.option(fc.integer({ min: -1, max: 6 }), { nil: undefined }),
  }),
  fc.record({ kind: fc.constant("add" as const), items }),
  fc.constant({ kind: "pop" as const }),
  fc.constant({ kind: "clear" as const }),
  fc.record({
    kind: fc.constant("mutate" as const),
    callIds: fc.array(callId, { maxLength: 2 }),
    args: text,
  }),
  fc.record({ kind: fc.constant("append" as const), op: fc.constantFrom(...OP_IDS), items }),
  fc.record({
    kind: fc.constant("replace" as const),
    op: fc.constantFrom(...OP_IDS),
    // A count: the history's actual suffix of that length (matches); items: most likely not.
    suffix: fc.oneof(fc.integer({ min: 0, max: 4 }), fc.array(item, { maxLength: 2 })),
    replacement: items,
  }),
  fc.constant({ kind: "replay" as const }),
);

/** What a call gave: a value or an error's class name and message. */
async function outcome(call: () => Promise<unknown>): Promise<{ ok: unknown } | { error: string }> {
  try {
    return { ok: await call() };
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

function withoutOrphanResults(list: AgentInputItem[]): AgentInputItem[] {
  const calls = new Set(list.flatMap((i) => (i.type === "function_call" ? [i.callId] : [])));
  return list.filter((i) => i.type !== "function_call_result" || calls.has(i.callId));
}

async function runSequence(
  commands: Command[],
  ours: Session & SessionStoreSession,
): Promise<void> {
  const reference = new MemorySession();
  let last: Parameters<MemorySession["applyHistoryTransaction"]>[0] | undefined;
  for (const c of commands) {
    let call: (s: Session & Partial<MemorySession>) => Promise<unknown>;
    switch (c.kind) {
      case "get":
        call = (s) => s.getItems(c.limit);
        break;
      case "add":
        call = (s) => s.addItems(c.items);
        break;
      case "pop":
        call = (s) => s.popItem();
        break;
      case "clear":
        call = (s) => s.clearSession();
        break;
      case "mutate": {
        const mutations = c.callIds.map((id) => ({
          type: "replace_function_call" as const,
          callId: id,
          replacement: {
            type: "function_call" as const,
            callId: id,
            name: "lookup",
            arguments: c.args,
          },
        }));
        call = (s) =>
          (s.applyHistoryMutations as MemorySession["applyHistoryMutations"])({ mutations });
        break;
      }
      case "append":
      case "replace": {
        let args: Parameters<MemorySession["applyHistoryTransaction"]>[0];
        if (c.kind === "append") {
          args = { operationId: c.op, transaction: { type: "append_items", items: c.items } };
        } else {
          const current = await reference.getItems();
          const expectedSuffix =
            typeof c.suffix === "number"
              ? current.slice(current.length - Math.min(c.suffix, current.length))
              : c.suffix;
          args = {
            operationId: c.op,
            transaction: { type: "replace_suffix", expectedSuffix, replacement: c.replacement },
          };
        }
        last = args;
        call = (s) => (s.applyHistoryTransaction as MemorySession["applyHistoryTransaction"])(args);
        break;
      }
      case "replay": {
        const args = last;
        if (!args) continue;
        call = (s) => (s.applyHistoryTransaction as MemorySession["applyHistoryTransaction"])(args);
        break;
      }
    }
    const expected = await outcome(() => call(reference));
    const actual = await outcome(() => call(ours));
    if (c.kind === "get" && c.limit !== undefined && "ok" in expected) {
      expected.ok = withoutOrphanResults(expected.ok as AgentInputItem[]);
    }
    expect(actual, JSON.stringify(c)).toStrictEqual(expected);
    expect(await ours.getItems()).toStrictEqual(await reference.getItems());
  }
}

for (const adapter of ADAPTERS) {
  // better-sqlite3 runs the full 1,000 sequences; the others 200 (the same code, slower drivers).
  const numRuns = adapter.name === "better-sqlite3" ? 1000 : 200;
  describe(`differential against MemorySession (${adapter.name})`, () => {
    let env: Awaited<ReturnType<typeof tempStore>>;
    beforeAll(async () => {
      env = await tempStore(adapter.driver);
    });
    afterAll(async () => {
      await env.dispose();
    });

    it(`${numRuns} random call sequences give the same results and errors`, async () => {
      let n = 0;
      let sequences = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 14 }), async (commands) => {
          sequences++;
          const ours = new SessionStoreSession(env.store, { sessionId: `diff-${n++}` });
          await runSequence(commands, ours);
        }),
        { numRuns },
      );
      expect(sequences).toBeGreaterThanOrEqual(numRuns);
    }, 600_000);
  });
}
