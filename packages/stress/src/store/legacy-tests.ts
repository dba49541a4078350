import { existsSync } from "node:fs";
import {
  type Message,
  MigrationRequiredError,
  migrateLegacy,
  type SqliteDriver,
  type Store,
  ValidationError,
} from "@llm-sessions/core";
import { describe, expect, type TestContext } from "vitest";
import {
  buildLegacyV0,
  type LegacyV0Manifest,
  type LegacyV0Options,
} from "../fixtures/legacy-v0.js";
import type { StoreHarness } from "./harness.js";

async function allMessages(store: Store, id: string): Promise<Message[]> {
  const all: Message[] = [];
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<Store["messages"]["list"]>> = await store.messages.list(id, {
      limit: 500,
      cursor,
    });
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

/** A v0 database written through the suite's own driver, on a file. */
async function legacyFile(
  h: StoreHarness,
  ctx: TestContext,
  options: LegacyV0Options,
): Promise<{ path: string; driver: SqliteDriver; manifest: LegacyV0Manifest }> {
  const path = h.newPath();
  const driver = await h.createDriver({ path });
  // A v0 database is a file someone already has; a private :memory: one vanishes with its connection.
  if (!driver.capabilities.file) ctx.skip("needs a database file");
  const conn = await driver.connect();
  try {
    return { path, driver, manifest: await buildLegacyV0(conn, options) };
  } finally {
    await conn.close();
  }
}

interface Quarantined {
  reason: string;
  source: string;
  session_id: string | null;
  message_id: string;
  original: string;
}

async function quarantined(driver: SqliteDriver): Promise<Quarantined[]> {
  const conn = await driver.connect();
  try {
    return await conn.all<Quarantined & Record<string, never>>(
      "SELECT reason, source, session_id, message_id, original FROM quarantined_messages ORDER BY pk",
    );
  } finally {
    await conn.close();
  }
}

/** The older (v0) layout: refused by openStore, brought forward by migrateLegacy. */
export function registerLegacyTests(h: StoreHarness): void {
  describe("legacy v0 databases", () => {
    h.test(
      "legacy.open-refuses-v0",
      "openStore refuses a v0 database with MigrationRequiredError and changes none of its rows",
      async (ctx) => {
        const { path, driver } = await legacyFile(h, ctx, { sessions: 5, orphans: 2 });
        const rows = async () => {
          const conn = await driver.connect();
          try {
            return [
              await conn.all("SELECT * FROM sessions ORDER BY session_id"),
              await conn.all("SELECT * FROM messages ORDER BY message_id"),
              await conn.get("PRAGMA user_version"),
            ];
          } finally {
            await conn.close();
          }
        };
        const before = await rows();
        const error = await h.open({ path }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(MigrationRequiredError);
        expect((error as Error).message).toMatch(/migrateLegacy|migrate/);
        expect(await rows()).toEqual(before);
      },
    );

    h.test(
      "legacy.migrate-1000-sessions",
      "1,000 sessions, 50 orphans, 100 wrong counts: migrated, check clean, every kept message in order, orphans quarantined",
      async (ctx) => {
        const { path, driver, manifest } = await legacyFile(h, ctx, {
          sessions: 1000,
          orphans: 50,
          wrongCounts: 100,
          seed: 7,
        });
        const backupTo = h.newPath("before-migrate.db");
        const report = await migrateLegacy({ driver, backupTo, clock: h.clock.read });
        expect(report.found).toBe("v0");
        expect(report.backup).toBe(backupTo);
        expect(report.legacy).toMatchObject({
          sessions: 1000,
          sessionsSkipped: 0,
          messages: manifest.keptMessages,
          orphansQuarantined: 50,
          unknownRolesQuarantined: 0,
          rolesMapped: manifest.synonymRoles,
          countersFixed: 100,
          timesFilledIn: 0,
        });
        expect(report.check.ok).toBe(true);

        const store = await h.open({ path });
        expect((await store.integrity.check({ full: true })).findings).toEqual([]);
        const stats = await store.stats();
        expect(stats.sessions.total).toBe(1000);
        expect(stats.messages).toBe(manifest.keptMessages);
        for (const session of manifest.sessions) {
          const got = await store.sessions.get(session.id);
          const expected = session.messages.filter((m) => m.role !== null);
          expect(got.messageCount).toBe(expected.length);
          expect(got.createdAt).toBe(session.createdAtMs);
          const messages = await allMessages(store, session.id);
          expect(
            messages.map((m) => [m.seq, m.id, m.role, m.content, m.createdAt, m.tokens]),
          ).toEqual(
            expected.map((m, i) => [
              i + 1,
              `v0-${m.messageId}`,
              m.role,
              m.content,
              m.atMs,
              m.tokens,
            ]),
          );
        }
        const q = await quarantined(driver);
        expect(q).toHaveLength(50);
        expect(q.map((r) => [r.reason, r.source, r.message_id, r.session_id])).toEqual(
          manifest.orphans.map((o) => ["orphan", "legacy-v0", String(o.messageId), o.sessionId]),
        );
        // The whole v0 row is kept.
        expect(JSON.parse(q[0]?.original ?? "{}")).toMatchObject({
          message_id: manifest.orphans[0]?.messageId,
          content: manifest.orphans[0]?.content,
          role: "user",
        });
        // The backup is the v0 database as it was.
        expect(existsSync(backupTo)).toBe(true);
        const backup = await (await h.createDriver({ path: backupTo })).connect();
        try {
          expect(await backup.get("SELECT count(*) AS n FROM messages")).toEqual({
            n: manifest.keptMessages + 50,
          });
          expect(await backup.get("PRAGMA user_version")).toEqual({ user_version: 0 });
        } finally {
          await backup.close();
        }
      },
    );

    h.test(
      "legacy.times-roles-metadata",
      "reads ISO, seconds and milliseconds times; maps role spellings (kept in metadata); quarantines unknown roles",
      async (ctx) => {
        for (const timeFormat of ["iso", "seconds", "ms", "mixed"] as const) {
          const { path, driver, manifest } = await legacyFile(h, ctx, {
            sessions: 20,
            messagesPerSession: [1, 6],
            unknownRoles: 5,
            timeFormat,
            seed: 3,
          });
          const report = await migrateLegacy({ driver, backupTo: false });
          expect(report.backup).toBeNull();
          expect(report.legacy.unknownRolesQuarantined).toBe(5);
          expect(report.legacy.rolesMapped).toBe(manifest.synonymRoles);
          expect(manifest.synonymRoles).toBeGreaterThan(0);
          const store = await h.open({ path });
          for (const session of manifest.sessions) {
            const got = await store.sessions.get(session.id);
            expect([got.createdAt, got.lastActivityAt]).toEqual([
              session.createdAtMs,
              session.lastActivityMs,
            ]);
            const expected = session.messages.filter((m) => m.role !== null);
            const messages = await allMessages(store, session.id);
            expect(messages.map((m) => [m.createdAt, m.role, m.metadata])).toEqual(
              expected.map((m) => [
                m.atMs,
                m.role,
                m.rawRole === m.role ? {} : { v0Role: m.rawRole },
              ]),
            );
          }
          const q = await quarantined(driver);
          expect(q.map((r) => [r.reason, r.message_id])).toEqual(
            manifest.unknownRoles.map((m) => ["unknown-role", String(m.messageId)]),
          );
          expect((await store.integrity.check()).ok).toBe(true);
          await store.close();
        }
      },
    );

    h.test(
      "legacy.session-metadata",
      "keeps v0 metadata objects, wraps what is not JSON, and moves user_id into metadata",
      async (ctx) => {
        const { path, driver } = await legacyFile(h, ctx, { sessions: 8, seed: 5 });
        await migrateLegacy({ driver, backupTo: false });
        const store = await h.open({ path });
        // Sessions 0..7: user_id is NULL for i % 4 === 0; metadata is broken for i % 7 === 3.
        const meta = async (i: number) =>
          (await store.sessions.get(`v0-session-0000${i}`)).metadata;
        expect(await meta(0)).toEqual({ plan: "pro" });
        expect(await meta(1)).toEqual({ plan: "free", v0UserId: "user-1" });
        expect(await meta(3)).toEqual({ v0Metadata: "not json {", v0UserId: "user-3" });
      },
    );

    h.test(
      "legacy.refuses-bad-options-and-repeats-safely",
      "bad options are a ValidationError with nothing changed; a second run finds nothing to migrate",
      async (ctx) => {
        const { path, driver, manifest } = await legacyFile(h, ctx, { sessions: 10, orphans: 1 });
        await expect(migrateLegacy({ driver } as never)).rejects.toBeInstanceOf(ValidationError);
        await expect(
          migrateLegacy({ driver, backupTo: false, colour: 1 } as never),
        ).rejects.toBeInstanceOf(ValidationError);
        await expect(h.open({ path })).rejects.toBeInstanceOf(MigrationRequiredError);
        const backupTo = h.newPath("taken.db");
        await (await h.open({ path: backupTo })).close();
        await expect(migrateLegacy({ driver, backupTo })).rejects.toBeInstanceOf(ValidationError);
        await expect(h.open({ path })).rejects.toBeInstanceOf(MigrationRequiredError);

        const first = await migrateLegacy({ driver, backupTo: false });
        expect(first.legacy.messages).toBe(manifest.keptMessages);
        const second = await migrateLegacy({ driver, backupTo: h.newPath("unused.db") });
        expect(second.found).toBe("versioned");
        expect(second.backup).toBeNull();
        expect(second.schema.applied).toEqual([]);
        expect(second.check.ok).toBe(true);
        const store = await h.open({ path });
        expect((await store.stats()).messages).toBe(manifest.keptMessages);
      },
    );
  });
}
