import {
  ConcurrentModificationError,
  IdempotencyConflictError,
  type Message,
  type NewMessage,
  SessionNotFoundError,
  type Store,
  ValidationError,
} from "@llm-sessions/core";
import { describe, expect } from "vitest";
import { expectSound, type StoreHarness } from "./harness.js";

const say = (role: NewMessage["role"], content: string): NewMessage => ({ role, content });

async function contents(store: Store, id: string): Promise<string[]> {
  return (await store.messages.list(id, { limit: 1000 })).items.map((m: Message) => m.content);
}

/** What a refused call must leave as it was. */
async function state(store: Store, id: string) {
  return {
    session: await store.sessions.get(id),
    messages: (await store.messages.list(id, { limit: 1000 })).items,
  };
}

/** Store suite: history operations applied exactly once, tail compare-and-swap by id, clear. */
export function registerOperationsTests(h: StoreHarness): void {
  describe("history operations", () => {
    h.test(
      "operations.once",
      "applyOperation appends and records the id; a retry is a no-op even after the history moved on; another change under the id is refused and changes nothing",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create();
        const op = {
          id: "turn-1",
          fingerprint: "f-1",
          messages: [say("user", "hi"), say("assistant", "hello")],
        };
        const first = await store.messages.applyOperation(s.id, op);
        expect(first.applied).toBe(true);
        expect(first.messages.map((m) => m.seq)).toEqual([1, 2]);
        await store.messages.append(s.id, say("user", "later"));
        expect(await store.messages.applyOperation(s.id, op)).toEqual({
          applied: false,
          messages: [],
        });
        expect(await contents(store, s.id)).toEqual(["hi", "hello", "later"]);
        const before = await state(store, s.id);
        const other = { ...op, fingerprint: "f-2" };
        const refused = await store.messages.applyOperation(s.id, other).catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(IdempotencyConflictError);
        expect((refused as IdempotencyConflictError).fields).toEqual(["fingerprint"]);
        expect(await state(store, s.id)).toEqual(before);
        expect(await store.messages.operation(s.id, "turn-1")).toEqual({
          id: "turn-1",
          fingerprint: "f-1",
          createdAt: first.messages[0]?.createdAt,
        });
        expect(await store.messages.operation(s.id, "turn-2")).toBeNull();
        // An empty change is recorded too: its id is taken.
        expect(
          (
            await store.messages.applyOperation(s.id, {
              id: "noop",
              fingerprint: "e",
              messages: [],
            })
          ).applied,
        ).toBe(true);
        await expect(
          store.messages.applyOperation(s.id, {
            id: "noop",
            fingerprint: "x",
            messages: [say("user", "no")],
          }),
        ).rejects.toBeInstanceOf(IdempotencyConflictError);
        expect(await contents(store, s.id)).toEqual(["hi", "hello", "later"]);
        await expectSound(store);
      },
    );

    h.test(
      "operations.replace-cas",
      "a replacing operation checks the last seq and the last message's id (a pop and an append give the same seq); a failed check records nothing",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create();
        const [, two] = await store.messages.append(s.id, [
          say("user", "q"),
          say("assistant", "a1"),
        ]);
        await store.messages.pop(s.id);
        await store.messages.append(s.id, say("assistant", "a2"));
        const before = await state(store, s.id);
        const op = {
          id: "regen",
          fingerprint: "r",
          replace: { afterSeq: 1, expectedLastSeq: 2, expectedLastId: two?.id ?? "" },
          messages: [say("assistant", "a3")],
        };
        const stale = await store.messages.applyOperation(s.id, op).catch((e: unknown) => e);
        expect(stale).toBeInstanceOf(ConcurrentModificationError);
        expect((stale as ConcurrentModificationError).actualLastId).toBe(before.messages[1]?.id);
        await expect(
          store.messages.applyOperation(s.id, {
            ...op,
            replace: { afterSeq: 1, expectedLastSeq: 3 },
          }),
        ).rejects.toBeInstanceOf(ConcurrentModificationError);
        expect(await state(store, s.id)).toEqual(before);
        expect(await store.messages.operation(s.id, "regen")).toBeNull();
        const fresh = {
          ...op,
          replace: { ...op.replace, expectedLastId: before.messages[1]?.id ?? "" },
        };
        const done = await store.messages.applyOperation(s.id, fresh);
        expect(done.messages.map((m) => [m.seq, m.content])).toEqual([[2, "a3"]]);
        // Its retry no longer matches the tail, and is a no-op all the same.
        expect((await store.messages.applyOperation(s.id, fresh)).applied).toBe(false);
        expect(await contents(store, s.id)).toEqual(["q", "a3"]);
        // replaceTail's own check by id; null names an empty session.
        await expect(
          store.messages.replaceTail(s.id, {
            afterSeq: 0,
            expectedLastSeq: 2,
            expectedLastId: "other",
            messages: [],
          }),
        ).rejects.toBeInstanceOf(ConcurrentModificationError);
        const empty = await store.sessions.create();
        await expect(
          store.messages.replaceTail(empty.id, {
            afterSeq: 0,
            expectedLastSeq: 0,
            expectedLastId: null,
            messages: [say("user", "x")],
          }),
        ).resolves.toHaveLength(1);
        await expectSound(store);
      },
    );

    h.test(
      "operations.clear",
      "clear removes every message and forgets the recorded operations in one step; counters, totals, search and the compaction point follow",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create({ title: "kept", metadata: { k: 1 } });
        await store.messages.applyOperation(s.id, {
          id: "a",
          fingerprint: "1",
          messages: [
            say("user", "walrus"),
            { role: "assistant", content: "ok", usage: { outputTokens: 3 } },
          ],
        });
        await store.messages.compact(s.id, { throughSeq: 2, summary: say("assistant", "summary") });
        expect(await store.messages.clear(s.id)).toBe(3);
        const session = await store.sessions.get(s.id);
        expect([
          session.title,
          session.metadata,
          session.messageCount,
          session.lastSeq,
          session.compactedThrough,
        ]).toEqual(["kept", { k: 1 }, 0, 0, 0]);
        expect(session.usage.outputTokens).toBe(0);
        expect((await store.search("walrus")).items).toEqual([]);
        expect(await store.messages.operation(s.id, "a")).toBeNull();
        // The id is free again: the same operation applies anew.
        expect(
          (
            await store.messages.applyOperation(s.id, {
              id: "a",
              fingerprint: "1",
              messages: [say("user", "again")],
            })
          ).applied,
        ).toBe(true);
        expect(await contents(store, s.id)).toEqual(["again"]);
        await expectSound(store);
      },
    );

    h.test(
      "operations.concurrent-replays",
      "one operation retried 20 times concurrently is applied exactly once",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create();
        const op = {
          id: "retry-me",
          fingerprint: "same",
          messages: [say("user", "q"), say("assistant", "a")],
        };
        const results = await Promise.all(
          Array.from({ length: 20 }, () => store.messages.applyOperation(s.id, op)),
        );
        expect(results.filter((r) => r.applied)).toHaveLength(1);
        expect(await contents(store, s.id)).toEqual(["q", "a"]);
        await expectSound(store);
      },
    );

    h.test(
      "operations.scoped",
      "operation records belong to their session: another tenant cannot read them or learn the session exists, the same id in another session is independent, and they go with the session",
      async () => {
        const store = await h.open({ autoRestore: true });
        const acme = store.tenant("acme");
        const s = await acme.sessions.create({ id: "shared" });
        const op = { id: "op", fingerprint: "1", messages: [say("user", "x")] };
        await acme.messages.applyOperation(s.id, op);
        // Archived, the record stays: the retry restores the session and is a no-op.
        await store.lifecycle.archive(s.id);
        expect((await acme.messages.applyOperation(s.id, op)).applied).toBe(false);
        expect((await acme.sessions.get(s.id)).status).not.toBe("archived");
        expect((await acme.messages.list(s.id)).items.map((m) => m.content)).toEqual(["x"]);
        const other = store.tenant("globex");
        await expect(other.messages.operation("shared", "op")).rejects.toBeInstanceOf(
          SessionNotFoundError,
        );
        await expect(
          other.messages.applyOperation("shared", { id: "op", fingerprint: "1", messages: [] }),
        ).rejects.toBeInstanceOf(SessionNotFoundError);
        await expect(other.messages.clear("shared")).rejects.toBeInstanceOf(SessionNotFoundError);
        await other.sessions.create({ id: "shared" });
        expect(await other.messages.operation("shared", "op")).toBeNull();
        expect(
          (
            await other.messages.applyOperation("shared", {
              id: "op",
              fingerprint: "2",
              messages: [],
            })
          ).applied,
        ).toBe(true);
        expect((await acme.messages.operation("shared", "op"))?.fingerprint).toBe("1");
        // Deleted, the record goes with the session.
        await acme.sessions.delete(s.id);
        await acme.sessions.create({ id: "shared" });
        expect(await acme.messages.operation("shared", "op")).toBeNull();
        await expectSound(store);
      },
    );

    h.test(
      "operations.input",
      "bad operation ids, fingerprints and expectations are refused with ValidationError and change nothing",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create();
        await store.messages.append(s.id, say("user", "x"));
        const before = await state(store, s.id);
        const bad: unknown[] = [
          { id: "", fingerprint: "f", messages: [] },
          { id: "a\uD800", fingerprint: "f", messages: [] },
          { id: "a", fingerprint: "x".repeat(513), messages: [] },
          { id: "a", fingerprint: "f\u0000", messages: [] },
          { id: "a", fingerprint: "f", messages: [{ role: "nobody", content: "x" }] },
          { id: "a", fingerprint: "f", replace: { afterSeq: 2, expectedLastSeq: 1 }, messages: [] },
          { id: "a", fingerprint: "f", messages: [], extra: 1 },
        ];
        for (const op of bad) {
          await expect(store.messages.applyOperation(s.id, op as never)).rejects.toBeInstanceOf(
            ValidationError,
          );
        }
        await expect(store.messages.operation(s.id, "")).rejects.toBeInstanceOf(ValidationError);
        expect(await state(store, s.id)).toEqual(before);
        expect(await store.messages.operation(s.id, "a")).toBeNull();
      },
    );
  });
}
