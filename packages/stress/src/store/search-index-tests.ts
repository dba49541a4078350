import type { OpenStoreOptions, Store } from "@llm-sessions/core";
import type { SqliteConnection } from "@llm-sessions/core/driver";
import { describe, expect, type TestContext } from "vitest";
import { expectSound, type StoreHarness } from "./harness.js";

/**
 * Schema v3 indexes messages for search just after they commit: appends queue
 * them, and a batch inside a later append or a background pass indexes the
 * queue (search only reads it). These tests pin down both halves: search never
 * misses a committed message whatever the pass has done, and the pass runs
 * when it says it does.
 */

/** Background passes that never run by themselves during a test. */
const NO_BACKGROUND = { batch: 100_000, delayMs: 60_000 };

const user = (content: string) => ({ role: "user" as const, content });

const contentsFound = async (store: Store, query: string) =>
  (await store.search(query, { limit: 100 })).items.map((h) => h.message.content).sort();

/** A raw connection to the store's file, to watch the queue without indexing it. */
async function fileStore(
  h: StoreHarness,
  ctx: TestContext,
  searchIndexing: OpenStoreOptions["searchIndexing"],
): Promise<{ store: Store; raw: SqliteConnection; path: string }> {
  const path = h.newPath();
  const driver = await h.createDriver({ path });
  if (!driver.capabilities.file) ctx.skip("watches the queue through a second connection");
  const store = await h.open({ path, searchIndexing });
  const raw = await driver.connect();
  ctx.onTestFinished(() => raw.close());
  return { store, raw, path };
}

/** Whether the index holds a message with `word` (read without indexing the queue). */
const indexed = async (raw: SqliteConnection, word: string) =>
  (await raw.get("SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?", [word])) !==
  undefined;

const queued = async (raw: SqliteConnection) =>
  Number(
    (
      await raw.get<{ n: number }>(
        "SELECT count(*) AS n FROM messages WHERE pk > (SELECT indexed_through FROM search_index_state)",
      )
    )?.n,
  );

/** Polls until the queue is empty; fails after `ms`. */
async function queueEmpties(raw: SqliteConnection, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while ((await queued(raw)) > 0) {
    if (Date.now() > deadline) throw new Error(`the search queue still holds ${await queued(raw)}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function registerSearchIndexTests(h: StoreHarness): void {
  describe("search index queue", () => {
    h.test(
      "search-index.search-sees-queued",
      "search finds messages still queued for the index; flushSearchIndex reports what it indexed",
      async () => {
        const store = await h.open({ searchIndexing: NO_BACKGROUND });
        const s = await store.sessions.create({});
        await store.messages.append(s.id, [user("alpha one"), user("alpha two"), user("beta")]);
        expect(await store.flushSearchIndex()).toBe(3);
        expect(await store.flushSearchIndex()).toBe(0);
        await store.messages.append(s.id, [user("alpha three"), user("gamma")]);
        // No pass ran: search matches the two queued messages itself.
        expect(await contentsFound(store, "alpha")).toEqual([
          "alpha one",
          "alpha three",
          "alpha two",
        ]);
        expect(await contentsFound(store, "gamma")).toEqual(["gamma"]);
        // Search matched them without indexing them (it never writes).
        expect(await store.flushSearchIndex()).toBe(2);
      },
    );

    h.test(
      "search-index.newest-indexed-deleted",
      "after the newest indexed messages are deleted, a new message that takes their pk is still indexed and found",
      async () => {
        const store = await h.open({ searchIndexing: NO_BACKGROUND });
        const s = await store.sessions.create({});
        await store.messages.append(s.id, [
          user("otter one"),
          user("otter two"),
          user("otter three"),
        ]);
        await store.flushSearchIndex();
        // The newest rows go: SQLite gives the next row max(pk) + 1, a pk the
        // index has already passed.
        await store.messages.pop(s.id);
        await store.messages.pop(s.id);
        await store.messages.append(s.id, user("walrus arrives"));
        // Found while it waits for the index, and once indexed. (Counts of
        // what a flush indexed are not asserted: on a server the store's
        // opening pass may index concurrently.)
        expect(await contentsFound(store, "walrus")).toEqual(["walrus arrives"]);
        await store.flushSearchIndex();
        expect(await contentsFound(store, "walrus")).toEqual(["walrus arrives"]);
        expect(await contentsFound(store, "otter")).toEqual(["otter one"]);
        await expectSound(store);
      },
    );

    h.test(
      "search-index.queued-deletes",
      "popping, deleting and forking messages that are still queued leaves search exact and the index sound",
      async () => {
        const store = await h.open({ searchIndexing: NO_BACKGROUND });
        const a = await store.sessions.create({ id: "a" });
        const b = await store.sessions.create({ id: "b" });
        await store.messages.append(a.id, [user("kiwi indexed"), user("kiwi also indexed")]);
        await store.flushSearchIndex();
        // Queued (not indexed) from here on.
        await store.messages.append(a.id, [user("kiwi queued"), user("kiwi popped")]);
        await store.messages.append(b.id, [user("kiwi in b"), user("kiwi in b too")]);
        await store.messages.pop(a.id); // a queued message
        await store.sessions.fork(a.id, { id: "a-fork", atSeq: 3 });
        await store.sessions.delete(b.id); // two queued messages
        await store.messages.pop(a.id); // "kiwi queued": still queued
        await store.messages.pop(a.id); // "kiwi also indexed": in the index

        const report = await store.integrity.check();
        expect(report.findings).toEqual([]);
        const hits = (await store.search("kiwi", { limit: 100 })).items;
        expect(hits.map((x) => [x.message.sessionId, x.message.content]).sort()).toEqual([
          ["a", "kiwi indexed"],
          ["a-fork", "kiwi also indexed"],
          ["a-fork", "kiwi indexed"],
          ["a-fork", "kiwi queued"],
        ]);
      },
    );

    h.test(
      "search-index.background-batch",
      "a background pass runs once `batch` messages were appended, and not before",
      async (ctx) => {
        const { store, raw } = await fileStore(h, ctx, { batch: 4, delayMs: 60_000 });
        const s = await store.sessions.create({});
        for (const c of ["one", "two", "three"]) await store.messages.append(s.id, user(c));
        await new Promise((r) => setTimeout(r, 150));
        expect(await queued(raw)).toBe(3);
        await store.messages.append(s.id, user("four"));
        await queueEmpties(raw);
        expect(await indexed(raw, "four")).toBe(true);
      },
    );

    h.test(
      "search-index.batch-across-processes",
      "the batch is counted in the shared queue: two stores appending to one file index it once, together, at `batch` messages",
      async (ctx) => {
        // batch 8: each store looks at the queue every 2 of its own messages.
        const { store: a, raw, path } = await fileStore(h, ctx, { batch: 8, delayMs: 60_000 });
        const b = await h.open({ path, searchIndexing: { batch: 8, delayMs: 60_000 } });
        const sa = await a.sessions.create({});
        const sb = await b.sessions.create({});
        for (let i = 1; i <= 3; i++) {
          await a.messages.append(sa.id, user(`a${i}`));
          await b.messages.append(sb.id, user(`b${i}`));
        }
        await a.messages.append(sa.id, user("a4"));
        // Seven queued; neither store has appended eight, and neither would
        // ever index if each counted only its own messages.
        expect(await queued(raw)).toBe(7);
        await b.messages.append(sb.id, user("b4"));
        // b's append found eight queued and indexed them in its transaction.
        expect(await queued(raw)).toBe(0);
        expect(await indexed(raw, "a1")).toBe(true);
        expect(await indexed(raw, "b4")).toBe(true);
      },
    );

    h.test(
      "search-index.index-failure-spares-append",
      "an index that fails during an append is rolled back and reported; the append commits",
      async (ctx) => {
        const errors: unknown[] = [];
        const { store, raw } = await fileStore(h, ctx, {
          batch: 1,
          delayMs: 60_000,
          onError: (e) => errors.push(e),
        });
        const s = await store.sessions.create({});
        await raw.exec("DROP TABLE messages_fts");
        const [m] = await store.messages.append(s.id, user("still stored"));
        expect(m?.seq).toBe(1);
        expect(errors).toHaveLength(1);
        expect(await queued(raw)).toBe(1);
        expect((await store.messages.last(s.id, 5)).map((x) => x.content)).toEqual([
          "still stored",
        ]);
      },
    );

    h.test(
      "search-index.background-delay",
      "a background pass runs `delayMs` after a lone append",
      async (ctx) => {
        const { store, raw } = await fileStore(h, ctx, { batch: 100_000, delayMs: 20 });
        const s = await store.sessions.create({});
        await store.messages.append(s.id, user("lonely"));
        await queueEmpties(raw);
        expect(await indexed(raw, "lonely")).toBe(true);
      },
    );

    h.test(
      "search-index.close-indexes",
      "close() indexes what is still queued, so a clean shutdown leaves nothing behind",
      async (ctx) => {
        const { store, raw } = await fileStore(h, ctx, NO_BACKGROUND);
        const s = await store.sessions.create({});
        await store.messages.append(s.id, [user("x1"), user("x2")]);
        expect(await queued(raw)).toBe(2);
        await store.close();
        expect(await queued(raw)).toBe(0);
      },
    );

    h.test(
      "search-index.open-resumes",
      "opening a store indexes messages left queued by another writer",
      async (ctx) => {
        const { store, raw, path } = await fileStore(h, ctx, NO_BACKGROUND);
        await store.sessions.create({ id: "s" });
        await store.close();
        // Another program (or a process that died before its pass) queued these.
        await raw.run(
          `INSERT INTO messages (id, session_pk, seq, role, content, created_at)
           SELECT 'm1', pk, 1, 'user', 'left behind', 0 FROM sessions WHERE id = 's'
           UNION ALL SELECT 'm2', pk, 2, 'user', 'also left', 0 FROM sessions WHERE id = 's'`,
        );
        expect(await queued(raw)).toBe(2);
        await h.open({ path, searchIndexing: NO_BACKGROUND });
        await queueEmpties(raw);
        expect(await indexed(raw, "behind")).toBe(true);
      },
    );
  });
}
