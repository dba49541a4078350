import { ConflictError, type Store } from "@llm-sessions/core";
import { describe, expect } from "vitest";
import type { StoreHarness } from "./harness.js";

const user = (content: string, extra: { id?: string; tokens?: number } = {}) => ({
  role: "user" as const,
  content,
  ...extra,
});

/** Every session of the default tenant, as `id: title`, sorted. */
const sessionTitles = async (store: Store) =>
  (await store.sessions.list({ limit: 100 })).items.map((s) => `${s.id}: ${s.title}`).sort();

/** A session's messages as `id: content`, in seq order. */
const messageLines = async (store: Store, sessionId: string) =>
  (await store.messages.list(sessionId, { limit: 100 })).items.map(
    (m) => `${m.seq} ${m.id}: ${m.content}`,
  );

/**
 * Store suite: a rejected write leaves every later write working. One
 * tenant's failed call must never become an outage for the others (a driver
 * that reused a failed statement once made every later insert fail).
 */
export function registerRecoveryTests(h: StoreHarness): void {
  describe("recovery after a rejected write", () => {
    h.test(
      "recovery.duplicate-session-id",
      "after a duplicate session id, every later create stores what was asked",
      async () => {
        const store = await h.open();
        await store.sessions.create({ id: "x", title: "first" });
        for (let attempt = 0; attempt < 3; attempt++) {
          await expect(store.sessions.create({ id: "x", title: "again" })).rejects.toBeInstanceOf(
            ConflictError,
          );
        }
        const fresh = await store.sessions.create({ title: "fresh" });
        expect(fresh.id).not.toBe("x");
        expect(fresh.title).toBe("fresh");
        const y = await store.sessions.create({ id: "y", title: "chosen", model: "m" });
        expect([y.id, y.title, y.model]).toEqual(["y", "chosen", "m"]);
        await expect(store.sessions.create({ id: "y" })).rejects.toBeInstanceOf(ConflictError);
        const z = await store.sessions.create({ id: "z", title: "after the second" });
        expect(z.id).toBe("z");
        expect(await sessionTitles(store)).toEqual(
          [`${fresh.id}: fresh`, "x: first", "y: chosen", "z: after the second"].sort(),
        );
        expect((await store.sessions.get("x")).title).toBe("first");
      },
    );

    h.test(
      "recovery.duplicate-message-id",
      "after a duplicate message id (alone or inside a batch), every later append stores what was asked",
      async () => {
        const store = await h.open();
        const a = await store.sessions.create({ id: "a" });
        const b = await store.sessions.create({ id: "b" });
        await store.messages.append(a.id, [user("one", { id: "m1" })]);
        // The same id again in its session (message ids are unique per session):
        // alone, and second in a batch whose first message is new.
        await expect(
          store.messages.append(a.id, [user("dup", { id: "m1" })]),
        ).rejects.toBeInstanceOf(ConflictError);
        await expect(
          store.messages.append(a.id, [user("new", { id: "m2" }), user("dup", { id: "m1" })]),
        ).rejects.toBeInstanceOf(ConflictError);
        const [second] = await store.messages.append(a.id, [user("two", { tokens: 7 })]);
        expect(second?.seq).toBe(2);
        expect(second?.content).toBe("two");
        expect(second?.tokens).toBe(7);
        await store.messages.append(b.id, [user("b one", { id: "m2" }), user("b two")]);
        await store.messages.append(a.id, [user("three", { id: "m3" })]);
        expect(await messageLines(store, a.id)).toEqual([
          "1 m1: one",
          `2 ${second?.id}: two`,
          "3 m3: three",
        ]);
        const bLines = await messageLines(store, b.id);
        expect(bLines).toHaveLength(2);
        expect(bLines[0]).toBe("1 m2: b one");
        expect(bLines[1]).toMatch(/^2 .+: b two$/);
        const stats = await store.stats();
        expect([stats.messages, stats.tokens]).toEqual([5, 7]);
        expect((await store.sessions.get(b.id)).messageCount).toBe(2);
      },
    );

    h.test(
      "recovery.duplicate-fork-id",
      "after a fork onto a taken id, later forks, creates and appends store what was asked",
      async () => {
        const store = await h.open();
        const parent = await store.sessions.create({ id: "p", title: "parent" });
        await store.messages.append(parent.id, [user("hello"), user("world")]);
        await store.sessions.create({ id: "taken" });
        await expect(
          store.sessions.fork(parent.id, { id: "taken", title: "fork" }),
        ).rejects.toBeInstanceOf(ConflictError);
        const fork = await store.sessions.fork(parent.id, { id: "f", title: "fork", atSeq: 1 });
        expect([fork.id, fork.title]).toEqual(["f", "fork"]);
        expect((await messageLines(store, "f")).map((l) => l.replace(/ \S+:/, ":"))).toEqual([
          "1: hello",
        ]);
        await store.messages.append("f", [user("forked reply")]);
        expect((await store.sessions.get("f")).messageCount).toBe(2);
        expect((await store.sessions.create({ id: "q", title: "next" })).title).toBe("next");
        expect((await store.sessions.get("taken")).messageCount).toBe(0);
      },
    );

    h.test(
      "recovery.rejected-appends-interleaved",
      "rejected and accepted writes interleaved on many sessions leave exactly the accepted ones",
      async () => {
        const store = await h.open();
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) ids.push((await store.sessions.create({ id: `s${i}` })).id);
        const expected = new Map<string, string[]>(ids.map((id) => [id, []]));
        for (let round = 0; round < 4; round++) {
          for (const id of ids) {
            const content = `${id} round ${round}`;
            await store.messages.append(id, [user(content, { id: `${id}-${round}` })]);
            expected.get(id)?.push(content);
            // Each accepted append is followed by rejected ones of every kind the API can cause.
            await expect(
              store.messages.append(id, [user("dup", { id: `${id}-${round}` })]),
            ).rejects.toBeInstanceOf(ConflictError);
            await expect(store.sessions.create({ id })).rejects.toBeInstanceOf(ConflictError);
          }
        }
        for (const id of ids) {
          const contents = (await store.messages.list(id, { limit: 100 })).items.map(
            (m) => m.content,
          );
          expect(contents, id).toEqual(expected.get(id));
        }
        expect((await store.stats()).messages).toBe(20);
      },
    );

    h.test(
      "recovery.two-stores-one-file",
      "two stores on one file in one process: 200 concurrent creates and appends all succeed (a lock wait never blocks the holder)",
      async (ctx) => {
        const path = h.newPath();
        const driver = await h.createDriver({ path });
        if (!driver.capabilities.file) ctx.skip("needs two stores on one file");
        const a = await h.open({ path });
        const b = await h.open({ path });
        const session = await a.sessions.create({ id: "shared" });
        const outcomes = await Promise.allSettled(
          Array.from({ length: 200 }, (_, i) => {
            const store = i % 2 === 0 ? a : b;
            return i % 4 < 2
              ? store.sessions.create({ id: `c${i}` })
              : store.messages.append(session.id, [user(`m${i}`)]);
          }),
        );
        const failures = outcomes.flatMap((o) =>
          o.status === "rejected" ? [String(o.reason)] : [],
        );
        expect(failures).toEqual([]);
        expect((await b.sessions.get(session.id)).messageCount).toBe(100);
        expect((await a.stats()).sessions.total).toBe(101);
      },
    );
  });
}
