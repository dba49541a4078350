import {
  ConflictError,
  IdempotencyConflictError,
  SessionNotFoundError,
  type Store,
  ValidationError,
} from "@llm-sessions/core";
import { describe, expect } from "vitest";
import { expectSound, type StoreHarness } from "./harness.js";

/** The session and message rules of the public API, on a real driver. */
export function registerApiTests(h: StoreHarness): void {
  const user = (content: string, extra: object = {}) => ({
    role: "user" as const,
    content,
    ...extra,
  });

  describe("sessions", () => {
    h.test(
      "api.create-returns-stored-session",
      "create returns the stored session with counters at zero",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create({ title: "t", model: "m1", metadata: { a: 1 } });
        expect(s).toMatchObject({
          title: "t",
          model: "m1",
          metadata: { a: 1 },
          status: "active",
          messageCount: 0,
          tokenCount: 0,
          lastSeq: 0,
          tenantId: null,
          createdAt: h.clock.now,
          lastActivityAt: h.clock.now,
        });
        expect(s.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
        expect(await store.sessions.get(s.id)).toEqual(s);
      },
    );

    h.test(
      "api.accepts-valid-caller-id",
      "accepts a valid caller id and refuses a taken one with ConflictError",
      async () => {
        const store = await h.open();
        await store.sessions.create({ id: "chat-1" });
        await expect(store.sessions.create({ id: "chat-1" })).rejects.toBeInstanceOf(ConflictError);
        await expect(store.sessions.create({ id: "bad id!" })).rejects.toBeInstanceOf(
          ValidationError,
        );
      },
    );

    h.test(
      "api.get-unknown-id-sessionnotfounderror",
      "get of an unknown id is SessionNotFoundError",
      async () => {
        const store = await h.open();
        await expect(store.sessions.get("nope")).rejects.toBeInstanceOf(SessionNotFoundError);
      },
    );

    h.test(
      "api.update-changes-only-given",
      "update changes only the given fields and refuses unknown ones",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create({ title: "a", model: "m" });
        h.clock.advance(10);
        const u = await store.sessions.update(s.id, { title: "b" });
        expect(u).toMatchObject({ title: "b", model: "m", updatedAt: s.createdAt + 10 });
        await expect(
          store.sessions.update(s.id, { colour: "red" } as unknown as { title: string }),
        ).rejects.toBeInstanceOf(ValidationError);
        expect((await store.sessions.get(s.id)).title).toBe("b");
      },
    );

    h.test(
      "api.list-pages-keyset-newest",
      "list pages by keyset, newest activity first, with filters",
      async () => {
        const store = await h.open();
        const ids: string[] = [];
        for (let i = 0; i < 7; i++) {
          h.clock.advance(1);
          ids.push((await store.sessions.create({ model: i % 2 ? "odd" : "even" })).id);
        }
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const page: Awaited<ReturnType<Store["sessions"]["list"]>> = await store.sessions.list({
            limit: 3,
            cursor,
          });
          expect(page.items.length).toBeLessThanOrEqual(3);
          seen.push(...page.items.map((s) => s.id));
          cursor = page.nextCursor;
        } while (cursor);
        expect(seen).toEqual([...ids].reverse());
        const odd = await store.sessions.list({ model: "odd", limit: 10 });
        expect(odd.items.map((s) => s.id)).toEqual([ids[5], ids[3], ids[1]]);
        expect(odd.nextCursor).toBeNull();
        await expect(store.sessions.list({ cursor: "garbage" })).rejects.toBeInstanceOf(
          ValidationError,
        );
        await expect(store.sessions.list({ limit: 0 })).rejects.toBeInstanceOf(ValidationError);
        await expect(store.sessions.list({ limit: 1001 })).rejects.toBeInstanceOf(ValidationError);
      },
    );

    h.test(
      "api.delete-cascades-messages-search",
      "delete cascades to messages and the search index",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create();
        await store.messages.append(s.id, [user("zebra crossing"), user("zebra again")]);
        expect((await store.search("zebra")).items).toHaveLength(2);
        await store.sessions.delete(s.id);
        await expect(store.sessions.get(s.id)).rejects.toBeInstanceOf(SessionNotFoundError);
        await expect(store.messages.last(s.id, 5)).rejects.toBeInstanceOf(SessionNotFoundError);
        expect((await store.search("zebra")).items).toHaveLength(0);
        expect((await store.stats()).messages).toBe(0);
        await expectSound(store);
      },
    );

    h.test(
      "api.fork-copies-history-up",
      "fork copies history up to atSeq, links the parent, and is independent",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create({ title: "root", model: "m" });
        await store.messages.append(s.id, [
          user("one", { tokens: 1 }),
          user("two", { tokens: 2 }),
          user("three", { tokens: 4 }),
        ]);
        const f = await store.sessions.fork(s.id, { atSeq: 2 });
        expect(f).toMatchObject({
          parentId: s.id,
          parentSeq: 2,
          messageCount: 2,
          tokenCount: 3,
          lastSeq: 2,
          title: "root",
        });
        const copied = await store.messages.last(f.id, 10);
        expect(copied.map((m) => [m.seq, m.content])).toEqual([
          [1, "one"],
          [2, "two"],
        ]);
        const original = await store.messages.last(s.id, 10);
        expect(new Set(copied.map((m) => m.id)).has(original[0]!.id)).toBe(false);
        await store.messages.append(f.id, user("branch"));
        expect((await store.sessions.get(s.id)).messageCount).toBe(3);
        await expect(store.sessions.fork(s.id, { atSeq: 9 })).rejects.toBeInstanceOf(
          ValidationError,
        );
        await store.sessions.delete(s.id);
        expect((await store.sessions.get(f.id)).parentId).toBeNull();
        await expectSound(store);
      },
    );
  });

  describe("messages", () => {
    h.test(
      "api.append-assigns-seq-n",
      "append assigns seq 1..n and keeps the counters",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create();
        h.clock.advance(5);
        const [a, b] = await store.messages.append(s.id, [
          user("a", { tokens: 3 }),
          { role: "assistant", content: "b", tokens: 4, model: "m", latencyMs: 12 },
        ]);
        expect([a!.seq, b!.seq]).toEqual([1, 2]);
        expect(b).toMatchObject({
          role: "assistant",
          model: "m",
          latencyMs: 12,
          tokens: 4,
          createdAt: h.clock.now,
        });
        const [c] = await store.messages.append(s.id, user("c"));
        expect(c!.seq).toBe(3);
        expect(await store.sessions.get(s.id)).toMatchObject({
          messageCount: 3,
          tokenCount: 7,
          lastSeq: 3,
          lastActivityAt: h.clock.now,
        });
      },
    );

    h.test(
      "api.batch-atomic-bad-message",
      "a batch is atomic: one bad message stores none of them",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create();
        await store.messages.append(s.id, { role: "user", content: "x", id: "taken" });
        await expect(
          store.messages.append(s.id, [
            user("ok"),
            { role: "user", content: "dup id", id: "taken" },
          ]),
        ).rejects.toBeInstanceOf(ConflictError);
        await expect(
          store.messages.append(s.id, [user("ok"), { role: "robot", content: "?" } as never]),
        ).rejects.toBeInstanceOf(ValidationError);
        expect((await store.sessions.get(s.id)).messageCount).toBe(1);
        expect(await store.messages.last(s.id, 10)).toHaveLength(1);
      },
    );

    h.test(
      "api.repeated-idempotency-key-stores",
      "a repeated idempotency key stores nothing and returns the stored message",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create();
        const [first] = await store.messages.append(s.id, user("hello", { idempotencyKey: "k1" }));
        const again = await store.messages.append(s.id, [
          user("hello", { idempotencyKey: "k1" }),
          user("next", { idempotencyKey: "k2" }),
        ]);
        expect(again[0]).toEqual(first);
        expect(again[1]!.seq).toBe(2);
        expect((await store.sessions.get(s.id)).messageCount).toBe(2);
        const other = await store.sessions.create();
        const [inOther] = await store.messages.append(
          other.id,
          user("hello", { idempotencyKey: "k1" }),
        );
        expect(inOther!.sessionId).toBe(other.id);
      },
    );

    h.test(
      "api.idempotency-key-reused-for-another-message",
      "a key reused for a different message is IdempotencyConflictError naming the fields, and the batch writes nothing; the same message (metadata keys in any order) is a retry, also after archive, restore and fork",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create({ id: "s" });
        const [first] = await store.messages.append("s", {
          role: "assistant",
          content: "the answer",
          model: "m1",
          tokens: 42,
          latencyMs: 300,
          name: "bot",
          metadata: { trace: { a: 1, b: [1, 2] }, run: "r1" },
          idempotencyKey: "turn-1",
        });
        const before = await store.messages.list("s");
        const same = {
          role: "assistant" as const,
          content: "the answer",
          model: "m1",
          tokens: 42,
          latencyMs: 300,
          name: "bot",
          metadata: { run: "r1", trace: { b: [1, 2], a: 1 } },
          idempotencyKey: "turn-1",
        };
        expect(await store.messages.append("s", same)).toEqual([first]);
        // Every field the caller gives counts; the id only when the caller chose one.
        const changes: [string, object][] = [
          ["role", { role: "user" }],
          ["content", { content: "another answer" }],
          ["content", { content: "the answer " }],
          ["model", { model: "m2" }],
          ["model", { model: undefined }],
          ["tokens", { tokens: 43 }],
          ["latencyMs", { latencyMs: null }],
          ["name", { name: "other" }],
          ["metadata", { metadata: { run: "r2", trace: { a: 1, b: [1, 2] } } }],
          ["metadata", { metadata: { run: "r1", trace: { a: 1, b: [2, 1] } } }],
          ["id", { id: "not-the-stored-id" }],
        ];
        for (const [field, change] of changes) {
          const error = await store.messages
            .append("s", [
              { role: "user", content: "new in the batch" },
              { ...same, ...change },
            ])
            .then(
              () => undefined,
              (e: unknown) => e,
            );
          expect(error, field).toBeInstanceOf(IdempotencyConflictError);
          expect(error, field).toBeInstanceOf(ConflictError);
          expect(error).toMatchObject({
            sessionId: "s",
            idempotencyKey: "turn-1",
            fields: [field],
          });
          expect(await store.messages.list("s"), field).toEqual(before);
        }
        expect(await store.messages.append("s", { ...same, id: first?.id })).toEqual([first]);
        // Two messages of one batch under one key: the same is one message, different ones conflict.
        const pair = await store.messages.append("s", [
          { role: "user", content: "twice", idempotencyKey: "pair" },
          { role: "user", content: "twice", idempotencyKey: "pair" },
        ]);
        expect(pair[0]).toEqual(pair[1]);
        await expect(
          store.messages.append("s", [
            { role: "user", content: "one", idempotencyKey: "pair-2" },
            { role: "user", content: "two", idempotencyKey: "pair-2" },
          ]),
        ).rejects.toBeInstanceOf(IdempotencyConflictError);
        // The rule holds for a restored session and for the keys a fork copies.
        await store.lifecycle.archive("s");
        await store.lifecycle.restore("s");
        expect(await store.messages.append("s", same)).toEqual([first]);
        await expect(
          store.messages.append("s", { ...same, content: "changed" }),
        ).rejects.toBeInstanceOf(IdempotencyConflictError);
        const fork = await store.sessions.fork("s");
        const [copy] = await store.messages.append(fork.id, same);
        expect(copy).toMatchObject({ sessionId: fork.id, seq: first?.seq, content: "the answer" });
        await expect(store.messages.append(fork.id, { ...same, tokens: 1 })).rejects.toBeInstanceOf(
          IdempotencyConflictError,
        );
        expect((await store.sessions.get(s.id)).messageCount).toBe(2);
      },
    );

    h.test(
      "api.last-returns-newest-n",
      "last returns the newest n in chronological order; list pages by seq",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create();
        await store.messages.append(
          s.id,
          Array.from({ length: 12 }, (_, i) => user(`m${i + 1}`)),
        );
        expect((await store.messages.last(s.id, 3)).map((m) => m.seq)).toEqual([10, 11, 12]);
        const p1 = await store.messages.list(s.id, { limit: 5 });
        expect(p1.items.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
        const p2 = await store.messages.list(s.id, { limit: 5, cursor: p1.nextCursor });
        expect(p2.items.map((m) => m.seq)).toEqual([6, 7, 8, 9, 10]);
        const p3 = await store.messages.list(s.id, { limit: 5, cursor: p2.nextCursor });
        expect(p3.items.map((m) => m.seq)).toEqual([11, 12]);
        expect(p3.nextCursor).toBeNull();
        expect((await store.messages.list(s.id, { afterSeq: 10 })).items.map((m) => m.seq)).toEqual(
          [11, 12],
        );
        const empty = await store.sessions.create();
        expect(await store.messages.last(empty.id, 5)).toEqual([]);
        await expect(
          store.messages.list(empty.id, { cursor: p1.nextCursor }),
        ).rejects.toBeInstanceOf(ValidationError);
      },
    );

    h.test(
      "api.pop-removes-newest-message",
      "pop removes the newest message and the next append reuses its seq",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create();
        await store.messages.append(s.id, [user("a", { tokens: 1 }), user("b", { tokens: 2 })]);
        const popped = await store.messages.pop(s.id);
        expect(popped).toMatchObject({ seq: 2, content: "b" });
        expect(await store.sessions.get(s.id)).toMatchObject({
          messageCount: 1,
          tokenCount: 1,
          lastSeq: 1,
        });
        const [c] = await store.messages.append(s.id, user("c"));
        expect(c!.seq).toBe(2);
        await store.messages.pop(s.id);
        await store.messages.pop(s.id);
        expect(await store.messages.pop(s.id)).toBeNull();
        await expectSound(store);
      },
    );

    h.test(
      "api.content-round-trips-exactly",
      "content round-trips exactly: unicode, emoji, control characters, large text, metadata",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create();
        const content = `naïve 日本語 👩‍👩‍👧 a\u0001b\ttab ${"x".repeat(200_000)}`;
        const metadata = { nested: { list: [1, "two", null, true] }, emoji: "🎉" };
        await store.messages.append(s.id, { role: "tool", name: "calc", content, metadata });
        const [m] = await store.messages.last(s.id, 1);
        expect(m).toMatchObject({ role: "tool", name: "calc", content, metadata });
      },
    );

    h.test(
      "api.bad-input-validationerror-naming",
      "bad input is a ValidationError naming the field, and changes nothing",
      async () => {
        const store = await h.open({ limits: { maxContentBytes: 100 } });
        const s = await store.sessions.create();
        const cases: unknown[] = [
          [],
          [{ role: "user" }],
          [{ role: "user", content: "x".repeat(101) }],
          [{ role: "user", content: "x", tokens: -1 }],
          [{ role: "user", content: "x", tokens: 1.5 }],
          [{ role: "user", content: "x", extra: 1 }],
          [{ role: "user", content: "x", metadata: "not an object" }],
          // NUL would come back cut short from libSQL: refused for every driver.
          [{ role: "user", content: "a\u0000b" }],
          [{ role: "user", content: "x", name: "a\u0000" }],
        ];
        for (const input of cases) {
          const error = await store.messages.append(s.id, input as never).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(ValidationError);
          expect((error as ValidationError).issues.length).toBeGreaterThan(0);
        }
        const tooBig = await store.messages
          .append(s.id, [{ role: "user", content: "x".repeat(101) }])
          .then(
            () => {
              throw new Error("expected a ValidationError");
            },
            (e: unknown) => e as ValidationError,
          );
        expect(tooBig.message).toMatch(/0\.content.*100 bytes/);
        await expect(store.messages.last(s.id, 0)).rejects.toBeInstanceOf(ValidationError);
        await expect(store.messages.append("missing", user("x"))).rejects.toBeInstanceOf(
          SessionNotFoundError,
        );
        expect((await store.sessions.get(s.id)).messageCount).toBe(0);
      },
    );
  });

  describe("search and stats", () => {
    h.test(
      "api.finds-messages-ranked-marked",
      "finds messages ranked, with marked snippets, filtered and paged",
      async () => {
        const store = await h.open();
        const a = await store.sessions.create({ model: "m1" });
        const b = await store.sessions.create({ model: "m2" });
        await store.messages.append(a.id, [
          user("how do I reset my password"),
          { role: "assistant", content: "to reset your password open settings", model: "m1" },
        ]);
        await store.messages.append(b.id, [
          user("password password password reset"),
          user("unrelated"),
        ]);
        const all = await store.search("reset password");
        expect(all.items).toHaveLength(3);
        expect(all.items[0]!.snippet).toContain("«password»");
        expect(
          all.items[0]!.snippetParts.some((p) => p.match && p.text.toLowerCase() === "password"),
        ).toBe(true);
        const ranks = all.items.map((i) => i.rank);
        expect([...ranks].sort((x, y) => x - y)).toEqual(ranks);
        expect((await store.search("reset password", { sessionId: b.id })).items).toHaveLength(1);
        expect(
          (await store.search("reset", { role: "assistant" })).items.map(
            (i) => i.message.sessionId,
          ),
        ).toEqual([a.id]);
        expect((await store.search("pass*")).items).toHaveLength(3);
        const p1 = await store.search("password", { limit: 2 });
        const p2 = await store.search("password", { limit: 2, cursor: p1.nextCursor });
        expect(p1.items).toHaveLength(2);
        expect(p2.items).toHaveLength(1);
        expect(p2.nextCursor).toBeNull();
        const ids = [...p1.items, ...p2.items].map((i) => i.message.id);
        expect(new Set(ids).size).toBe(3);
        await expect(store.search("   ")).rejects.toBeInstanceOf(ValidationError);
        expect((await store.search('"); DROP TABLE messages; -- NEAR( OR *')).items).toEqual([]);
        expect((await store.sessions.get(a.id)).messageCount).toBe(2);
      },
    );

    h.test(
      "api.stats-count-sessions-status",
      "stats count sessions by status, messages and tokens per model",
      async () => {
        const store = await h.open();
        const a = await store.sessions.create({ model: "m1" });
        const b = await store.sessions.create({ model: "m2" });
        await store.sessions.create({ model: "m2" });
        await store.messages.append(a.id, [user("x", { tokens: 5 }), user("y", { tokens: 5 })]);
        await store.messages.append(b.id, user("z", { tokens: 1 }));
        const stats = await store.stats();
        expect(stats.sessions).toEqual({ total: 3, active: 3, idle: 0, archived: 0 });
        expect(stats.messages).toBe(3);
        expect(stats.tokens).toBe(11);
        expect(stats.byModel.map(({ usage: _usage, ...group }) => group)).toEqual([
          { model: "m1", sessions: 1, messages: 2, tokens: 10 },
          { model: "m2", sessions: 2, messages: 1, tokens: 1 },
        ]);
      },
    );
  });

  describe("tenants", () => {
    h.test(
      "api.tenant-sees-changes-only",
      "a tenant sees and changes only its own sessions",
      async () => {
        const store = await h.open();
        const acme = store.tenant("acme");
        const globex = store.tenant("globex");
        const s = await acme.sessions.create({ title: "secret" });
        await acme.messages.append(s.id, user("acme plans"));
        expect(s.tenantId).toBe("acme");
        await expect(globex.sessions.get(s.id)).rejects.toBeInstanceOf(SessionNotFoundError);
        await expect(globex.messages.last(s.id, 5)).rejects.toBeInstanceOf(SessionNotFoundError);
        await expect(globex.messages.append(s.id, user("intrude"))).rejects.toBeInstanceOf(
          SessionNotFoundError,
        );
        await expect(globex.sessions.delete(s.id)).rejects.toBeInstanceOf(SessionNotFoundError);
        await expect(globex.sessions.fork(s.id)).rejects.toBeInstanceOf(SessionNotFoundError);
        await expect(globex.messages.pop(s.id)).rejects.toBeInstanceOf(SessionNotFoundError);
        expect((await globex.sessions.list()).items).toEqual([]);
        expect((await globex.search("plans")).items).toEqual([]);
        expect((await globex.stats()).sessions.total).toBe(0);
        expect((await acme.search("plans")).items).toHaveLength(1);
        await expect(globex.sessions.create({ tenantId: "acme" })).rejects.toBeInstanceOf(
          ValidationError,
        );
        expect((await store.sessions.get(s.id)).tenantId).toBe("acme");
        expect((await store.sessions.list({ tenantId: "acme" })).items).toHaveLength(1);
        // The root store is the all-tenants view.
        expect((await store.sessions.list()).items.map((x) => x.id)).toEqual([s.id]);
        expect((await store.sessions.list({ tenantId: null })).items).toHaveLength(0);
        expect((await store.stats()).sessions.total).toBe(1);
      },
    );
  });
}
