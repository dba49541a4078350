import {
  ConcurrentModificationError,
  IdempotencyConflictError,
  type Message,
  type NewMessage,
  SessionArchivedError,
  SessionNotFoundError,
  type Store,
  ValidationError,
} from "@llm-sessions/core";
import { describe, expect } from "vitest";
import { expectSound, type StoreHarness } from "./harness.js";

const say = (role: NewMessage["role"], content: string, tokens?: number): NewMessage =>
  tokens === undefined ? { role, content } : { role, content, tokens };

const call = (id: string, tokens = 5): NewMessage => ({
  role: "assistant",
  parts: [{ type: "tool-call", toolCallId: id, toolName: "lookup", input: { q: id } }],
  tokens,
});

const result = (id: string, tokens = 5): NewMessage => ({
  role: "tool",
  parts: [{ type: "tool-result", toolCallId: id, output: `answer ${id}` }],
  tokens,
});

const seqs = (messages: readonly Message[]): number[] => messages.map((m) => m.seq);

async function all(store: Store, id: string): Promise<Message[]> {
  return (await store.messages.list(id, { limit: 1000 })).items;
}

/** What a refused call must leave as it was. */
async function state(store: Store, id: string) {
  return { session: await store.sessions.get(id), messages: await all(store, id) };
}

/** Store suite: context windows, compaction and tail replacement (issue 16, items 4 and 5). */
export function registerWindowsTests(h: StoreHarness): void {
  describe("context windows, compaction, tail replacement", () => {
    h.test(
      "windows.budget-pinned-oldest-first",
      "window gives the newest messages within maxTokens and maxMessages, oldest first, with every system and developer message kept and counted",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create();
        await store.messages.append(s.id, [
          say("system", "be brief", 3),
          say("user", "one", 10),
          say("assistant", "two", 10),
          say("developer", "use metric units", 2),
          say("user", "three", 10),
          say("assistant", "four", 10),
        ]);
        // Pinned: 3 + 2; then 10 each from the newest down.
        expect(seqs(await store.messages.window(s.id, { maxTokens: 15 }))).toEqual([1, 4, 6]);
        expect(seqs(await store.messages.window(s.id, { maxTokens: 14 }))).toEqual([1, 4]);
        expect(seqs(await store.messages.window(s.id, { maxTokens: 25 }))).toEqual([1, 4, 5, 6]);
        expect(seqs(await store.messages.window(s.id, { maxTokens: 35 }))).toEqual([1, 3, 4, 5, 6]);
        expect(seqs(await store.messages.window(s.id, { maxTokens: 1000 }))).toEqual([
          1, 2, 3, 4, 5, 6,
        ]);
        expect(seqs(await store.messages.window(s.id))).toEqual([1, 2, 3, 4, 5, 6]);
        expect(seqs(await store.messages.window(s.id, { maxMessages: 3 }))).toEqual([1, 4, 6]);
        expect(seqs(await store.messages.window(s.id, { maxMessages: 4, maxTokens: 15 }))).toEqual([
          1, 4, 6,
        ]);
        // The window's messages are the stored ones.
        const [first] = await store.messages.window(s.id, { maxMessages: 2 });
        expect(first).toEqual((await all(store, s.id))[0]);
        // The pinned messages alone over the budget: refused, not silently dropped.
        await expect(store.messages.window(s.id, { maxTokens: 4 })).rejects.toMatchObject({
          code: "VALIDATION",
          issues: [{ path: "maxTokens" }],
        });
        await expect(store.messages.window(s.id, { maxMessages: 1 })).rejects.toBeInstanceOf(
          ValidationError,
        );
        // last(n) keeps its meaning: the newest n, nothing pinned.
        expect(seqs(await store.messages.last(s.id, 2))).toEqual([5, 6]);
      },
    );

    h.test(
      "windows.cost-rules",
      "a message costs its tokens, else usage.outputTokens, else the caller's estimate, else ceil(characters / 4)",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create();
        await store.messages.append(s.id, [
          { role: "user", content: "x".repeat(40), tokens: 7, usage: { outputTokens: 100 } },
          {
            role: "assistant",
            content: "y".repeat(40),
            usage: { inputTokens: 999, outputTokens: 6 },
          },
          { role: "user", content: "z".repeat(41) },
        ]);
        // Default: ceil(41 / 4) = 11, then 6, then 7 (tokens wins over usage).
        expect(seqs(await store.messages.window(s.id, { maxTokens: 11 }))).toEqual([3]);
        expect(seqs(await store.messages.window(s.id, { maxTokens: 17 }))).toEqual([2, 3]);
        expect(seqs(await store.messages.window(s.id, { maxTokens: 23 }))).toEqual([2, 3]);
        expect(seqs(await store.messages.window(s.id, { maxTokens: 24 }))).toEqual([1, 2, 3]);
        // The estimator is asked only for the message with no stored count.
        const asked: number[] = [];
        const estimate = (m: Message) => {
          asked.push(m.seq);
          return 1;
        };
        expect(seqs(await store.messages.window(s.id, { maxTokens: 14, estimate }))).toEqual([
          1, 2, 3,
        ]);
        expect(asked).toEqual([3]);
        for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
          await expect(
            store.messages.window(s.id, { maxTokens: 100, estimate: () => bad }),
          ).rejects.toMatchObject({ code: "VALIDATION", issues: [{ path: "estimate" }] });
        }
      },
    );

    h.test("windows.bad-options", "bad window options are ValidationError", async () => {
      const store = await h.open();
      const s = await store.sessions.create();
      for (const bad of [
        { maxTokens: 0 },
        { maxTokens: 1.5 },
        { maxMessages: 0 },
        { maxMessages: "3" },
        { estimate: 3 },
        { other: true },
      ]) {
        await expect(
          store.messages.window(s.id, bad as Parameters<Store["messages"]["window"]>[1]),
        ).rejects.toBeInstanceOf(ValidationError);
      }
      await expect(store.messages.window("no such")).rejects.toBeInstanceOf(ValidationError);
      await expect(store.messages.window("missing")).rejects.toBeInstanceOf(SessionNotFoundError);
    });

    h.test(
      "windows.tool-groups-whole",
      "a tool call and its results are in the window together or not at all",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create();
        await store.messages.append(s.id, [
          say("user", "weather and time?", 5),
          // One call answered by two result messages, with a plain message between.
          call("c1"),
          result("c1"),
          say("assistant", "checking more", 5),
          result("c1"),
          say("assistant", "done", 5),
        ]);
        // 10 would start at the result (seq 5) without its call: it starts after it.
        expect(seqs(await store.messages.window(s.id, { maxTokens: 10 }))).toEqual([6]);
        expect(seqs(await store.messages.window(s.id, { maxTokens: 24 }))).toEqual([6]);
        expect(seqs(await store.messages.window(s.id, { maxTokens: 25 }))).toEqual([2, 3, 4, 5, 6]);
        expect(seqs(await store.messages.window(s.id, { maxMessages: 4 }))).toEqual([6]);
        // Two calls in one message, answered in one message each: one group.
        await store.messages.append(s.id, [
          {
            role: "assistant",
            parts: [
              { type: "tool-call", toolCallId: "a", toolName: "t", input: 1 },
              { type: "tool-call", toolCallId: "b", toolName: "t", input: 2 },
            ],
            tokens: 1,
          },
          result("a", 1),
          result("b", 1),
        ]);
        expect(seqs(await store.messages.window(s.id, { maxMessages: 2 }))).toEqual([]);
        expect(seqs(await store.messages.window(s.id, { maxMessages: 3 }))).toEqual([7, 8, 9]);
        // A call still waiting for its result is no split.
        await store.messages.append(s.id, [say("user", "go", 1), call("pending", 1)]);
        expect(seqs(await store.messages.window(s.id, { maxMessages: 1 }))).toEqual([11]);
      },
    );

    h.test(
      "windows.late-result-of-compacted-call",
      "a result appended after its call was compacted is left out of the window, with everything before it (its call is not there)",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create();
        await store.messages.append(s.id, [
          say("system", "sys", 1),
          say("user", "go", 1),
          call("c1", 1),
        ]);
        await store.messages.compact(s.id, {
          throughSeq: 3,
          summary: { role: "assistant", content: "asked, tool called", tokens: 1 },
        }); // 4
        await store.messages.append(s.id, [say("user", "still there?", 1), result("c1", 1)]);
        await store.messages.append(s.id, say("assistant", "yes", 1));
        // 5 and 6 would bring the result without its call: the window starts after it.
        expect(seqs(await store.messages.window(s.id))).toEqual([1, 4, 7]);
        // Compacting through the result closes the group again.
        await store.messages.compact(s.id, {
          throughSeq: 6,
          summary: { role: "assistant", content: "answered", tokens: 1 },
        }); // 8
        expect(seqs(await store.messages.window(s.id))).toEqual([1, 7, 8]);
        await expectSound(store);
      },
    );

    h.test(
      "windows.compaction",
      "compact appends a summary standing for 1..throughSeq; window starts there with pinned messages; list, last and search still see every message, marked",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create();
        await store.messages.append(s.id, [
          say("system", "you are helpful", 2),
          say("user", "tell me about otters", 10),
          say("assistant", "otters are mustelids", 10),
          call("c1", 4),
          result("c1", 4),
          say("user", "and beavers?", 10),
        ]);
        const summary = await store.messages.compact(s.id, {
          throughSeq: 5,
          summary: { role: "assistant", content: "we talked about otters", tokens: 3 },
        });
        expect(summary).toMatchObject({
          seq: 7,
          role: "assistant",
          content: "we talked about otters",
          summaryThrough: 5,
          compacted: false,
        });
        expect((await store.sessions.get(s.id)).compactedThrough).toBe(5);
        expect((await store.sessions.get(s.id)).messageCount).toBe(7);
        // The summary and what follows throughSeq, with the system message pinned.
        expect(seqs(await store.messages.window(s.id))).toEqual([1, 6, 7]);
        // The summary is pinned: a tight budget drops the message after throughSeq first.
        expect(seqs(await store.messages.window(s.id, { maxTokens: 5 }))).toEqual([1, 7]);
        await store.messages.append(s.id, say("assistant", "beavers build dams", 10));
        expect(seqs(await store.messages.window(s.id))).toEqual([1, 6, 7, 8]);
        const listed = await all(store, s.id);
        expect(listed.map((m) => [m.seq, m.compacted])).toEqual([
          [1, true],
          [2, true],
          [3, true],
          [4, true],
          [5, true],
          [6, false],
          [7, false],
          [8, false],
        ]);
        expect((await store.messages.last(s.id, 8)).map((m) => m.compacted)).toEqual(
          listed.map((m) => m.compacted),
        );
        const hits = (await store.search("otters")).items.map((hit) => hit.message);
        expect(hits.map((m) => [m.seq, m.compacted]).sort()).toEqual([
          [2, true],
          [3, true],
          [7, false],
        ]);
        // A later compaction moves the point on; the newer summary is the one pinned.
        const second = await store.messages.compact(s.id, {
          throughSeq: 8,
          summary: { role: "system", content: "otters, then beavers", tokens: 3 },
        });
        expect(second.seq).toBe(9);
        expect(seqs(await store.messages.window(s.id))).toEqual([1, 9]);
        await expectSound(store);
        // Pop takes the newer summary, and its compaction, back.
        await store.messages.pop(s.id);
        expect((await store.sessions.get(s.id)).compactedThrough).toBe(5);
        expect(seqs(await store.messages.window(s.id))).toEqual([1, 6, 7, 8]);
        await expectSound(store);
      },
    );

    h.test(
      "windows.compact-refusals",
      "compact refuses a throughSeq past the end, below the last compaction or inside a tool group, a tool summary and tool parts, with ValidationError and nothing changed",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create();
        await store.messages.append(s.id, [
          say("user", "a", 1),
          call("c1", 1),
          say("assistant", "between", 1),
          result("c1", 1),
          say("user", "b", 1),
        ]);
        await store.messages.compact(s.id, {
          throughSeq: 1,
          summary: { role: "assistant", content: "s1" },
        });
        const before = await state(store, s.id);
        const refusals: [Parameters<Store["messages"]["compact"]>[1], string][] = [
          [{ throughSeq: 7, summary: { role: "assistant", content: "x" } }, "throughSeq"],
          [{ throughSeq: 0, summary: { role: "assistant", content: "x" } }, "throughSeq"],
          [{ throughSeq: 2, summary: { role: "assistant", content: "x" } }, "throughSeq"],
          [{ throughSeq: 3, summary: { role: "assistant", content: "x" } }, "throughSeq"],
          [{ throughSeq: 5, summary: { role: "tool", content: "x" } }, "summary.role"],
          [
            {
              throughSeq: 5,
              summary: {
                role: "assistant",
                parts: [{ type: "tool-call", toolCallId: "z", toolName: "t", input: null }],
              },
            },
            "summary.parts",
          ],
          [
            {
              throughSeq: 5,
              summary: { role: "assistant", content: "x", idempotencyKey: "k" } as NewMessage,
            },
            "summary.idempotencyKey",
          ],
          [{ throughSeq: 5, summary: { role: "assistant" } }, "summary.content"],
        ];
        for (const [options, path] of refusals) {
          const error = await store.messages.compact(s.id, options).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(ValidationError);
          expect((error as ValidationError).issues.map((i) => i.path)).toContain(path);
        }
        expect(await state(store, s.id)).toEqual(before);
        // Through the group's end, or below its start, is fine; and equal to the last compaction.
        await store.messages.compact(s.id, {
          throughSeq: 1,
          summary: { role: "assistant", content: "again" },
        });
        await store.messages.compact(s.id, {
          throughSeq: 4,
          summary: { role: "assistant", content: "s3" },
        });
        // Now below it: refused.
        await expect(
          store.messages.compact(s.id, {
            throughSeq: 3,
            summary: { role: "assistant", content: "x" },
          }),
        ).rejects.toBeInstanceOf(ValidationError);
        await expectSound(store);
      },
    );

    h.test(
      "windows.compact-idempotent",
      "compact with an idempotency key: the same request returns the stored summary, another is IdempotencyConflictError",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create();
        await store.messages.append(s.id, [
          say("user", "a"),
          say("assistant", "b"),
          { role: "user", content: "c", idempotencyKey: "plain" },
        ]);
        const request = {
          throughSeq: 2,
          summary: { role: "assistant" as const, content: "sum", metadata: { v: 1 } },
          idempotencyKey: "compact-1",
        };
        const first = await store.messages.compact(s.id, request);
        await store.messages.append(s.id, say("user", "d"));
        const again = await store.messages.compact(s.id, structuredClone(request));
        expect(again).toEqual(first);
        expect((await store.sessions.get(s.id)).messageCount).toBe(5);
        const before = await state(store, s.id);
        for (const [changed, field] of [
          [{ ...request, throughSeq: 3 }, "throughSeq"],
          [{ ...request, summary: { ...request.summary, content: "other" } }, "content"],
          [{ ...request, idempotencyKey: "plain", throughSeq: 2 }, "content"],
        ] as const) {
          const error = await store.messages.compact(s.id, changed).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(IdempotencyConflictError);
          expect((error as IdempotencyConflictError).fields).toContain(field);
        }
        // An append reusing the summary's key is a conflict too.
        await expect(
          store.messages.append(s.id, { role: "user", content: "x", idempotencyKey: "compact-1" }),
        ).rejects.toBeInstanceOf(IdempotencyConflictError);
        expect(await state(store, s.id)).toEqual(before);
      },
    );

    h.test(
      "windows.replace-tail",
      "replaceTail removes the messages after afterSeq and appends new ones in one transaction; counters, usage, tool calls, blobs and search follow",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create();
        const big = "large output ".repeat(20_000);
        await store.messages.append(s.id, [
          say("user", "question", 4),
          call("c1", 2),
          { role: "tool", parts: [{ type: "tool-result", toolCallId: "c1", output: big }] },
          {
            role: "assistant",
            content: "first answer zebra",
            usage: { inputTokens: 50, outputTokens: 9, cost: { micros: 30, currency: "USD" } },
          },
        ]);
        const replaced = await store.messages.replaceTail(s.id, {
          afterSeq: 1,
          expectedLastSeq: 4,
          messages: [
            call("c1", 3),
            result("c1", 1),
            {
              role: "assistant",
              content: "second answer yak",
              usage: { outputTokens: 4, cost: { micros: 10, currency: "USD" } },
            },
          ],
        });
        expect(seqs(replaced)).toEqual([2, 3, 4]);
        const session = await store.sessions.get(s.id);
        expect([session.lastSeq, session.messageCount, session.tokenCount]).toEqual([4, 4, 8]);
        expect(session.usage).toMatchObject({ inputTokens: 0, outputTokens: 4, costMicros: 10 });
        expect((await store.search("zebra")).items).toEqual([]);
        expect((await store.search("yak")).items.map((hit) => hit.message)).toEqual([replaced[2]]);
        expect(await all(store, s.id)).toEqual([(await all(store, s.id))[0], ...replaced]);
        await expectSound(store);
        // Empty: a plain cut (undo of several messages at once).
        expect(
          await store.messages.replaceTail(s.id, { afterSeq: 1, expectedLastSeq: 4, messages: [] }),
        ).toEqual([]);
        expect((await store.sessions.get(s.id)).lastSeq).toBe(1);
        // The call is gone with its message: a result for it is refused now.
        await expect(store.messages.append(s.id, result("c1"))).rejects.toBeInstanceOf(
          ValidationError,
        );
        await expectSound(store);
      },
    );

    h.test(
      "windows.replace-tail-refusals",
      "replaceTail with a stale expectedLastSeq is ConcurrentModificationError, bad input ValidationError, and nothing changes",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create();
        await store.messages.append(s.id, [say("user", "a"), call("c1"), result("c1")]);
        const before = await state(store, s.id);
        const stale = await store.messages
          .replaceTail(s.id, { afterSeq: 1, expectedLastSeq: 2, messages: [say("user", "x")] })
          .catch((e: unknown) => e);
        expect(stale).toBeInstanceOf(ConcurrentModificationError);
        expect(stale).toMatchObject({
          code: "CONCURRENT_MODIFICATION",
          expectedLastSeq: 2,
          actualLastSeq: 3,
        });
        for (const bad of [
          { afterSeq: 4, expectedLastSeq: 3, messages: [] },
          { afterSeq: -1, expectedLastSeq: 3, messages: [] },
          { afterSeq: 1, expectedLastSeq: 3 },
          { afterSeq: 1, expectedLastSeq: 3, messages: [{ role: "nobody", content: "x" }] },
          // The result's call is removed by this very replacement.
          { afterSeq: 1, expectedLastSeq: 3, messages: [say("user", "x"), result("c1")] },
          // A call id twice in the new tail.
          { afterSeq: 1, expectedLastSeq: 3, messages: [call("d"), call("d")] },
          // A second currency.
          {
            afterSeq: 3,
            expectedLastSeq: 3,
            messages: [
              { role: "assistant", content: "x", usage: { cost: { micros: 1, currency: "USD" } } },
              { role: "assistant", content: "y", usage: { cost: { micros: 1, currency: "EUR" } } },
            ],
          },
        ]) {
          await expect(
            store.messages.replaceTail(
              s.id,
              bad as unknown as Parameters<Store["messages"]["replaceTail"]>[1],
            ),
          ).rejects.toBeInstanceOf(ValidationError);
        }
        expect(await state(store, s.id)).toEqual(before);
        await expect(
          store.messages.replaceTail("missing", { afterSeq: 0, expectedLastSeq: 0, messages: [] }),
        ).rejects.toBeInstanceOf(SessionNotFoundError);
      },
    );

    h.test(
      "windows.replace-tail-below-summary",
      "replaceTail below a summary removes it and undoes its compaction; the earlier summary applies again",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create();
        await store.messages.append(s.id, [say("user", "a"), say("user", "b"), say("user", "c")]);
        await store.messages.compact(s.id, {
          throughSeq: 1,
          summary: { role: "assistant", content: "s1" },
        }); // seq 4
        await store.messages.append(s.id, say("user", "d")); // 5
        await store.messages.compact(s.id, {
          throughSeq: 5,
          summary: { role: "assistant", content: "s2" },
        }); // 6
        expect((await store.sessions.get(s.id)).compactedThrough).toBe(5);
        await store.messages.replaceTail(s.id, {
          afterSeq: 4,
          expectedLastSeq: 6,
          messages: [say("user", "e")],
        });
        expect((await store.sessions.get(s.id)).compactedThrough).toBe(1);
        expect(seqs(await store.messages.window(s.id))).toEqual([2, 3, 4, 5]);
        await store.messages.replaceTail(s.id, { afterSeq: 3, expectedLastSeq: 5, messages: [] });
        expect((await store.sessions.get(s.id)).compactedThrough).toBe(0);
        expect((await all(store, s.id)).every((m) => !m.compacted)).toBe(true);
        await expectSound(store);
      },
    );

    h.test(
      "windows.archive-fork-restore",
      "an archived session's window and compaction marks come from its snapshot; archive, restore and fork keep the compaction",
      async () => {
        const store = await h.open({ lifecycle: { sweepIntervalMs: 0 } });
        const s = await store.sessions.create();
        await store.messages.append(s.id, [
          say("system", "sys", 1),
          say("user", "a", 1),
          say("assistant", "b", 1),
          say("user", "c", 1),
        ]);
        await store.messages.compact(s.id, {
          throughSeq: 3,
          summary: { role: "assistant", content: "sum", tokens: 1 },
        });
        const window = await store.messages.window(s.id, { maxTokens: 3 });
        const listed = await all(store, s.id);
        const fork = await store.sessions.fork(s.id);
        expect(fork.compactedThrough).toBe(3);
        expect(await store.messages.window(fork.id, { maxTokens: 3 })).toEqual(
          window.map((m) => ({ ...m, id: expect.any(String), sessionId: fork.id })),
        );
        const early = await store.sessions.fork(s.id, { atSeq: 4 });
        expect(early.compactedThrough).toBe(0);
        await store.lifecycle.archive(s.id);
        expect((await store.sessions.get(s.id)).compactedThrough).toBe(3);
        expect(await store.messages.window(s.id, { maxTokens: 3 })).toEqual(window);
        expect(await all(store, s.id)).toEqual(listed);
        await expectSound(store);
        await expect(
          store.messages.compact(s.id, { throughSeq: 4, summary: { role: "user", content: "x" } }),
        ).rejects.toBeInstanceOf(SessionArchivedError);
        await expect(
          store.messages.replaceTail(s.id, { afterSeq: 4, expectedLastSeq: 5, messages: [] }),
        ).rejects.toBeInstanceOf(SessionArchivedError);
        await store.lifecycle.restore(s.id);
        expect((await store.sessions.get(s.id)).compactedThrough).toBe(3);
        expect(await store.messages.window(s.id, { maxTokens: 3 })).toEqual(window);
        expect(await all(store, s.id)).toEqual(listed);
        await expectSound(store);
      },
    );

    h.test(
      "windows.tenants",
      "a tenant cannot window, compact or replace another tenant's session: the same error as a missing id, and nothing changes",
      async () => {
        const store = await h.open();
        const b = store.tenant("b");
        const a = store.tenant("a");
        const bs = await b.sessions.create();
        await b.messages.append(bs.id, [say("user", "b secret"), say("assistant", "b reply")]);
        const before = await state(b as unknown as Store, bs.id);
        const attempts: (() => Promise<unknown>)[] = [
          () => a.messages.window(bs.id),
          () =>
            a.messages.compact(bs.id, {
              throughSeq: 1,
              summary: { role: "assistant", content: "x" },
            }),
          () => a.messages.replaceTail(bs.id, { afterSeq: 0, expectedLastSeq: 2, messages: [] }),
        ];
        const missing = [
          () => a.messages.window("nobody"),
          () =>
            a.messages.compact("nobody", {
              throughSeq: 1,
              summary: { role: "assistant", content: "x" },
            }),
          () => a.messages.replaceTail("nobody", { afterSeq: 0, expectedLastSeq: 2, messages: [] }),
        ];
        for (const [i, attempt] of attempts.entries()) {
          const error = await attempt().catch((e: unknown) => e);
          const absent = await (missing[i] as () => Promise<unknown>)().catch((e: unknown) => e);
          expect(error).toBeInstanceOf(SessionNotFoundError);
          expect((error as Error).message.replace(bs.id, "ID")).toBe(
            (absent as Error).message.replace("nobody", "ID"),
          );
          expect(Object.keys(error as object)).toEqual(Object.keys(absent as object));
        }
        expect(await state(b as unknown as Store, bs.id)).toEqual(before);
        // Its own tenant and the root store reach it.
        expect(seqs(await b.messages.window(bs.id))).toEqual([1, 2]);
        expect(seqs(await store.messages.window(bs.id))).toEqual([1, 2]);
      },
    );
  });
}
