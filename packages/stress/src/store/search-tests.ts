import {
  ConflictError,
  type Page,
  type SearchHit,
  type SqliteDriver,
  SqliteError,
  type Store,
  ValidationError,
} from "@llm-sessions/core";
import type { SqliteConnection, Transaction, TxSteps } from "@llm-sessions/core/driver";
import { describe, expect } from "vitest";
import type { StoreHarness } from "./harness.js";
import { recordingDriver } from "./recording-driver.js";

/** Background passes that never run by themselves during a test. */
const NO_BACKGROUND = { batch: 100_000, delayMs: 60_000 };

const user = (content: string, id?: string) => ({
  role: "user" as const,
  content,
  ...(id ? { id } : {}),
});

type Searcher = Pick<Store, "search">;

/** Every page of `query`, `limit` hits at a time: every field of every hit, and the cursors. */
async function allPages(
  view: Searcher,
  query: string,
  options: { limit: number; role?: "user" | "assistant"; sessionId?: string },
): Promise<{ items: SearchHit[]; nextCursor: string | null }[]> {
  const pages = [];
  let cursor: string | null = null;
  do {
    const page: Page<SearchHit> = await view.search(query, { ...options, cursor });
    pages.push(page);
    cursor = page.nextCursor;
  } while (cursor !== null && pages.length < 50);
  return pages;
}

/**
 * A driver whose write transactions fail with READONLY once `failing` is
 * set, as on a read-only file or a full disk: every write of the store
 * begins with BEGIN IMMEDIATE.
 */
function writeFailingDriver(driver: SqliteDriver): {
  driver: SqliteDriver;
  failing: { on: boolean };
} {
  const failing = { on: false };
  const refuse = () =>
    Promise.reject(new SqliteError("READONLY", "attempt to write a readonly database (test)"));
  const wrap = (conn: SqliteConnection): SqliteConnection => ({
    run: (sql, params) => conn.run(sql, params),
    get: (sql, params) => conn.get(sql, params),
    all: (sql, params) => conn.all(sql, params),
    exec: (sql) => conn.exec(sql),
    batch: (list) => conn.batch(list),
    transaction: <T>(mode: "immediate" | "deferred", fn: (tx: Transaction) => Promise<T>) =>
      failing.on && mode === "immediate" ? refuse() : conn.transaction(mode, fn),
    transactionSteps: <T>(mode: "immediate" | "deferred", steps: () => TxSteps<T>) =>
      failing.on && mode === "immediate" ? refuse() : conn.transactionSteps(mode, steps),
    writeBatch: (list) => (failing.on ? refuse() : conn.writeBatch(list)),
    inTransaction: () => conn.inTransaction(),
    close: () => conn.close(),
    get closed() {
      return conn.closed;
    },
  });
  return {
    failing,
    driver: {
      name: driver.name,
      target: driver.target,
      capabilities: driver.capabilities,
      connect: async (options) => wrap(await driver.connect(options)),
    },
  };
}

/** Store suite: search ranks, bounds and snippets. */
export function registerSearchTests(h: StoreHarness): void {
  describe("search: tenants, bounds, snippets, read-only", () => {
    h.test(
      "search.tenant-results-independent",
      "a tenant's search results (order, ranks, snippets, cursors) are the same whatever other tenants wrote",
      async () => {
        const A_TEXTS = [
          "how do I reset my password",
          "password reset link sent",
          "the password must be long",
          "passwords and passphrases",
          "nothing to see here",
          "reset the password again, password please",
        ];
        const B_TEXT = "password password password reset passport";
        // Store 1: only tenant A. Store 2: tenant B writes the same words
        // before, between and after A's messages.
        const alone = await h.open();
        const shared = await h.open();
        const bShared = shared.tenant("B");
        const bSession = await bShared.sessions.create({ id: "b1" });
        await bShared.messages.append(bSession.id, [user(B_TEXT), user(B_TEXT)]);
        for (const store of [alone, shared]) {
          const a = store.tenant("A");
          await a.sessions.create({ id: "a1" });
          await a.sessions.create({ id: "a2" });
          for (const [i, text] of A_TEXTS.entries()) {
            await a.messages.append(i % 2 === 0 ? "a1" : "a2", user(text, `a-m${i}`));
            if (store === shared) await bShared.messages.append("b1", user(`${B_TEXT} ${i}`));
          }
        }
        const results = async (store: Store) => {
          const a = store.tenant("A");
          return {
            word: await allPages(a, "password", { limit: 2 }),
            words: await allPages(a, "reset password", { limit: 1 }),
            prefix: await allPages(a, "pass*", { limit: 3 }),
            filtered: await allPages(a, "password", { limit: 2, sessionId: "a1", role: "user" }),
            // The administrator's view, narrowed to A's session, owes nothing to B either.
            root: await allPages(store, "password", { limit: 2, sessionId: "a2" }),
          };
        };
        const expected = await results(alone);
        expect(expected.word.flatMap((p) => p.items)).toHaveLength(4);
        expect(expected.prefix.flatMap((p) => p.items)).toHaveLength(5);
        expect(await results(shared)).toEqual(expected);
        // And B writing more (after A's messages) changes nothing for A.
        await bShared.messages.append("b1", [user(B_TEXT), user("reset reset password")]);
        await shared.flushSearchIndex();
        expect(await results(shared)).toEqual(expected);
        // B sees only its own messages.
        const bHits = (await bShared.search("password", { limit: 100 })).items;
        expect(bHits.every((x) => x.message.sessionId === "b1")).toBe(true);
      },
    );

    h.test(
      "search.newest-first-paged",
      "hits come newest first with ranks 1..n across pages; a cursor whose message is gone is a ConflictError",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create({});
        const other = await store.sessions.create({});
        for (let i = 1; i <= 7; i++) {
          await store.messages.append(i % 2 ? s.id : other.id, user(`kiwi number ${i}`));
        }
        const pages = await allPages(store, "kiwi", { limit: 3 });
        const hits = pages.flatMap((p) => p.items);
        expect(pages.map((p) => p.items.length)).toEqual([3, 3, 1]);
        expect(hits.map((x) => x.rank)).toEqual([1, 2, 3, 4, 5, 6, 7]);
        expect(hits.map((x) => x.message.content)).toEqual(
          [7, 6, 5, 4, 3, 2, 1].map((i) => `kiwi number ${i}`),
        );
        // The first page's last hit is message 5, in s after 1 and 3, before 7: pop 7 and 5.
        const first = await store.search("kiwi", { limit: 3 });
        expect(first.items.at(-1)?.message.content).toBe("kiwi number 5");
        await store.messages.pop(s.id);
        await store.messages.pop(s.id);
        await expect(
          store.search("kiwi", { limit: 3, cursor: first.nextCursor }),
        ).rejects.toBeInstanceOf(ConflictError);
        // A cursor of another tenant's message is unknown to this tenant, the same way.
        const t = store.tenant("t");
        const ts = await t.sessions.create({});
        await t.messages.append(ts.id, [user("kiwi t1"), user("kiwi t2")]);
        await expect(
          t.search("kiwi", { limit: 1, cursor: first.nextCursor }),
        ).rejects.toBeInstanceOf(ConflictError);
        await expect(store.search("kiwi", { cursor: "bm90IGEgY3Vyc29y" })).rejects.toBeInstanceOf(
          ValidationError,
        );
      },
    );

    h.test(
      "search.bounded-queries",
      "queries over the word, prefix and page bounds are ValidationErrors; queries at the bounds are answered",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create({});
        const words = Array.from({ length: 17 }, (_, i) => `w${i}x`);
        await store.messages.append(s.id, [user(words.join(" ")), user("lorem ipsum lorem")]);
        const refused = [
          ["l* m* i*", {}],
          ["lo*", {}],
          ["lor* ips* lor*", {}],
          ["x-lo*", {}],
          [words.join(" "), {}],
          [`${words.slice(0, 9).join("-")} ${words.slice(9).join("-")}`, {}],
          ["lorem", { limit: 201 }],
        ] as const;
        for (const [query, options] of refused) {
          await expect(store.search(query, options), query).rejects.toBeInstanceOf(ValidationError);
        }
        expect((await store.search(words.slice(0, 16).join(" "))).items).toHaveLength(1);
        expect((await store.search("lor* ips*")).items).toHaveLength(1);
        expect((await store.search("lorem", { limit: 200 })).items).toHaveLength(1);
        expect((await store.sessions.get(s.id)).messageCount).toBe(2);
      },
    );

    h.test(
      "search.snippets-every-row",
      "every hit of a full page, the 200th as the first, has its own exact snippet",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create({});
        const texts = Array.from(
          { length: 230 },
          (_, i) => `row ${i} has the needle near tail ${i}`,
        );
        for (let i = 0; i < texts.length; i += 100) {
          await store.messages.append(
            s.id,
            texts.slice(i, i + 100).map((t) => user(t)),
          );
        }
        await store.flushSearchIndex();
        const page = await store.search("needle", { limit: 200 });
        const rest = await store.search("need*", { limit: 200, cursor: page.nextCursor });
        const hits = [...page.items, ...rest.items];
        expect(hits).toHaveLength(230);
        for (const [i, hit] of hits.entries()) {
          expect(hit.message.content).toBe(texts[229 - i]);
          expect(hit.snippetParts.filter((p) => p.match).map((p) => p.text)).toEqual(["needle"]);
          expect(hit.snippetParts.map((p) => p.text).join("")).toBe(hit.message.content);
          expect(hit.snippet).toBe(hit.message.content.replace("needle", "«needle»"));
        }
      },
    );

    h.test(
      "search.page-walks-index-once",
      "a search page is one walk of the index, newest first: no sort, no MATCH re-run per row (EXPLAIN QUERY PLAN)",
      async () => {
        const rec = recordingDriver(await h.createDriver({ path: h.newPath() }));
        const store = await h.open({ driver: rec.driver, searchIndexing: NO_BACKGROUND });
        const t = store.tenant("t");
        const s = await t.sessions.create({});
        await t.messages.append(s.id, [user("needle one"), user("needle two"), user("x")]);
        await store.flushSearchIndex();
        await t.messages.append(s.id, [user("needle queued")]);
        rec.recording.on = true;
        const page = await t.search("needle", { limit: 1 });
        await t.search("need*", { limit: 5, role: "user", cursor: page.nextCursor });
        await store.search("needle", { sessionId: s.id, model: "m" });
        rec.recording.on = false;
        const withSnippets = rec.statements.filter((st) => st.sql.includes("snippet("));
        // The index, for each of the three searches (and the queue's temp index).
        expect(withSnippets.length).toBeGreaterThanOrEqual(3);
        for (const st of withSnippets) {
          // The first table the statement reads (on a server the page query is
          // a co-routine of a compound select that also asks for the queue).
          const first = st.plan.find((line) => /^(SCAN|SEARCH) /.test(line));
          expect(first, JSON.stringify(st)).toMatch(/^SCAN \S+ VIRTUAL TABLE/);
          expect(st.plan.join("\n"), JSON.stringify(st)).not.toMatch(/TEMP B-TREE/);
        }
      },
    );

    h.test(
      "search.snippet-markers-unforgeable",
      "content holding private-use characters (the old markers among them) is highlighted exactly and keeps every character",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create({});
        const forged =
          "a\u{F0001}fake\u{F0002}b zebra \u{F0002}c\u{F0001} \u{F0001}\u{F0002} «x» end";
        await store.messages.append(s.id, user(forged));
        const [hit] = (await store.search("zebra")).items;
        expect(hit?.snippetParts.filter((p) => p.match)).toEqual([{ text: "zebra", match: true }]);
        expect(hit?.snippetParts.map((p) => p.text).join("")).toBe(forged);
        expect(hit?.snippet).toBe(forged.replace("zebra", "«zebra»"));
        const [marked] = (await store.search("zebra", { mark: ["\u{F0001}", "\u{F0002}"] })).items;
        expect(marked?.snippetParts).toEqual(hit?.snippetParts);
      },
    );

    h.test(
      "search.answers-without-writing",
      "with every write failing, search still finds queued messages, exactly as once they are indexed",
      async () => {
        const w = writeFailingDriver(await h.createDriver({ path: h.newPath() }));
        const store = await h.open({ driver: w.driver, searchIndexing: NO_BACKGROUND });
        const t = store.tenant("acme");
        const s = await t.sessions.create({});
        await t.messages.append(s.id, [user("otter indexed one"), user("otter indexed two")]);
        expect(await store.flushSearchIndex()).toBe(2);
        await t.messages.append(s.id, [user("otter queued three"), user("otter queued four")]);
        const other = await store.sessions.create({});
        await store.messages.append(other.id, user("otter of the root tenant"));

        w.failing.on = true;
        await expect(t.sessions.create({})).rejects.toThrow();
        const queuedView = await allPages(t, "otter", { limit: 3 });
        const hits = queuedView.flatMap((p) => p.items);
        expect(hits.map((x) => x.message.content)).toEqual([
          "otter queued four",
          "otter queued three",
          "otter indexed two",
          "otter indexed one",
        ]);
        expect(hits[0]?.snippet).toBe("«otter» queued four");
        expect((await store.search("otter", { limit: 10 })).items).toHaveLength(5);

        w.failing.on = false;
        expect(await store.flushSearchIndex()).toBe(3);
        expect(await allPages(t, "otter", { limit: 3 })).toEqual(queuedView);
      },
    );
  });
}
