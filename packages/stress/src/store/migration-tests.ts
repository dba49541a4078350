import { copyFileSync, readFileSync } from "node:fs";
import { type Message, SessionArchivedError } from "@llm-sessions/core";
import { describe, expect } from "vitest";
import { messageBeforeV5, viewBeforeV5 } from "../fixtures/before-v5.js";
import { type FixtureStore, readStoreView, type StoreView } from "../fixtures/v3-store.js";
import type { StoreHarness } from "./harness.js";

/** The fixtures folder of this package (the same depth from `src/store` and `dist/store`). */
const FIXTURES = new URL("../../fixtures/", import.meta.url);

/** What the code of schema `version` read from `v<version>-store.db` (see `fixtures/README.md`). */
function fixtureView(version: number): StoreView {
  const file = JSON.parse(readFileSync(new URL(`v${version}-store.json`, FIXTURES), "utf8")) as {
    schemaVersion: number;
    view: StoreView;
  };
  expect(file.schemaVersion).toBe(version);
  return file.view;
}

/** Store suite: files written by earlier schema versions open with everything intact. */
export function registerMigrationTests(h: StoreHarness): void {
  describe("schema migrations", () => {
    h.test(
      "migration.v3-file-to-v4",
      "a file written by the v3 code migrates to v4: every session, message, search hit, stat and v3 snapshot as v3 read them; ids then belong to their tenant",
      async (ctx) => {
        const path = h.newPath();
        const driver = await h.createDriver({ path });
        if (!driver.capabilities.file) ctx.skip("needs a database file");
        copyFileSync(new URL("v3-store.db", FIXTURES), path);
        const expected = fixtureView(3);
        const store = await h.open({ path, lifecycle: { sweepIntervalMs: 0 } });
        expect(store.migration).toMatchObject({ from: 3, applied: [4, 5] });
        expect(store.migration.to).toBeGreaterThanOrEqual(4);
        await expect(store.integrity.check()).resolves.toMatchObject({ ok: true, findings: [] });

        const view = viewBeforeV5(await readStoreView(store as unknown as FixtureStore));
        expect(view.sessions).toEqual(expected.sessions);
        expect(view.messages).toEqual(expected.messages);
        expect(view.search).toEqual(expected.search);
        expect(view.stats).toEqual(expected.stats);
        expect(Object.values(view.messages).flat().length).toBeGreaterThan(300);

        // The archived session's v3 snapshot restores: the messages come back as they were.
        const archived = expected.sessions.find((s) => s.id === "archived");
        expect(archived?.status).toBe("archived");
        await expect(
          store.messages.append("archived", { role: "user", content: "x" }),
        ).rejects.toBeInstanceOf(SessionArchivedError);
        const restored = await store.lifecycle.restore("archived");
        expect(restored).toMatchObject({ status: "active", messageCount: 2, tenantId: "acme" });
        expect((await store.messages.list("archived")).items.map(messageBeforeV5)).toEqual(
          expected.messages.archived,
        );
        expect((await store.search("archived")).items.map((hit) => hit.message.content)).toEqual([
          "archived answer",
          "archived café question",
        ]);
        // Keys and seq carry on: a retried key returns the stored message, seq goes on from lastSeq.
        const stored = expected.messages.alpha?.find((m) => m.idempotencyKey === "turn-1");
        const [retried] = await store.messages.append("alpha", {
          role: "user",
          content: stored?.content ?? "",
          metadata: stored?.metadata ?? {},
          idempotencyKey: "turn-1",
        });
        expect(messageBeforeV5(retried as Message)).toEqual(stored);
        const [next] = await store.messages.append("alpha", { role: "user", content: "next" });
        expect(next?.seq).toBe((expected.messages.alpha?.length ?? 0) + 1);
        // A fork keeps its parent across the migration.
        expect((await store.sessions.get("alpha-fork")).parentId).toBe("alpha");
        // Ids are now the tenant's: globex takes acme's session and message ids.
        const globex = store.tenant("globex");
        await globex.sessions.create({ id: "long" });
        await globex.messages.append("long", { role: "user", content: "mine", id: "m" });
        expect((await store.tenant("acme").sessions.get("long")).messageCount).toBe(300);
        await expect(store.integrity.check()).resolves.toMatchObject({ ok: true });
      },
    );

    h.test(
      "migration.v4-file-to-v5",
      "a file written by the v4 code migrates to v5: every session, message, search hit, stat and v4 snapshot as v4 read them; text messages stay content-only; parts and usage work after",
      async (ctx) => {
        const path = h.newPath();
        const driver = await h.createDriver({ path });
        if (!driver.capabilities.file) ctx.skip("needs a database file");
        copyFileSync(new URL("v4-store.db", FIXTURES), path);
        // Six messages left waiting for the search index, as v4 queued them:
        // v5 indexes them when it replaces the queue by a watermark.
        const raw = await driver.connect();
        try {
          await raw.exec(`INSERT INTO messages_fts (messages_fts, rowid, content)
              SELECT 'delete', pk, content FROM messages WHERE pk > 310;
            INSERT INTO messages_fts_pending (pk) SELECT pk FROM messages WHERE pk > 310;`);
          expect(await raw.get("SELECT count(*) AS n FROM messages_fts_pending")).toEqual({ n: 6 });
        } finally {
          await raw.close();
        }
        const expected = fixtureView(4);
        const store = await h.open({ path, lifecycle: { sweepIntervalMs: 0 } });
        expect(store.migration).toMatchObject({ from: 4, applied: [5], to: 5 });
        await expect(store.integrity.check()).resolves.toMatchObject({ ok: true, findings: [] });

        // Every field as v4 read it; the v5 fields are those of old data (checked, then set aside).
        const view = viewBeforeV5(await readStoreView(store as unknown as FixtureStore));
        expect(view).toEqual(expected);
        expect(Object.values(view.messages).flat().length).toBeGreaterThan(300);

        // The archived session's v4 snapshot restores exactly.
        const restored = await store.lifecycle.restore("archived");
        expect(restored).toMatchObject({ status: "active", messageCount: 2, tenantId: "acme" });
        expect((await store.messages.list("archived")).items.map(messageBeforeV5)).toEqual(
          expected.messages.archived,
        );
        // A retried key of a v4 message is still the same message.
        const stored = expected.messages.alpha?.find((m) => m.idempotencyKey === "turn-1");
        const [retried] = await store.messages.append("alpha", {
          role: "user",
          content: stored?.content ?? "",
          metadata: stored?.metadata ?? {},
          idempotencyKey: "turn-1",
        });
        expect(messageBeforeV5(retried as Message)).toEqual(stored);
        // The new shapes work on the migrated file, and the counters carry on from v4's.
        const before = await store.sessions.get("alpha");
        const [call, result] = await store.messages.append("alpha", [
          {
            role: "assistant",
            parts: [{ type: "tool-call", toolCallId: "c1", toolName: "t", input: { q: 1 } }],
            usage: { inputTokens: 5, cost: { micros: 9, currency: "USD" } },
            tokens: 2,
          },
          { role: "tool", parts: [{ type: "tool-result", toolCallId: "c1", output: "ok" }] },
          { role: "developer", content: "new role" },
        ]);
        expect(call?.seq).toBe(before.lastSeq + 1);
        expect(result?.parts).toEqual([{ type: "tool-result", toolCallId: "c1", output: "ok" }]);
        const after = await store.sessions.get("alpha");
        expect(after.tokenCount).toBe(before.tokenCount + 2);
        expect(after.usage).toMatchObject({ inputTokens: 5, costMicros: 9, currency: "USD" });
        await expect(store.integrity.check()).resolves.toMatchObject({ ok: true, findings: [] });
      },
    );
  });
}
