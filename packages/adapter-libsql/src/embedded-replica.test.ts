import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore, SqliteError, type Store, UnsupportedOperationError } from "@llm-sessions/core";
import { type SqldServer, startSqld } from "@llm-sessions/stress/sqld";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { fileUrl, libsql } from "./index.js";
import type { LibsqlOptions } from "./options.js";
import { serverOf } from "./test-support/sqld-target.js";

/** Polls `read` every 10 ms until `done` holds for its value (a hang guard of 60 s). */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const available = serverOf(inject("sqld")) !== undefined;

/**
 * A store on an embedded replica: what a caller sees (README, "Embedded
 * replicas"). Each test has a primary database of its own (a fresh sqld) and
 * replica files in a folder of its own.
 */
describe.skipIf(!available)("a store on an embedded replica", () => {
  let primary: SqldServer;
  let dir: string;
  const stores: Store[] = [];
  beforeAll(async () => {
    primary = await startSqld();
  });
  afterAll(async () => {
    await primary?.stop();
  });
  afterEach(async () => {
    await Promise.allSettled(stores.splice(0).map((s) => s.close()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const replica = (name: string, more: Partial<LibsqlOptions> = {}) => {
    dir ??= mkdtempSync(join(tmpdir(), "llm-sessions-replica-"));
    if (!existsSync(dir)) dir = mkdtempSync(join(tmpdir(), "llm-sessions-replica-"));
    return libsql({ url: fileUrl(join(dir, name)), syncUrl: primary.httpUrl, ...more });
  };
  const open = async (name: string, more: Partial<LibsqlOptions> = {}): Promise<Store> => {
    const store = await openStore({ driver: replica(name, more) });
    stores.push(store);
    return store;
  };
  const user = (content: string, idempotencyKey?: string) => ({
    role: "user" as const,
    content,
    ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
  });

  it("reads its own writes at once, on every reader connection: last, list, search, stats and the session right after each append", async () => {
    const store = await open("a.db");
    const session = await store.sessions.create({ title: "ryw" });
    for (let i = 1; i <= 12; i++) {
      const [stored] = await store.messages.append(session.id, [user(`turn ${i} zebra${i}`)]);
      // Several reads at once, so that more than one reader connection serves them.
      const [last, page, hits, got, stats] = await Promise.all([
        store.messages.last(session.id, 1),
        store.messages.list(session.id, { afterSeq: i - 1 }),
        store.search(`zebra${i}`),
        store.sessions.get(session.id),
        store.stats(),
      ]);
      expect(last.map((m) => m.id)).toEqual([stored?.id]);
      expect(page.items.map((m) => m.seq)).toEqual([i]);
      expect(hits.items.map((h) => h.message.id)).toEqual([stored?.id]);
      expect(got).toMatchObject({ messageCount: i, lastSeq: i });
      expect(stats.messages).toBe(i);
    }
    expect(store.poolStats().readers.opened).toBeGreaterThan(1);
  });

  it("another replica reads what it last synced: stale until its own next write, or its syncIntervalMs", async () => {
    const a = await open("a.db");
    const b = await open("b.db");
    const c = await open("c.db", { syncIntervalMs: 20 });
    const session = await a.sessions.create({ title: "shared" });
    await a.messages.append(session.id, [user("one")]);
    // b synced when it opened, before the session existed, and has not synced since.
    await expect(b.sessions.get(session.id)).rejects.toMatchObject({
      name: "SessionNotFoundError",
    });
    // Its own write syncs it, and brings everything the primary had committed.
    await b.sessions.create({ title: "b's own" });
    expect((await b.sessions.get(session.id)).messageCount).toBe(1);
    // c syncs on its own.
    const seen = await eventually(
      () =>
        c.sessions.get(session.id).then(
          (s) => s.messageCount,
          () => 0,
        ),
      (n) => n === 1,
    );
    expect(seen).toBe(1);
    // A write through b is on the primary, and so in a's next sync (its next write).
    await b.messages.append(session.id, [user("two")]);
    await a.sessions.create({});
    expect((await a.messages.last(session.id, 2)).map((m) => m.content)).toEqual(["one", "two"]);
  });

  it("appends through the replica are idempotent like any: the same key again stores nothing", async () => {
    const store = await open("a.db");
    const session = await store.sessions.create({});
    const [first] = await store.messages.append(session.id, [user("once", "k1")]);
    const [again] = await store.messages.append(session.id, [user("once", "k1")]);
    expect(again).toMatchObject({ id: first?.id, seq: 1 });
    expect((await store.sessions.get(session.id)).messageCount).toBe(1);
  });

  it("two stores of one process on one replica file share its replicator; another primary for that file is MISUSE", async () => {
    const a = await open("a.db");
    const b = await open("a.db");
    const session = await a.sessions.create({});
    await a.messages.append(session.id, [user("from a")]);
    // One file, one sync: b reads a's write at once too.
    expect((await b.messages.last(session.id, 1)).map((m) => m.content)).toEqual(["from a"]);
    const other = await startSqld();
    try {
      const wrong = libsql({ url: fileUrl(join(dir, "a.db")), syncUrl: other.httpUrl });
      await expect(openStore({ driver: wrong })).rejects.toMatchObject({ code: "MISUSE" });
    } finally {
      await other.stop();
    }
  });

  it("finds its data again when reopened on the same file", async () => {
    const first = await open("a.db");
    const session = await first.sessions.create({});
    await first.messages.append(session.id, [user("kept")]);
    await first.close();
    const again = await open("a.db");
    expect((await again.messages.last(session.id, 1)).map((m) => m.content)).toEqual(["kept"]);
    await again.messages.append(session.id, [user("more")]);
    expect((await again.sessions.get(session.id)).lastSeq).toBe(2);
  });

  it("a deleted replica file is not a lost database: the next open syncs a fresh copy", async () => {
    const first = await open("a.db");
    const session = await first.sessions.create({});
    await first.messages.append(session.id, [user("on the primary")]);
    await first.close();
    for (const name of readdirSync(dir)) rmSync(join(dir, name));
    const again = await open("a.db");
    expect((await again.messages.last(session.id, 1)).map((m) => m.content)).toEqual([
      "on the primary",
    ]);
  });

  it("never writes the local file itself: a write outside a transaction runs on the primary, one inside a read snapshot is READONLY", async () => {
    await open("a.db");
    const conn = await replica("a.db").connect();
    const direct = await libsql({ url: primary.httpUrl }).connect();
    try {
      await conn.exec("CREATE TABLE scratch (x)");
      expect(await conn.run("INSERT INTO scratch VALUES (1)")).toMatchObject({ changes: 1 });
      // On the primary, and (synced) in the replica at once.
      expect(await direct.get("SELECT count(*) AS n FROM scratch")).toEqual({ n: 1 });
      expect(await conn.get("SELECT count(*) AS n FROM scratch")).toEqual({ n: 1 });
      await expect(
        conn.transaction("deferred", (tx) => tx.run("INSERT INTO scratch VALUES (2)")),
      ).rejects.toMatchObject({ code: "READONLY" });
      await conn.transaction("immediate", (tx) => tx.run("INSERT INTO scratch VALUES (3)"));
      expect(await conn.all("SELECT x FROM scratch ORDER BY x")).toEqual([{ x: 1 }, { x: 3 }]);
    } finally {
      await conn.close();
      await direct.close();
    }
  });

  it("maintenance answers as on a server: backup and vacuum unsupported, optimize without ANALYZE, integrity checks the replica", async () => {
    const store = await open("a.db");
    const session = await store.sessions.create({});
    await store.messages.append(session.id, [user("hello")]);
    await expect(store.maintenance.backup(join(dir, "copy.db"))).rejects.toBeInstanceOf(
      UnsupportedOperationError,
    );
    expect(existsSync(join(dir, "copy.db"))).toBe(false);
    expect(await store.maintenance.vacuum()).toMatchObject({ status: "unsupported" });
    expect(await store.maintenance.checkpoint()).toMatchObject({ status: "unsupported" });
    expect(await store.maintenance.optimize()).toMatchObject({
      status: "done",
      analyzed: false,
      searchIndexMerged: true,
    });
    expect(await store.integrity.check()).toMatchObject({ ok: true, findings: [] });
  });

  it("a primary that does not answer fails the open with a typed SqliteError", async () => {
    const gone = await startSqld();
    const url = gone.httpUrl;
    await gone.stop();
    dir ??= mkdtempSync(join(tmpdir(), "llm-sessions-replica-"));
    const driver = libsql({ url: fileUrl(join(dir, "orphan.db")), syncUrl: url });
    const error = await openStore({ driver }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SqliteError);
    expect(error).toMatchObject({ code: "IOERR" });
  });
});
