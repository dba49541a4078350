import {
  AmbiguousSessionIdError,
  ConflictError,
  type Session,
  SessionNotFoundError,
  type SessionStore,
  type Store,
  ValidationError,
} from "@llm-sessions/core";
import { describe, expect } from "vitest";
import type { StoreHarness } from "./harness.js";

const user = (content: string, extra: object = {}) => ({
  role: "user" as const,
  content,
  ...extra,
});

/** Newest activity first, ties by id: the order `sessions.list` promises. */
const byActivity = (a: Session, b: Session) =>
  b.lastActivityAt - a.lastActivityAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** Every page of `list`, `limit` at a time; fails on a repeated session (by id, or by tenant and id). */
async function listAll(
  list: (cursor: string | null) => Promise<{ items: Session[]; nextCursor: string | null }>,
  idsUnique = true,
): Promise<Session[]> {
  const seen: Session[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: Session[]; nextCursor: string | null } = await list(cursor);
    seen.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  const key = (s: Session) => (idsUnique ? s.id : `${s.tenantId}/${s.id}`);
  expect(new Set(seen.map(key)).size).toBe(seen.length);
  return seen;
}

/** The error a call fails with (fails the test when it does not). */
async function failure(call: () => Promise<unknown>): Promise<Error> {
  try {
    await call();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the call to fail");
}

/** Everything a tenant can read of its own data, to compare before and after. */
async function tenantState(view: SessionStore): Promise<unknown> {
  const sessions = (await view.sessions.list({ limit: 1000 })).items;
  const messages = await Promise.all(
    sessions.map(async (s) => (await view.messages.list(s.id, { limit: 1000 })).items),
  );
  return { sessions, messages, stats: await view.stats() };
}

/** Store suite: tenants never observe each other; the root store's scope. */
export function registerTenantTests(h: StoreHarness): void {
  describe("tenants", () => {
    h.test(
      "tenants.root-sees-every-tenant",
      "the root store is the all-tenants view: list, get, changes, messages, search and stats reach every tenant",
      async () => {
        const store = await h.open({ lifecycle: { idleAfterMs: 1_000, sweepIntervalMs: 0 } });
        const acme = store.tenant("acme");
        const globex = store.tenant("globex");
        // Sessions of three tenants and three statuses, some with equal activity times.
        const made: Session[] = [];
        for (let i = 0; i < 4; i++) {
          made.push(await store.sessions.create({ title: `default ${i}`, model: "m1" }));
          made.push(await acme.sessions.create({ title: `acme ${i}`, model: i % 2 ? "m1" : "m2" }));
          made.push(await globex.sessions.create({ title: `globex ${i}` }));
          if (i % 2) h.clock.advance(10);
        }
        h.clock.advance(2_000);
        await store.lifecycle.sweep();
        const [first, second] = made;
        await acme.messages.append(made[1]?.id ?? "", user("acme only word zebra"));
        await globex.messages.append(made[2]?.id ?? "", user("globex word zebra"));
        await store.lifecycle.archive(first?.id ?? "");
        await store.lifecycle.touch(second?.id ?? "");
        const all = await Promise.all(made.map((s) => store.sessions.get(s.id)));
        expect(new Set(all.map((s) => s.status))).toEqual(new Set(["active", "idle", "archived"]));
        expect(new Set(all.map((s) => s.tenantId))).toEqual(new Set([null, "acme", "globex"]));

        // list(): every tenant's sessions, in activity order, paged by keyset.
        const expected = [...all].sort(byActivity).map((s) => s.id);
        for (const limit of [1, 3, 100]) {
          const listed = await listAll((cursor) => store.sessions.list({ limit, cursor }));
          expect(listed.map((s) => s.id)).toEqual(expected);
        }
        const idle = await listAll((cursor) =>
          store.sessions.list({ status: "idle", limit: 2, cursor }),
        );
        expect(idle.map((s) => s.id)).toEqual(
          [...all]
            .filter((s) => s.status === "idle")
            .sort(byActivity)
            .map((s) => s.id),
        );
        const m1 = await listAll((cursor) =>
          store.sessions.list({ model: "m1", limit: 2, cursor }),
        );
        expect(m1.map((s) => s.id)).toEqual(
          [...all]
            .filter((s) => s.model === "m1")
            .sort(byActivity)
            .map((s) => s.id),
        );
        // One tenant when asked: `null` is the default tenant.
        for (const tenantId of [null, "acme", "globex"]) {
          const listed = await listAll((cursor) =>
            store.sessions.list({ tenantId, limit: 3, cursor }),
          );
          expect(listed.map((s) => s.id)).toEqual(
            [...all]
              .filter((s) => s.tenantId === tenantId)
              .sort(byActivity)
              .map((s) => s.id),
          );
        }

        // Created without a tenant: the default tenant.
        expect((await store.sessions.create({})).tenantId).toBeNull();

        // Every other operation reaches another tenant's session.
        const theirs = made[4] as Session; // acme's, active
        expect((await store.sessions.get(theirs.id)).tenantId).toBe("acme");
        expect((await store.sessions.update(theirs.id, { title: "renamed" })).title).toBe(
          "renamed",
        );
        await store.messages.append(theirs.id, [user("one"), user("two")]);
        expect((await store.messages.last(theirs.id, 5)).map((m) => m.content)).toEqual([
          "one",
          "two",
        ]);
        expect((await store.messages.list(theirs.id)).items).toHaveLength(2);
        expect((await store.messages.pop(theirs.id))?.content).toBe("two");
        const fork = await store.sessions.fork(theirs.id);
        expect(fork).toMatchObject({ tenantId: "acme", parentId: theirs.id, messageCount: 1 });
        await store.sessions.delete(fork.id);
        await expect(acme.sessions.get(fork.id)).rejects.toBeInstanceOf(SessionNotFoundError);

        // Search and stats count every tenant.
        const zebra = await store.search("zebra");
        expect(zebra.items.map((hit) => hit.message.content).sort()).toEqual([
          "acme only word zebra",
          "globex word zebra",
        ]);
        const stats = await store.stats();
        expect(stats.sessions.total).toBe(all.length + 1);
        expect(stats.messages).toBe(3);
      },
    );

    h.test(
      "tenants.views-reach-only-their-tenant",
      "a tenant view reaches nothing of another tenant in any method, archived sessions and autoRestore included",
      async () => {
        const store = await h.open({ autoRestore: true });
        const acme = store.tenant("acme");
        const globex = store.tenant("globex");
        const a = await acme.sessions.create({ title: "acme secret" });
        await acme.messages.append(a.id, [user("acme plans alpha"), user("acme plans beta")]);
        const archived = await acme.sessions.create({ title: "acme archived" });
        await acme.messages.append(archived.id, user("acme archived words"));
        await store.lifecycle.archive(archived.id);
        const g = await globex.sessions.create({ title: "globex own" });
        await globex.messages.append(g.id, user("globex words"));
        const before = { acme: await tenantState(acme), globex: await tenantState(globex) };

        const calls = (id: string): [string, () => Promise<unknown>][] => [
          ["sessions.get", () => globex.sessions.get(id)],
          ["sessions.update", () => globex.sessions.update(id, { title: "mine" })],
          ["sessions.delete", () => globex.sessions.delete(id)],
          ["sessions.fork", () => globex.sessions.fork(id)],
          ["messages.append", () => globex.messages.append(id, user("intrude"))],
          ["messages.last", () => globex.messages.last(id, 5)],
          ["messages.list", () => globex.messages.list(id)],
          ["messages.pop", () => globex.messages.pop(id)],
        ];
        const nowhere = calls("no-such-session");
        for (const id of [a.id, archived.id]) {
          for (const [i, [what, call]] of calls(id).entries()) {
            const error = await failure(call);
            expect(error, `${what} of another tenant's session`).toBeInstanceOf(
              SessionNotFoundError,
            );
            // The same answer as for an id that exists nowhere, but for the id itself.
            const none = await failure(nowhere[i]?.[1] ?? call);
            expect(error.constructor).toBe(none.constructor);
            expect(error.message.replace(id, "ID")).toBe(
              none.message.replace("no-such-session", "ID"),
            );
          }
        }
        // The lifecycle (archive, restore, touch, sweep) is the root store's only.
        expect("lifecycle" in globex).toBe(false);
        expect(Object.keys(globex)).not.toContain("lifecycle");

        expect((await globex.sessions.list()).items.map((s) => s.id)).toEqual([g.id]);
        await expect(globex.sessions.list({ tenantId: "acme" })).rejects.toBeInstanceOf(
          ValidationError,
        );
        await expect(globex.sessions.list({ tenantId: null })).rejects.toBeInstanceOf(
          ValidationError,
        );
        expect((await globex.search("acme")).items).toEqual([]);
        expect((await globex.search("words")).items.map((x) => x.message.content)).toEqual([
          "globex words",
        ]);
        expect((await globex.stats()).sessions.total).toBe(1);

        // Nothing changed for either tenant; the archived session stayed archived.
        expect({ acme: await tenantState(acme), globex: await tenantState(globex) }).toEqual(
          before,
        );
        expect((await store.sessions.get(archived.id)).status).toBe("archived");
      },
    );

    h.test(
      "tenants.cursors-cross-nothing",
      "a cursor made in one tenant and used in another reveals nothing of the first",
      async () => {
        const store = await h.open();
        const acme = store.tenant("acme");
        const globex = store.tenant("globex");
        const acmeIds: string[] = [];
        for (let i = 0; i < 5; i++) {
          const s = await acme.sessions.create({ title: `acme ${i}` });
          acmeIds.push(s.id);
          await acme.messages.append(s.id, [user(`acme shared word ${i}`), user("acme more")]);
          h.clock.advance(1);
        }
        const g = await globex.sessions.create({ title: "globex" });
        await globex.messages.append(g.id, user("globex shared word"));
        h.clock.advance(1);
        const g2 = await globex.sessions.create({ title: "globex 2" });

        const acmePage = await acme.sessions.list({ limit: 2 });
        expect(acmePage.nextCursor).not.toBeNull();
        const used = await listAll((cursor) =>
          globex.sessions.list({ limit: 1, cursor: cursor ?? acmePage.nextCursor }),
        );
        for (const s of used) expect(s.tenantId).toBe("globex");

        const firstA = acmeIds[0] as string;
        const messagesPage = await acme.messages.list(firstA, { limit: 1 });
        expect(messagesPage.nextCursor).not.toBeNull();
        // Used for acme's session: not found; for globex's own: refused as another session's.
        await expect(
          globex.messages.list(firstA, { cursor: messagesPage.nextCursor }),
        ).rejects.toBeInstanceOf(SessionNotFoundError);
        await expect(
          globex.messages.list(g.id, { cursor: messagesPage.nextCursor }),
        ).rejects.toBeInstanceOf(ValidationError);

        const acmeSearch = await acme.search("shared", { limit: 1 });
        expect(acmeSearch.nextCursor).not.toBeNull();
        const searched = await globex
          .search("shared", { limit: 10, cursor: acmeSearch.nextCursor })
          .then((page) => page.items.map((hit) => hit.message.content))
          .catch((error: unknown) => {
            // Refused as a cursor whose message is gone (or malformed): typed, naming nothing.
            expect([ValidationError, ConflictError].some((E) => error instanceof E)).toBe(true);
            expect(String(error)).not.toMatch(/acme/);
            return [];
          });
        for (const content of searched) expect(content).toMatch(/^globex/);
        expect(g2.tenantId).toBe("globex");
      },
    );

    h.test(
      "tenants.ids-belong-to-their-tenant",
      "two tenants each hold session, message and fork ids and idempotency keys of the same spelling, each sees only its own, and taking an id another tenant holds succeeds and says nothing",
      async () => {
        const store = await h.open();
        const acme = store.tenant("acme");
        const globex = store.tenant("globex");
        await acme.sessions.create({ id: "x", title: "acme x" });
        await acme.messages.append("x", [
          user("acme first", { id: "m", idempotencyKey: "k" }),
          user("acme second", { id: "m2" }),
        ]);
        await acme.sessions.fork("x", { id: "f", atSeq: 1 });
        const acmeBefore = await tenantState(acme);

        // globex takes every one of those ids: each is created as a free one would be.
        const fresh = await globex.sessions.create({ id: "fresh", title: "globex x" });
        const x = await globex.sessions.create({ id: "x", title: "globex x" });
        expect({ ...x, id: "fresh" }).toEqual(fresh);
        const [m] = await globex.messages.append(
          "x",
          user("globex first", { id: "m", idempotencyKey: "k" }),
        );
        expect(m).toMatchObject({ id: "m", sessionId: "x", seq: 1, content: "globex first" });
        // The key is globex's own now: a retry returns globex's message, never acme's.
        const [retried] = await globex.messages.append(
          "x",
          user("globex first", { idempotencyKey: "k" }),
        );
        expect(retried).toEqual(m);
        const fork = await globex.sessions.fork("x", { id: "f" });
        expect(fork).toMatchObject({ id: "f", tenantId: "globex", parentId: "x", messageCount: 1 });

        // Each sees only its own, in every read.
        expect(await tenantState(acme)).toEqual(acmeBefore);
        expect((await acme.messages.list("x")).items.map((i) => i.content)).toEqual([
          "acme first",
          "acme second",
        ]);
        expect((await globex.messages.last("x", 10)).map((i) => i.content)).toEqual([
          "globex first",
        ]);
        expect((await globex.messages.list("f")).items.map((i) => i.content)).toEqual([
          "globex first",
        ]);
        expect((await acme.sessions.get("f")).messageCount).toBe(1);
        expect(
          (await acme.search("first", { sessionId: "x" })).items.map((i) => i.message.content),
        ).toEqual(["acme first"]);
        expect(
          (await globex.search("first", { sessionId: "x" })).items.map((i) => i.message.content),
        ).toEqual(["globex first"]);
        expect((await globex.stats()).messages).toBe(2);

        // Within a tenant an id is still taken: the same ConflictError for each kind.
        for (const [what, call] of [
          ["session", () => globex.sessions.create({ id: "x" })],
          ["fork", () => globex.sessions.fork("x", { id: "f" })],
          ["message", () => globex.messages.append("x", user("again", { id: "m" }))],
        ] as const) {
          const error = await failure(call);
          expect(error, what).toBeInstanceOf(ConflictError);
          expect(error.message, what).not.toMatch(/acme/);
        }
        // A message id is unique within its session: another session of the tenant may hold it.
        await globex.messages.append("fresh", user("same id, other session", { id: "m" }));
        expect(await tenantState(acme)).toEqual(acmeBefore);

        // The root store: the default tenant takes "x" too; the id alone no longer names one session.
        const own = await store.sessions.create({ id: "x" });
        expect(own.tenantId).toBeNull();
        const ambiguous = await failure(() => store.sessions.get("x"));
        expect(ambiguous).toBeInstanceOf(AmbiguousSessionIdError);
        expect((ambiguous as AmbiguousSessionIdError).tenantIds).toEqual([null, "acme", "globex"]);
        await expect(store.messages.append("x", user("which?"))).rejects.toBeInstanceOf(
          AmbiguousSessionIdError,
        );
        await expect(store.messages.last("x", 1)).rejects.toBeInstanceOf(AmbiguousSessionIdError);
        await expect(store.search("first", { sessionId: "x" })).rejects.toBeInstanceOf(
          AmbiguousSessionIdError,
        );
        // Named through its tenant, each is reachable; an id one tenant holds needs no tenant.
        expect((await store.tenant(null).sessions.get("x")).tenantId).toBeNull();
        expect((await store.tenant("acme").sessions.get("x")).title).toBe("acme x");
        expect((await store.sessions.get("fresh")).tenantId).toBe("globex");
        // The all-tenants list pages through sessions that tie on time and id.
        for (const limit of [1, 2, 100]) {
          const listed = await listAll((cursor) => store.sessions.list({ limit, cursor }), false);
          expect(listed.map((s) => `${s.tenantId}/${s.id}`).sort()).toEqual(
            ["acme/f", "acme/x", "globex/f", "globex/fresh", "globex/x", "null/x"].sort(),
          );
          const created = await listAll(
            (cursor) => store.sessions.list({ limit, cursor, orderBy: "created" }),
            false,
          );
          expect(created).toHaveLength(6);
        }
        // Root search hits say whose session they are.
        const hits = (await store.search("first")).items;
        expect(hits.map((i) => `${i.tenantId}/${i.message.sessionId}`).sort()).toEqual([
          "acme/f",
          "acme/x",
          "globex/f",
          "globex/x",
        ]);
      },
    );

    h.test(
      "tenants.views-kept-bounded",
      "store.tenant() keeps a bounded number of views however many tenant ids it sees; a view no longer kept still works",
      async () => {
        const store: Store = await h.open();
        const early = store.tenant("early");
        const hot = store.tenant("hot");
        let peak = 0;
        for (let i = 0; i < 5_000; i++) {
          store.tenant(`tenant-${i}`);
          peak = Math.max(peak, store.tenantViewsKept);
          // A tenant used all along keeps its view.
          if (i % 100 === 0) expect(store.tenant("hot")).toBe(hot);
        }
        expect(peak).toBeGreaterThan(1);
        expect(peak).toBeLessThanOrEqual(1_000);
        expect(store.tenantViewsKept).toBe(peak);
        // `early` was dropped long ago: its old view still works, a new one sees the same data.
        const s = await early.sessions.create({ title: "early" });
        await early.messages.append(s.id, user("still here"));
        expect((await store.tenant("early").sessions.get(s.id)).messageCount).toBe(1);
        // Views share the store's metrics, kept or not.
        expect((await store.metrics()).operations["sessions.create"]?.count).toBe(1);
      },
    );
  });
}
