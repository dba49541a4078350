import {
  type ListMessagesOptions,
  type ListSessionsOptions,
  openStore,
  PoolClosedError,
  type Session,
  SessionArchivedError,
  SessionNotFoundError,
  type SessionStore,
  ValidationError,
} from "@llm-sessions/core";
import { describe, expect, type TestContext } from "vitest";
import type { StoreHarness } from "./harness.js";
import { recordingDriver } from "./recording-driver.js";

/**
 * What a chat app needs from the store: scrolling back through a session's
 * history, one user's sessions (metadata and title filters, two orders),
 * merge-patching metadata (rename, pin), and a clear refusal after close().
 */

const user = (content: string) => ({ role: "user" as const, content });

/** Follows cursors from `first` to the end; returns every page's seqs. */
async function messagePages(
  store: SessionStore,
  id: string,
  first: ListMessagesOptions,
): Promise<number[][]> {
  const pages: number[][] = [];
  let page = await store.messages.list(id, first);
  pages.push(page.items.map((m) => m.seq));
  while (page.nextCursor) {
    page = await store.messages.list(id, { limit: first.limit, cursor: page.nextCursor });
    pages.push(page.items.map((m) => m.seq));
    if (pages.length > 1000) throw new Error("cursor loop");
  }
  return pages;
}

/** Every session `options` lists, following cursors. */
async function listAll(store: SessionStore, options: ListSessionsOptions): Promise<Session[]> {
  const all: Session[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 1000; i++) {
    const page = await store.sessions.list({ ...options, cursor });
    all.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) return all;
  }
  throw new Error("cursor loop");
}

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** The ValidationError `run` throws (fails if it throws anything else or nothing). */
async function validationIssues(run: () => Promise<unknown>): Promise<string[]> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return [...new Set((error as ValidationError).issues.map((i) => i.path))];
}

/** The fields named by the ValidationError `run` throws: each issue path's first segment. */
async function fieldsRefused(run: () => Promise<unknown>): Promise<string[]> {
  return [...new Set((await validationIssues(run)).map((path) => path.split(".")[0] ?? path))];
}

/**
 * A driver on a fresh file whose plans can be read. A target that cannot run
 * EXPLAIN at all (libSQL's private :memory: database refuses it, see its
 * adapter) skips the plan test with that reason; the file targets run it.
 */
async function explainableDriver(h: StoreHarness, ctx: TestContext) {
  const driver = await h.createDriver({ path: h.newPath() });
  const probe = await driver.connect();
  try {
    await probe.all("EXPLAIN QUERY PLAN SELECT 1");
  } catch (error) {
    ctx.skip(`this target cannot run EXPLAIN: ${(error as Error).message}`);
  } finally {
    await probe.close();
  }
  return driver;
}

export function registerChatApiTests(h: StoreHarness): void {
  describe("chat app API", () => {
    h.test(
      "chat.messages-before-seq",
      "messages.list with beforeSeq pages back through history, oldest first in each page, live and archived",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create();
        await store.messages.append(
          s.id,
          range(1, 23).map((i) => user(`m${i}`)),
        );

        const back = await messagePages(store, s.id, { beforeSeq: 21, limit: 5 });
        expect(back).toEqual([range(16, 20), range(11, 15), range(6, 10), range(1, 5)]);
        // The newest page, read as a chat view opens: lastSeq + 1.
        const newest = await store.messages.list(s.id, { beforeSeq: 24, limit: 3 });
        expect(newest.items.map((m) => m.content)).toEqual(["m21", "m22", "m23"]);
        // A partial last page, and nothing before seq 1.
        expect(await messagePages(store, s.id, { beforeSeq: 8, limit: 5 })).toEqual([
          range(3, 7),
          range(1, 2),
        ]);
        const none = await store.messages.list(s.id, { beforeSeq: 1 });
        expect(none).toEqual({ items: [], nextCursor: null });
        // Messages appended while scrolling back do not disturb the pages.
        const p1 = await store.messages.list(s.id, { beforeSeq: 10, limit: 4 });
        await store.messages.append(s.id, user("late"));
        const p2 = await store.messages.list(s.id, { cursor: p1.nextCursor, limit: 4 });
        expect([p1, p2].map((p) => p.items.map((m) => m.seq))).toEqual([range(6, 9), range(2, 5)]);
        // Forward listing is as it was.
        expect(await messagePages(store, s.id, { afterSeq: 20, limit: 2 })).toEqual([
          [21, 22],
          [23, 24],
        ]);

        // An archived session's history comes from its snapshot, the same pages.
        await store.lifecycle.archive(s.id);
        expect(await messagePages(store, s.id, { beforeSeq: 21, limit: 5 })).toEqual(back);
        expect(await store.messages.list(s.id, { beforeSeq: 1 })).toEqual({
          items: [],
          nextCursor: null,
        });
        // An empty live session answers an empty page, not an error.
        const empty = await store.sessions.create();
        expect(await store.messages.list(empty.id, { beforeSeq: 5 })).toEqual({
          items: [],
          nextCursor: null,
        });
      },
    );

    h.test(
      "chat.messages-before-seq-rules",
      "beforeSeq is validated, does not mix with afterSeq or a forward cursor, and sees only the tenant's sessions",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create({ tenantId: "t1" });
        const other = await store.sessions.create();
        await store.messages.append(
          s.id,
          range(1, 6).map((i) => user(`m${i}`)),
        );
        await store.messages.append(
          other.id,
          range(1, 6).map((i) => user(`o${i}`)),
        );
        const back = await store.messages.list(s.id, { beforeSeq: 6, limit: 2 });
        const forward = await store.messages.list(s.id, { limit: 2 });
        expect(back.nextCursor).not.toBeNull();
        expect(forward.nextCursor).not.toBeNull();

        const list =
          (o: ListMessagesOptions, id = s.id) =>
          () =>
            store.messages.list(id, o);
        expect(await validationIssues(list({ afterSeq: 1, beforeSeq: 5 }))).toEqual(["beforeSeq"]);
        expect(await validationIssues(list({ beforeSeq: -1 }))).toEqual(["beforeSeq"]);
        expect(await validationIssues(list({ beforeSeq: 1.5 }))).toEqual(["beforeSeq"]);
        expect(await validationIssues(list({ beforeSeq: 2 ** 53 }))).toEqual(["beforeSeq"]);
        expect(await validationIssues(list({ beforeSeq: "5" as unknown as number }))).toEqual([
          "beforeSeq",
        ]);
        expect(await validationIssues(list({ cursor: back.nextCursor, afterSeq: 1 }))).toEqual([
          "afterSeq",
        ]);
        expect(await validationIssues(list({ cursor: forward.nextCursor, beforeSeq: 3 }))).toEqual([
          "beforeSeq",
        ]);
        expect(await validationIssues(list({ cursor: back.nextCursor }, other.id))).toEqual([
          "cursor",
        ]);
        // A cursor's direction mark cannot be forged into something else.
        const forged = Buffer.from(JSON.stringify([s.id, 3, "after"])).toString("base64url");
        expect(await validationIssues(list({ cursor: forged }))).toEqual(["cursor"]);
        // beforeSeq with a backward cursor: the nearer bound wins.
        const nearer = await store.messages.list(s.id, {
          cursor: back.nextCursor,
          beforeSeq: 3,
          limit: 2,
        });
        expect(nearer.items.map((m) => m.seq)).toEqual([1, 2]);

        const view = store.tenant("t1");
        expect((await view.messages.list(s.id, { beforeSeq: 3 })).items).toHaveLength(2);
        await expect(view.messages.list(other.id, { beforeSeq: 3 })).rejects.toBeInstanceOf(
          SessionNotFoundError,
        );
      },
    );

    h.test(
      "chat.messages-before-seq-plan",
      "a beforeSeq page is one keyset read of the (session_pk, seq) index, with no sort",
      async (ctx) => {
        const rec = recordingDriver(await explainableDriver(h, ctx));
        const store = await openStore({ driver: rec.driver, clock: h.clock.read });
        try {
          const s = await store.sessions.create();
          await store.messages.append(
            s.id,
            range(1, 50).map((i) => user(`m${i}`)),
          );
          rec.recording.on = true;
          const page = await store.messages.list(s.id, { beforeSeq: 40, limit: 10 });
          await store.messages.list(s.id, { cursor: page.nextCursor, limit: 10 });
          await store
            .tenant("t")
            .messages.list(s.id, { beforeSeq: 40 })
            .catch(() => undefined);
          rec.recording.on = false;
          const reads = rec.statements.filter((st) => /\bseq < \?/.test(st.sql));
          expect(reads).toHaveLength(3);
          for (const st of reads) {
            const text = JSON.stringify(st, null, 2);
            expect(
              st.plan.some((line) =>
                /^SEARCH messages USING (COVERING )?INDEX \S+ \(session_pk=\? AND seq<\?\)/.test(
                  line,
                ),
              ),
              text,
            ).toBe(true);
            expect(
              st.plan.filter((line) => /TEMP B-TREE|^SCAN messages/.test(line)),
              text,
            ).toEqual([]);
          }
        } finally {
          await store.close();
        }
      },
    );

    h.test(
      "chat.sessions-filter-metadata",
      "sessions.list metadata filter: top-level keys, exact JSON type and value, every page, per tenant",
      async () => {
        const store = await h.open();
        const make = async (metadata: Record<string, unknown>, tenantId: string | null = "app") =>
          (await store.sessions.create({ metadata: metadata as never, tenantId })).id;
        const u1a = await make({ userId: "u1" });
        const u1b = await make({ userId: "u1", pinned: true, n: 2.5 });
        const u1c = await make({ userId: "u1", pinned: false, n: 2 });
        await make({ userId: "u2" });
        const num = await make({ userId: 1 });
        const text1 = await make({ userId: "1" });
        const isTrue = await make({ userId: true });
        const isNull = await make({ userId: null });
        await make({ nested: { userId: "u1" } });
        await make({ userId: ["u1"] });
        await make({});
        const otherTenant = await make({ userId: "u1" }, "elsewhere");
        const view = store.tenant("app");
        const ids = async (o: ListSessionsOptions, on: SessionStore = view) =>
          (await listAll(on, o)).map((x) => x.id).sort();

        expect(await ids({ metadata: { userId: "u1" }, limit: 1 })).toEqual([u1a, u1b, u1c].sort());
        expect(await ids({ metadata: { userId: 1 } })).toEqual([num]);
        expect(await ids({ metadata: { userId: "1" } })).toEqual([text1]);
        expect(await ids({ metadata: { userId: true } })).toEqual([isTrue]);
        expect(await ids({ metadata: { userId: null } })).toEqual([isNull]);
        expect(await ids({ metadata: { userId: "u1", pinned: true } })).toEqual([u1b]);
        expect(await ids({ metadata: { userId: "u1", pinned: false } })).toEqual([u1c]);
        expect(await ids({ metadata: { n: 2 } })).toEqual([u1c]);
        expect(await ids({ metadata: { n: 2.5 } })).toEqual([u1b]);
        expect(await ids({ metadata: { userId: "nobody" } })).toEqual([]);
        // Quotes and SQL in keys and values are data.
        expect(await ids({ metadata: { "userId' OR 1=1 --": "u1" } })).toEqual([]);
        expect(await ids({ metadata: { userId: "u1' OR '1'='1" } })).toEqual([]);
        // Combined with the other filters and with the creation order.
        expect(
          await ids({ metadata: { userId: "u1" }, status: "active", orderBy: "created" }),
        ).toEqual([u1a, u1b, u1c].sort());
        // The root store sees every tenant's, or one tenant's.
        expect(await ids({ metadata: { userId: "u1" }, limit: 2 }, store)).toEqual(
          [u1a, u1b, u1c, otherTenant].sort(),
        );
        expect(await ids({ metadata: { userId: "u1" }, tenantId: "elsewhere" }, store)).toEqual([
          otherTenant,
        ]);
      },
    );

    h.test(
      "chat.sessions-filter-title",
      "sessions.list titleContains: a substring, ASCII case ignored, % _ and \\ matched literally",
      async () => {
        const store = await h.open();
        const titled = async (title: string | null) => (await store.sessions.create({ title })).id;
        const trip = await titled("Trip PLANS for June");
        const planB = await titled("plan b");
        const pct = await titled("100% done");
        const under = await titled("a_b");
        await titled("axb");
        const slash = await titled("back\\slash");
        const accent = await titled("Résumé notes");
        await titled(null);
        await titled("");
        const ids = async (titleContains: string) =>
          (await listAll(store, { titleContains, limit: 2 })).map((s) => s.id).sort();

        expect(await ids("plan")).toEqual([trip, planB].sort());
        expect(await ids("PLAN B")).toEqual([planB]);
        expect(await ids("%")).toEqual([pct]);
        expect(await ids("a_b")).toEqual([under]);
        expect(await ids("_")).toEqual([under]);
        expect(await ids("\\")).toEqual([slash]);
        expect(await ids("Résumé")).toEqual([accent]);
        expect(await ids("' OR 1=1 --")).toEqual([]);
        expect(await ids("zzz")).toEqual([]);
      },
    );

    h.test(
      "chat.sessions-order",
      "sessions.list orderBy lastActivity (default) and created: right order, keyset pages per order, cursors bound to their order",
      async () => {
        const store = await h.open();
        const view = store.tenant("t");
        const a = await view.sessions.create();
        h.clock.advance(1000);
        const b = await view.sessions.create();
        h.clock.advance(1000);
        const c = await view.sessions.create();
        // Two created in the same millisecond: ties broken by id.
        const d = await view.sessions.create();
        h.clock.advance(1000);
        await view.messages.append(a.id, user("a is active again"));
        const [d1, d2] = [c, d]
          .map((x) => x.id)
          .sort()
          .reverse();

        for (const on of [view, store] as SessionStore[]) {
          const activity = (await listAll(on, { limit: 1 })).map((x) => x.id);
          expect(activity).toEqual([a.id, d1, d2, b.id]);
          expect(
            (await listAll(on, { limit: 3, orderBy: "lastActivity" })).map((x) => x.id),
          ).toEqual(activity);
          expect((await listAll(on, { limit: 1, orderBy: "created" })).map((x) => x.id)).toEqual([
            d1,
            d2,
            b.id,
            a.id,
          ]);
          expect(
            (await listAll(on, { limit: 2, orderBy: "created", status: "active" })).map(
              (x) => x.id,
            ),
          ).toEqual([d1, d2, b.id, a.id]);
        }
        // A cursor continues only the order it was issued for.
        const byCreated = await view.sessions.list({ limit: 1, orderBy: "created" });
        const byActivity = await view.sessions.list({ limit: 1 });
        expect(
          await validationIssues(() => view.sessions.list({ cursor: byCreated.nextCursor })),
        ).toEqual(["cursor"]);
        expect(
          await validationIssues(() =>
            view.sessions.list({ cursor: byActivity.nextCursor, orderBy: "created" }),
          ),
        ).toEqual(["cursor"]);
        expect(
          await validationIssues(() =>
            view.sessions.list({ orderBy: "updated" as unknown as "created" }),
          ),
        ).toEqual(["orderBy"]);
      },
    );

    h.test(
      "chat.sessions-list-rules",
      "bad metadata and title filters are ValidationErrors naming the field",
      async () => {
        const store = await h.open();
        await store.sessions.create({ title: "x", metadata: { userId: "u1" } });
        const bad = async (options: unknown) =>
          validationIssues(() => store.sessions.list(options as ListSessionsOptions));
        expect(await bad({ metadata: { userId: { id: 1 } } })).toEqual(["metadata.userId"]);
        expect(await bad({ metadata: { userId: ["u1"] } })).toEqual(["metadata.userId"]);
        expect(await bad({ metadata: { userId: Number.NaN } })).toEqual(["metadata.userId"]);
        expect(await bad({ metadata: { userId: undefined } })).toEqual(["metadata.userId"]);
        expect(await fieldsRefused(() => store.sessions.list({ metadata: { "": "u1" } }))).toEqual([
          "metadata",
        ]);
        expect(
          await fieldsRefused(() =>
            store.sessions.list({ metadata: JSON.parse('{"__proto__": "u1"}') }),
          ),
        ).toEqual(["metadata"]);
        expect(
          await fieldsRefused(() => store.sessions.list({ metadata: { ["k".repeat(129)]: 1 } })),
        ).toEqual(["metadata"]);
        expect(await bad({ metadata: { userId: "u\uD800" } })).toEqual(["metadata.userId"]);
        expect(
          await bad({ metadata: Object.fromEntries(range(1, 9).map((i) => [`k${i}`, i])) }),
        ).toEqual(["metadata"]);
        expect(await bad({ metadata: "userId=u1" })).toEqual(["metadata"]);
        expect(await bad({ titleContains: "" })).toEqual(["titleContains"]);
        expect(await bad({ titleContains: "a\u0000b" })).toEqual(["titleContains"]);
        expect(await bad({ titleContains: 5 })).toEqual(["titleContains"]);
        // Eight keys are allowed.
        const eight = Object.fromEntries(range(1, 8).map((i) => [`k${i}`, i]));
        expect((await store.sessions.list({ metadata: eight })).items).toEqual([]);
      },
    );

    h.test(
      "chat.sessions-list-plans",
      "sessions.list with filters in the default order stays on the activity indexes (no table scan, no sort)",
      async (ctx) => {
        const rec = recordingDriver(await explainableDriver(h, ctx));
        const store = await openStore({ driver: rec.driver, clock: h.clock.read });
        try {
          for (let i = 0; i < 20; i++) {
            await store.sessions.create({
              tenantId: i % 2 ? "t" : null,
              title: `chat ${i}`,
              metadata: { userId: `u${i % 3}` },
            });
          }
          const filters = { metadata: { userId: "u1" }, titleContains: "CHAT", limit: 2 };
          rec.recording.on = true;
          const view = store.tenant("t");
          const first = await view.sessions.list(filters);
          await view.sessions.list({ ...filters, cursor: first.nextCursor });
          await view.sessions.list({ ...filters, status: "active" });
          const root = await store.sessions.list(filters);
          await store.sessions.list({ ...filters, cursor: root.nextCursor });
          rec.recording.on = false;
          const lists = rec.statements.filter((st) => /FROM sessions/.test(st.sql));
          expect(lists).toHaveLength(5);
          for (const st of lists) {
            const text = JSON.stringify(st, null, 2);
            expect(
              st.plan.filter((l) => /^SCAN sessions\b/.test(l)),
              text,
            ).toEqual([]);
            expect(
              st.plan.some((l) => /^SEARCH sessions USING INDEX sessions_by_/.test(l)),
              text,
            ).toBe(true);
          }
          // Per tenant and status there is no sort: the index yields the order.
          const [unfiltered, next, byStatus] = lists;
          expect(
            byStatus?.plan.filter((l) => /TEMP B-TREE/.test(l)),
            JSON.stringify(byStatus),
          ).toEqual([]);
          // Without a status, each status's run comes in index order and only
          // those runs (at most 3 × limit rows) are merged, as on the root store.
          for (const st of [unfiltered, next]) {
            const searches = st?.plan.filter((l) => /^SEARCH sessions\b/.test(l)) ?? [];
            expect(searches, JSON.stringify(st)).toHaveLength(3);
            for (const line of searches) {
              expect(line).toMatch(
                /USING INDEX sessions_by_tenant_status_activity \(tenant_id=\? AND status=\?/,
              );
            }
            expect(st?.sql).toMatch(/ORDER BY last_activity_at DESC, id DESC LIMIT \?\) UNION ALL/);
          }
        } finally {
          await store.close();
        }
      },
    );

    h.test(
      "chat.update-metadata-patch",
      "sessions.update metadataPatch merges (RFC 7386: null deletes, objects merge, the rest replaces) in one write",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create({
          title: "Untitled",
          metadata: { userId: "u1", a: 1, b: { c: 1, d: 2 }, list: [1, 2], scalar: "x" },
        });
        h.clock.advance(500);
        const renamed = await store.sessions.update(s.id, {
          title: "Trip plans",
          metadataPatch: {
            a: null,
            b: { d: null, e: 3 },
            list: [3],
            scalar: { now: "object" },
            pinned: true,
            gone: null,
          },
        });
        const expected = {
          userId: "u1",
          b: { c: 1, e: 3 },
          list: [3],
          scalar: { now: "object" },
          pinned: true,
        };
        expect(renamed.title).toBe("Trip plans");
        expect(renamed.metadata).toEqual(expected);
        expect(renamed.updatedAt).toBe(s.createdAt + 500);
        expect((await store.sessions.get(s.id)).metadata).toEqual(expected);
        // An empty patch changes nothing but updatedAt.
        expect((await store.sessions.update(s.id, { metadataPatch: {} })).metadata).toEqual(
          expected,
        );

        // Patches of different keys, all at once: none is lost.
        await Promise.all(
          range(1, 20).map((i) => store.sessions.update(s.id, { metadataPatch: { [`k${i}`]: i } })),
        );
        const after = (await store.sessions.get(s.id)).metadata;
        for (const i of range(1, 20)) expect(after[`k${i}`]).toBe(i);
        expect(after.userId).toBe("u1");
      },
    );

    h.test(
      "chat.update-metadata-patch-rules",
      "a metadataPatch that breaks a rule, alone or once merged, is a ValidationError and changes nothing",
      async () => {
        const store = await h.open({ limits: { maxMetadataBytes: 200 } });
        const s = await store.sessions.create({ title: "t", metadata: { big: "x".repeat(120) } });
        const unchanged = async () => {
          const now = await store.sessions.get(s.id);
          expect(now.metadata).toEqual({ big: "x".repeat(120) });
          expect(now.title).toBe("t");
          expect(now.updatedAt).toBe(s.updatedAt);
        };
        const bad = (patch: unknown) =>
          validationIssues(() => store.sessions.update(s.id, patch as never));
        // Each half fits; merged they do not.
        expect(await bad({ title: "u", metadataPatch: { more: "y".repeat(120) } })).toEqual([
          "metadataPatch",
        ]);
        await unchanged();
        expect(await bad({ metadata: {}, metadataPatch: {} })).toEqual(["metadataPatch"]);
        expect(
          await fieldsRefused(() =>
            store.sessions.update(s.id, { metadataPatch: JSON.parse('{"__proto__": {"x": 1}}') }),
          ),
        ).toEqual(["metadataPatch"]);
        expect(await bad({ metadataPatch: [1] })).toEqual(["metadataPatch"]);
        expect(await bad({ metadataPatch: { s: "a\uDC00" } })).toEqual(["metadataPatch.s"]);
        let deep: Record<string, unknown> = {};
        for (let i = 0; i < 70; i++) deep = { d: deep };
        expect((await bad({ metadataPatch: deep }))[0]).toMatch(/^metadataPatch/);
        await unchanged();
        // Deleting makes room: a patch that shrinks then grows the object fits.
        const fits = await store.sessions.update(s.id, {
          metadataPatch: { big: null, more: "y".repeat(120) },
        });
        expect(fits.metadata).toEqual({ more: "y".repeat(120) });

        // Archived sessions and other tenants' sessions cannot be patched.
        const t = await store.sessions.create({ tenantId: "t1" });
        await expect(
          store.tenant("t2").sessions.update(t.id, { metadataPatch: { x: 1 } }),
        ).rejects.toBeInstanceOf(SessionNotFoundError);
        await store.lifecycle.archive(t.id);
        await expect(
          store.sessions.update(t.id, { metadataPatch: { x: 1 } }),
        ).rejects.toBeInstanceOf(SessionArchivedError);
      },
    );

    h.test(
      "chat.closed-store-refusal",
      "a call after close() is refused with a PoolClosedError that says the store is closed and names the call",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create();
        const view = store.tenant("t");
        await store.close();
        const refusals: [string, () => Promise<unknown>][] = [
          ["sessions.get", () => store.sessions.get(s.id)],
          ["sessions.create", () => store.sessions.create()],
          ["messages.append", () => store.messages.append(s.id, user("x"))],
          ["messages.list", () => view.messages.list(s.id)],
          ["search", () => store.search("x")],
          ["stats", () => view.stats()],
        ];
        for (const [call, run] of refusals) {
          const error = await run().then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error, call).toBeInstanceOf(PoolClosedError);
          const message = (error as Error).message;
          expect(message, call).toMatch(/^the store is closed\b/);
          expect(message, call).toContain(`${call}()`);
          expect(message, call).not.toMatch(/pool/);
        }
      },
    );
  });
}
