import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  type NewMessage,
  type OpenStoreOptions,
  openStore,
  restoreBackup,
  type SessionStore,
  type Store,
  ValidationError,
} from "@llm-sessions/core";
import type { SqliteConnection } from "@llm-sessions/core/driver";
import { describe, expect, type TestContext } from "vitest";
import { capturingDriver } from "./capturing-driver.js";
import type { StoreHarness } from "./harness.js";

/**
 * Every bad input is a ValidationError raised before any SQL, so a rejected
 * call changes nothing: each test compares the whole database (every row of
 * every table, read on the store's own writer connection) before and after.
 */

const user = (content: string, extra: Partial<NewMessage> = {}): NewMessage => ({
  role: "user",
  content,
  ...extra,
});

/** Strings with a lone surrogate: high alone, low alone, two highs, high at the end. */
const ILL_FORMED = ["T\uD800", "\uDC00x", "a\uDBFF\uDBFFb", "end\uD83D"];

/** Same bounds as the store documents (core README, `limits.ts`). */
const MAX_COUNTER = 2 ** 31 - 1;
const MAX_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

interface Watched {
  store: Store;
  /** Every row of every table, as sorted JSON lines per table. */
  dump(): Promise<Record<string, string[]>>;
}

/** A store whose database the test can read directly, also for `:memory:`. */
async function openWatched(
  h: StoreHarness,
  ctx: TestContext,
  options: Partial<OpenStoreOptions> = {},
): Promise<Watched> {
  const cap = capturingDriver(await h.createDriver({ path: h.newPath() }));
  const store = await openStore({ driver: cap.driver, clock: h.clock.read, ...options });
  ctx.onTestFinished(() => store.close());
  const writer = (): SqliteConnection => cap.connections[0] as SqliteConnection;
  return {
    store,
    async dump() {
      // A later indexing pass would move queued messages into the index:
      // index them now, so that only the calls under test could change anything.
      await store.flushSearchIndex();
      const tables = await writer().all<{ name: string }>(
        "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name",
      );
      const out: Record<string, string[]> = {};
      for (const { name } of tables) {
        const rows = await writer().all(`SELECT * FROM "${name.replaceAll('"', '""')}"`);
        out[name] = rows.map((r) => JSON.stringify(r, plain)).sort();
      }
      return out;
    },
  };
}

const plain = (_key: string, v: unknown): unknown =>
  typeof v === "bigint" ? `${v}n` : v instanceof Uint8Array ? Buffer.from(v).toString("hex") : v;

/** A cursor of the store's format (base64url of a JSON array) holding `key`. */
const forged = (key: unknown[]): string =>
  Buffer.from(JSON.stringify(key), "utf8").toString("base64url");

/** One call that must be refused, with a label for the failure message. */
type Attempt = readonly [label: string, call: () => Promise<unknown> | unknown];

/**
 * Runs every attempt and returns the labels of those not refused with a
 * ValidationError (resolved, or another error), with what happened instead.
 */
async function notRefused(attempts: readonly Attempt[]): Promise<string[]> {
  const wrong: string[] = [];
  for (const [label, call] of attempts) {
    try {
      await call();
      wrong.push(`${label}: accepted`);
    } catch (error) {
      if (!(error instanceof ValidationError)) {
        wrong.push(`${label}: ${(error as Error)?.constructor?.name} ${(error as Error)?.message}`);
      }
    }
  }
  return wrong;
}

/** Every entry point that takes a string, with `bad` in each string field in turn. */
function stringAttempts(view: SessionStore, name: string, sid: string, bad: string): Attempt[] {
  const meta = [{ [bad]: 1 }, { k: bad }, { k: [1, { deep: [bad] }] }];
  const a = (label: string, call: () => Promise<unknown>): Attempt => [`${name}.${label}`, call];
  return [
    a("sessions.create id", () => view.sessions.create({ id: bad })),
    a("sessions.create title", () => view.sessions.create({ title: bad })),
    a("sessions.create model", () => view.sessions.create({ model: bad })),
    a("sessions.create tenantId", () => view.sessions.create({ tenantId: bad })),
    ...meta.map((m, i) =>
      a(`sessions.create metadata ${i}`, () => view.sessions.create({ metadata: m })),
    ),
    a("sessions.get", () => view.sessions.get(bad)),
    a("sessions.update id", () => view.sessions.update(bad, { title: "x" })),
    a("sessions.update title", () => view.sessions.update(sid, { title: bad })),
    a("sessions.update model", () => view.sessions.update(sid, { model: bad })),
    ...meta.map((m, i) =>
      a(`sessions.update metadata ${i}`, () => view.sessions.update(sid, { metadata: m })),
    ),
    a("sessions.delete", () => view.sessions.delete(bad)),
    a("sessions.fork id", () => view.sessions.fork(bad)),
    a("sessions.fork title", () => view.sessions.fork(sid, { title: bad })),
    a("sessions.fork new id", () => view.sessions.fork(sid, { id: bad })),
    a("sessions.fork metadata", () => view.sessions.fork(sid, { metadata: { k: bad } })),
    a("sessions.list model", () => view.sessions.list({ model: bad })),
    a("sessions.list tenantId", () => view.sessions.list({ tenantId: bad })),
    a("sessions.list cursor", () => view.sessions.list({ cursor: bad })),
    a("messages.append session", () => view.messages.append(bad, user("x"))),
    a("messages.append content", () => view.messages.append(sid, user(bad))),
    a("messages.append id", () => view.messages.append(sid, user("x", { id: bad }))),
    a("messages.append name", () => view.messages.append(sid, user("x", { name: bad }))),
    a("messages.append model", () => view.messages.append(sid, user("x", { model: bad }))),
    a("messages.append key", () => view.messages.append(sid, user("x", { idempotencyKey: bad }))),
    ...meta.map((m, i) =>
      a(`messages.append metadata ${i}`, () =>
        view.messages.append(sid, user("x", { metadata: m })),
      ),
    ),
    a("messages.append second of batch", () =>
      view.messages.append(sid, [user("fine"), user(bad)]),
    ),
    a("messages.last", () => view.messages.last(bad, 1)),
    a("messages.list session", () => view.messages.list(bad)),
    a("messages.list cursor", () => view.messages.list(sid, { cursor: bad })),
    a("messages.pop", () => view.messages.pop(bad)),
    a("messages.window", () => view.messages.window(bad)),
    a("messages.compact session", () =>
      view.messages.compact(bad, { throughSeq: 1, summary: user("x") }),
    ),
    a("messages.compact summary", () =>
      view.messages.compact(sid, { throughSeq: 1, summary: user(bad) }),
    ),
    a("messages.compact key", () =>
      view.messages.compact(sid, { throughSeq: 1, summary: user("x"), idempotencyKey: bad }),
    ),
    a("messages.replaceTail session", () =>
      view.messages.replaceTail(bad, { afterSeq: 0, expectedLastSeq: 2, messages: [] }),
    ),
    a("messages.replaceTail content", () =>
      view.messages.replaceTail(sid, { afterSeq: 0, expectedLastSeq: 2, messages: [user(bad)] }),
    ),
    a("search text", () => view.search(bad)),
    a("search text with a word", () => view.search(`hello ${bad}`)),
    a("search sessionId", () => view.search("hello", { sessionId: bad })),
    a("search model", () => view.search("hello", { model: bad })),
    a("search cursor", () => view.search("hello", { cursor: bad })),
    a("search mark open", () => view.search("hello", { mark: [bad, "]"] })),
    a("search mark close", () => view.search("hello", { mark: ["[", bad] })),
  ];
}

/** A store with a session (and a tenant's session) holding messages. */
async function seeded(w: Watched): Promise<{ root: string; tenant: string }> {
  const { store } = w;
  const s = await store.sessions.create({ id: "root-s", metadata: { a: 1 } });
  await store.messages.append(s.id, [user("hello world"), user("hello again")]);
  const t = await store.tenant("T").sessions.create({ id: "tenant-s" });
  await store.tenant("T").messages.append(t.id, user("hello tenant"));
  return { root: s.id, tenant: t.id };
}

/** Nested objects `{ a: { a: ... } }`, `levels` deep counting the outer one. */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true };
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
}

/** Every entry point that takes metadata, with `metadata`. */
function metadataAttempts(store: Store, sid: string, label: string, metadata: unknown): Attempt[] {
  const m = metadata as Record<string, never>;
  return [
    [`create ${label}`, () => store.sessions.create({ metadata: m })],
    [`update ${label}`, () => store.sessions.update(sid, { metadata: m })],
    [`fork ${label}`, () => store.sessions.fork(sid, { metadata: m })],
    [`append ${label}`, () => store.messages.append(sid, user("x", { metadata: m }))],
  ];
}

export function registerInputTests(h: StoreHarness): void {
  describe("input validation", () => {
    h.test(
      "input.ill-formed-utf16",
      "a lone surrogate in any string of any entry point is a ValidationError and changes nothing; tenants T\\uD800, T\\uDC00 and T\\uFFFD never meet",
      async (ctx) => {
        const w = await openWatched(h, ctx);
        const { store } = w;
        const ids = await seeded(w);
        const before = await w.dump();
        for (const bad of ILL_FORMED) {
          const attempts: Attempt[] = [
            ["store.tenant", () => store.tenant(bad)],
            ...stringAttempts(store, "root", ids.root, bad),
            ...stringAttempts(store.tenant("T"), "tenant", ids.tenant, bad),
            ["lifecycle.archive", () => store.lifecycle.archive(bad)],
            ["lifecycle.restore", () => store.lifecycle.restore(bad)],
            ["lifecycle.touch", () => store.lifecycle.touch(bad)],
            // A forged cursor can spell the lone surrogate inside its JSON key.
            [
              "sessions.list forged cursor",
              () => store.sessions.list({ cursor: forged([0, bad]) }),
            ],
            ["search forged cursor", () => store.search("hello", { cursor: forged([1, bad]) })],
          ];
          expect(await notRefused(attempts), JSON.stringify(bad)).toEqual([]);
        }
        expect(await w.dump()).toEqual(before);

        // On libSQL both lone surrogates used to be bound as U+FFFD: three tenants became one.
        const replacement = store.tenant("T\uFFFD");
        await replacement.sessions.create({ id: "fffd-s" });
        expect(
          await notRefused([
            ["tenant high", () => store.tenant("T\uD800")],
            ["tenant low", () => store.tenant("T\uDC00")],
            ["list high", () => store.sessions.list({ tenantId: "T\uD800" })],
            ["create low", () => store.sessions.create({ tenantId: "T\uDC00" })],
          ]),
        ).toEqual([]);
        expect((await replacement.sessions.list()).items.map((s) => s.id)).toEqual(["fffd-s"]);
        expect((await store.tenant("T").sessions.list()).items.map((s) => s.id)).toEqual([
          "tenant-s",
        ]);
      },
    );

    h.test(
      "input.nul-in-tenant-id",
      "a NUL inside a tenant id (or a search query or marker) is a ValidationError and changes nothing",
      async (ctx) => {
        const w = await openWatched(h, ctx);
        const { store } = w;
        await seeded(w);
        const before = await w.dump();
        expect(
          await notRefused([
            ["store.tenant", () => store.tenant("A\u0000evil")],
            ["create tenantId", () => store.sessions.create({ tenantId: "A\u0000evil" })],
            ["list tenantId", () => store.sessions.list({ tenantId: "T\u0000" })],
            ["search text", () => store.search("hello\u0000world")],
            ["search mark", () => store.search("hello", { mark: ["\u0000", "]"] })],
          ]),
        ).toEqual([]);
        expect(await w.dump()).toEqual(before);
        // libSQL cut the id at the NUL: "A\0evil" was tenant "A".
        expect((await store.tenant("A").sessions.list()).items).toEqual([]);
      },
    );

    h.test(
      "input.number-bounds",
      "tokens and latencyMs up to 2^31-1, times up to year 9999, seq arguments up to 2^53-1: one more is a ValidationError and changes nothing",
      async (ctx) => {
        const w = await openWatched(h, ctx);
        const { store } = w;
        const s = await store.sessions.create({ id: "s", expiresAt: MAX_TIME });
        const [m] = await store.messages.append(
          s.id,
          user("max", { tokens: MAX_COUNTER, latencyMs: MAX_COUNTER }),
        );
        expect(m).toMatchObject({ tokens: MAX_COUNTER, latencyMs: MAX_COUNTER });
        expect((await store.sessions.update(s.id, { expiresAt: MAX_TIME })).expiresAt).toBe(
          MAX_TIME,
        );
        expect(
          (await store.messages.list(s.id, { afterSeq: Number.MAX_SAFE_INTEGER })).items,
        ).toEqual([]);
        const before = await w.dump();
        expect(
          await notRefused([
            ["tokens", () => store.messages.append(s.id, user("x", { tokens: MAX_COUNTER + 1 }))],
            [
              "tokens 2^53-1",
              () => store.messages.append(s.id, user("x", { tokens: 2 ** 53 - 1 })),
            ],
            [
              "latencyMs",
              () => store.messages.append(s.id, user("x", { latencyMs: MAX_COUNTER + 1 })),
            ],
            ["tokens NaN", () => store.messages.append(s.id, user("x", { tokens: Number.NaN }))],
            ["create expiresAt", () => store.sessions.create({ expiresAt: MAX_TIME + 1 })],
            ["update expiresAt", () => store.sessions.update(s.id, { expiresAt: MAX_TIME + 1 })],
            ["update expiresAt -1", () => store.sessions.update(s.id, { expiresAt: -1 })],
            [
              "afterSeq",
              () => store.messages.list(s.id, { afterSeq: Number.MAX_SAFE_INTEGER + 1 }),
            ],
            ["atSeq", () => store.sessions.fork(s.id, { atSeq: Number.MAX_SAFE_INTEGER + 1 })],
            ["last n", () => store.messages.last(s.id, 1001)],
            ["limit Infinity", () => store.sessions.list({ limit: Number.POSITIVE_INFINITY })],
          ]),
        ).toEqual([]);
        expect(await w.dump()).toEqual(before);
      },
    );

    h.test(
      "input.stats-at-the-maximum",
      "2,000 messages of the largest token count: the session counters and stats() stay exact, for a tenant and the root store",
      async (ctx) => {
        const w = await openWatched(h, ctx);
        const { store } = w;
        const tenant = store.tenant("big");
        const perSession = 1000;
        for (const id of ["a", "b"]) {
          await tenant.sessions.create({ id, model: "m" });
          const batch = Array.from({ length: perSession }, (_, i) =>
            user(`m${i}`, { tokens: MAX_COUNTER, latencyMs: MAX_COUNTER }),
          );
          await tenant.messages.append(id, batch);
          expect((await tenant.sessions.get(id)).tokenCount).toBe(perSession * MAX_COUNTER);
        }
        const total = 2 * perSession * MAX_COUNTER;
        const stats = await tenant.stats();
        expect(stats.tokens).toBe(total);
        expect(stats.messages).toBe(2 * perSession);
        expect(stats.byModel.map(({ usage: _usage, ...group }) => group)).toEqual([
          { model: "m", sessions: 2, messages: 2000, tokens: total },
        ]);
        expect((await store.stats()).tokens).toBeGreaterThanOrEqual(total);
      },
    );

    h.test(
      "input.metadata-shape",
      "metadata deeper than 64 levels, circular, with a throwing getter, not plain data, or too big through shared references is a ValidationError before SQL",
      async (ctx) => {
        const w = await openWatched(h, ctx, { limits: { maxMetadataBytes: 4096 } });
        const { store } = w;
        const { root: sid } = await seeded(w);
        // 64 levels is the documented maximum; accepted by every entry point.
        const deepest = nested(64);
        await store.sessions.update(sid, { metadata: deepest as never });
        expect((await store.sessions.get(sid)).metadata).toEqual(deepest);
        const [m] = await store.messages.append(sid, user("deep", { metadata: deepest as never }));
        expect(m?.metadata).toEqual(deepest);

        const circular: Record<string, unknown> = { a: { b: [] } };
        ((circular.a as { b: unknown[] }).b as unknown[]).push(circular);
        const throwing = Object.defineProperty({}, "x", {
          enumerable: true,
          get() {
            throw new Error("getter says no");
          },
        });
        const trap = new Proxy(
          {},
          {
            ownKeys() {
              throw new Error("trap says no");
            },
          },
        );
        // 30 levels of { a: x, b: x }: tiny in memory, 2^30 leaves as JSON.
        let bomb: Record<string, unknown> = { leaf: 1 };
        for (let i = 0; i < 30; i++) bomb = { a: bomb, b: bomb };
        const cases: [string, unknown][] = [
          ["65 levels", nested(65)],
          ["1,200 levels (SQLite's CHECK)", nested(1200)],
          ["1,500 levels (zod's RangeError)", nested(1500)],
          ["100,000 levels", nested(100_000)],
          ["circular", circular],
          ["throwing getter", throwing],
          ["throwing proxy", trap],
          ["shared-reference bomb", bomb],
          ["Date", { d: new Date(0) }],
          ["Map", { m: new Map() }],
          ["class instance", { c: new (class Point {})() }],
          ["undefined value", { u: undefined }],
          ["array hole", { a: new Array(2) }],
          ["NaN", { n: Number.NaN }],
          ["Infinity", { n: Number.POSITIVE_INFINITY }],
          ["bigint", { n: 1n }],
          ["function", { f: () => 1 }],
          ["symbol", { s: Symbol("s") }],
          ["array at the top", [1, 2]],
          ["string at the top", "meta"],
          ["too big", { s: "x".repeat(5000) }],
        ];
        const before = await w.dump();
        const attempts = cases.flatMap(([label, value]) =>
          metadataAttempts(store, sid, label, value),
        );
        expect(await notRefused(attempts)).toEqual([]);
        expect(await w.dump()).toEqual(before);

        // The same object in two places is not a cycle: stored as two copies.
        const shared = { k: [1, 2] };
        const twice = await store.sessions.create({ metadata: { x: shared, y: shared } });
        expect(twice.metadata).toEqual({ x: { k: [1, 2] }, y: { k: [1, 2] } });
      },
    );

    h.test(
      "input.metadata-proto-key",
      "a __proto__ key in metadata (at any depth) is a ValidationError, not silently dropped",
      async (ctx) => {
        const w = await openWatched(h, ctx);
        const { store } = w;
        const { root: sid } = await seeded(w);
        const before = await w.dump();
        // JSON.parse makes __proto__ an own key, as a request body would carry it.
        const cases: [string, unknown][] = [
          ["top", JSON.parse('{"__proto__": {"admin": true}}')],
          ["nested", JSON.parse('{"a": [{"__proto__": 1}]}')],
        ];
        const attempts = cases.flatMap(([label, value]) =>
          metadataAttempts(store, sid, label, value),
        );
        expect(await notRefused(attempts)).toEqual([]);
        expect(await w.dump()).toEqual(before);
        // Other names of the prototype machinery are ordinary keys.
        const s = await store.sessions.create({
          metadata: { constructor: 1, prototype: { a: 2 } },
        });
        expect((await store.sessions.get(s.id)).metadata).toEqual({
          constructor: 1,
          prototype: { a: 2 },
        });
      },
    );

    h.test(
      "input.hostile-objects",
      "inputs whose getters or proxy traps throw are a ValidationError (not the raw error) and change nothing",
      async (ctx) => {
        const w = await openWatched(h, ctx);
        const { store } = w;
        const { root: sid } = await seeded(w);
        const before = await w.dump();
        const boom = <T extends object>(base: T, key: string): T =>
          Object.defineProperty({ ...base }, key, {
            enumerable: true,
            get() {
              throw new Error("boom");
            },
          });
        const revoked = Proxy.revocable({}, {});
        revoked.revoke();
        expect(
          await notRefused([
            ["append content getter", () => store.messages.append(sid, boom(user("x"), "content"))],
            [
              "append array getter",
              () => store.messages.append(sid, [user("ok"), boom(user("x"), "role")]),
            ],
            ["create getter", () => store.sessions.create(boom({}, "title"))],
            ["update getter", () => store.sessions.update(sid, boom({}, "metadata"))],
            ["list revoked proxy", () => store.sessions.list(revoked.proxy)],
            ["search options getter", () => store.search("hello", boom({}, "limit"))],
            ["fork options getter", () => store.sessions.fork(sid, boom({}, "atSeq"))],
          ]),
        ).toEqual([]);
        expect(await w.dump()).toEqual(before);
      },
    );

    h.test(
      "input.limits-consistent",
      "openStore refuses a default page larger than the largest page and limits past their ceilings; every default page honours maxPageSize",
      async (ctx) => {
        const driver = await h.createDriver({ path: h.newPath() });
        for (const limits of [
          { defaultPageSize: 500, maxPageSize: 10 },
          { defaultPageSize: 1001 },
          { maxPageSize: 0 },
          { maxPageSize: 10_001 },
          { maxContentBytes: 2 ** 40 },
          { maxBatchSize: 1.5 },
        ]) {
          const error = await openStore({ driver, limits }).then(
            (s) => s.close().then(() => "opened"),
            (e: unknown) => e,
          );
          expect(error, JSON.stringify(limits)).toBeInstanceOf(ValidationError);
        }
        // maxPageSize alone lowers the default page to it.
        const w = await openWatched(h, ctx, { limits: { maxPageSize: 10 } });
        const { store } = w;
        for (let i = 0; i < 12; i++) await store.sessions.create({ id: `s${i}` });
        await store.messages.append(
          "s0",
          Array.from({ length: 12 }, (_, i) => user(`hello ${i}`)),
        );
        expect((await store.sessions.list()).items).toHaveLength(10);
        expect((await store.messages.list("s0")).items).toHaveLength(10);
        expect((await store.search("hello")).items).toHaveLength(10);
        await expect(store.sessions.list({ limit: 11 })).rejects.toBeInstanceOf(ValidationError);
        await expect(store.messages.last("s0", 11)).rejects.toBeInstanceOf(ValidationError);
      },
    );

    h.test(
      "input.file-paths",
      "backup and restore refuse a path with a lone surrogate or a NUL (Node would write another file) and create nothing",
      async () => {
        // Refused before anything else, on every target (:memory: included).
        const store = await h.open();
        await store.sessions.create({ id: "kept" });
        const dir = dirname(h.newPath());
        const before = readdirSync(dir).sort();
        for (const name of ["bad\uD800.db", "bad\uDC00x.db", "bad\u0000.db"]) {
          const path = join(dir, name);
          await expect(store.maintenance.backup(path), JSON.stringify(name)).rejects.toBeInstanceOf(
            ValidationError,
          );
          await expect(
            restoreBackup(path, h.newPath(), { createDriver: (p) => h.createDriver({ path: p }) }),
            JSON.stringify(name),
          ).rejects.toBeInstanceOf(ValidationError);
        }
        expect(readdirSync(dir).sort()).toEqual(before);
      },
    );
  });
}
