import { openStore } from "@llm-sessions/core";
import { describe, expect } from "vitest";
import type { StoreHarness } from "./harness.js";
import { recordingDriver } from "./recording-driver.js";

/**
 * A full scan of `sessions` or `messages` on the hot path is a bug: it turns
 * one append or read into work that grows with the database. SQLite's plan
 * says "SCAN <table>" for those (a covering-index scan, allowed only for the
 * stats aggregate, says "USING COVERING INDEX").
 */
const BARE_SCAN = /^SCAN (sessions|messages)\b(?! USING COVERING INDEX)/;
const ANY_SCAN = /^SCAN (sessions|messages)\b/;

export function registerQueryPlanTests(h: StoreHarness): void {
  describe("query plans", () => {
    h.test(
      "query-plans.hot-path-query-served",
      "every hot-path query is served by an index (EXPLAIN QUERY PLAN)",
      async () => {
        const rec = recordingDriver(await h.createDriver({ path: h.newPath() }));
        const store = await openStore({ driver: rec.driver, clock: h.clock.read });
        try {
          // Some data, so the planner's choices are the ones it makes in use.
          const seed = await store.sessions.create({ model: "m" });
          await store.messages.append(seed.id, [{ role: "user", content: "hello world" }]);
          rec.recording.on = true;
          const s = await store.sessions.create({ model: "m", title: "t" });
          await store.sessions.get(s.id);
          await store.messages.append(s.id, [
            { role: "user", content: "reset my password", idempotencyKey: "k" },
            { role: "assistant", content: "sure", tokens: 3 },
          ]);
          await store.messages.append(s.id, {
            role: "user",
            content: "again",
            idempotencyKey: "k",
          });
          await store.messages.last(s.id, 50);
          const page = await store.messages.list(s.id, { limit: 1 });
          await store.messages.list(s.id, { limit: 1, cursor: page.nextCursor });
          const list = await store.sessions.list({ limit: 1 });
          await store.sessions.list({ limit: 1, cursor: list.nextCursor });
          await store.sessions.list({ status: "active", model: "m", limit: 5 });
          await store.sessions.update(s.id, { title: "u" });
          const fork = await store.sessions.fork(s.id, { atSeq: 1 });
          await store.messages.pop(s.id);
          await store.search("password", { sessionId: s.id, role: "user", limit: 5 });
          const t = store.tenant("acme");
          const ts = await t.sessions.create();
          await t.messages.append(ts.id, { role: "user", content: "x" });
          await t.messages.last(ts.id, 5);
          await t.sessions.list();
          await t.search("x");
          await store.sessions.delete(fork.id);
          const statsStart = rec.statements.length;
          await store.stats();
          await t.stats();
          rec.recording.on = false;

          expect(rec.statements.length).toBeGreaterThan(20);
          const hot = rec.statements.slice(0, statsStart);
          const scans = hot.filter((st) => st.plan.some((line) => ANY_SCAN.test(line)));
          expect(scans, JSON.stringify(scans, null, 2)).toEqual([]);
          const stats = rec.statements.slice(statsStart);
          const bare = stats.filter((st) => st.plan.some((line) => BARE_SCAN.test(line)));
          expect(bare, JSON.stringify(bare, null, 2)).toEqual([]);
        } finally {
          await store.close();
        }
      },
    );
  });
}
