import { openStore } from "@llm-sessions/core";
import { describe, expect } from "vitest";
import type { StoreHarness } from "./harness.js";
import { recordingDriver } from "./recording-driver.js";

/**
 * A full scan of `sessions` or `messages` on the hot path is a bug: it turns
 * one append or read into work that grows with the database. SQLite's plan
 * says "SCAN <table or alias>" for those. The root store's all-time stats
 * aggregate reads every session by definition: it may walk the rows in an
 * index's order ("USING INDEX", so no sort), never a bare scan.
 */
const BARE_SCAN = /^SCAN (sessions|messages|s|m)\b(?! USING (COVERING )?INDEX)/;
const ANY_SCAN = /^SCAN (sessions|messages|s|m)\b/;

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
            content: "reset my password",
            idempotencyKey: "k",
          });
          await store.messages.last(s.id, 50);
          const page = await store.messages.list(s.id, { limit: 1 });
          await store.messages.list(s.id, { limit: 1, cursor: page.nextCursor });
          // Scrolling back: a keyset read of (session_pk, seq) going down.
          const back = await store.messages.list(s.id, { beforeSeq: 3, limit: 1 });
          await store.messages.list(s.id, { limit: 1, cursor: back.nextCursor });
          const list = await store.sessions.list({ limit: 1 });
          await store.sessions.list({ limit: 1, cursor: list.nextCursor });
          await store.sessions.list({ status: "active", model: "m", limit: 5 });
          await store.sessions.list({ metadata: { u: "1" }, titleContains: "t", limit: 5 });
          // The root store lists every tenant: per-status index runs, never a sort of the table.
          const every = await store.sessions.list({ model: "m", limit: 1 });
          await store.sessions.list({ model: "m", limit: 1, cursor: every.nextCursor });
          await store.sessions.list({ status: "idle", limit: 1, cursor: every.nextCursor });
          await store.sessions.list({ tenantId: null, limit: 1, cursor: every.nextCursor });
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
          // Windows read the uncompacted range and the pinned messages by index, never the history.
          await store.messages.append(s.id, [
            { role: "system", content: "be brief" },
            {
              role: "assistant",
              parts: [{ type: "tool-call", toolCallId: "c", toolName: "t", input: 1 }],
            },
          ]);
          await store.messages.compact(s.id, {
            throughSeq: 3,
            summary: { role: "assistant", content: "sum" },
          });
          await store.messages.append(s.id, {
            role: "tool",
            parts: [{ type: "tool-result", toolCallId: "c", output: 2 }],
          });
          await store.messages.window(s.id, { maxTokens: 1000 });
          await t.messages.window(ts.id, { maxMessages: 5 });
          const last = (await store.sessions.get(s.id)).lastSeq;
          await store.messages.replaceTail(s.id, {
            afterSeq: last - 1,
            expectedLastSeq: last,
            messages: [{ role: "user", content: "again" }],
          });
          const statsStart = rec.statements.length;
          await t.stats();
          // A billing window: a range of the metered-by-time index, never a scan.
          await store.stats({ since: 0, until: h.clock.now + 1 });
          await t.stats({ since: 0 });
          const rootStats = rec.statements.length;
          await store.stats();
          rec.recording.on = false;

          expect(rec.statements.length).toBeGreaterThan(20);
          const hot = rec.statements.slice(0, statsStart);
          const scans = hot.filter((st) => st.plan.some((line) => ANY_SCAN.test(line)));
          expect(scans, JSON.stringify(scans, null, 2)).toEqual([]);
          const windows = rec.statements.slice(statsStart, rootStats);
          const scanned = windows.filter((st) => st.plan.some((line) => ANY_SCAN.test(line)));
          expect(scanned, JSON.stringify(scanned, null, 2)).toEqual([]);
          expect(
            windows.some((st) => st.plan.some((l) => /messages_metered_by_time/.test(l))),
          ).toBe(true);
          const root = rec.statements.slice(rootStats);
          const bare = root.filter((st) => st.plan.some((line) => BARE_SCAN.test(line)));
          expect(bare, JSON.stringify(bare, null, 2)).toEqual([]);
          // The aggregate follows the index's order: no sort of the sessions.
          expect(root.flatMap((st) => st.plan).join("\n")).not.toMatch(/TEMP B-TREE/);
        } finally {
          await store.close();
        }
      },
    );

    h.test(
      "query-plans.fork-copies-linear",
      "fork copies a session's messages in one pass: json_each outside, one index lookup per message",
      async () => {
        const rec = recordingDriver(await h.createDriver({ path: h.newPath() }));
        const store = await openStore({ driver: rec.driver, clock: h.clock.read });
        try {
          // Enough messages that the planner's cost model matters (a plain
          // JOIN put json_each inside the loop over messages: quadratic).
          const s = await store.sessions.create();
          for (let i = 0; i < 4; i++) {
            await store.messages.append(
              s.id,
              Array.from({ length: 250 }, (_, j) => ({
                role: "user" as const,
                content: `m ${i} ${j}`,
              })),
            );
          }
          rec.recording.on = true;
          const fork = await store.sessions.fork(s.id);
          await store.sessions.fork(s.id, { atSeq: 10 });
          rec.recording.on = false;
          expect(fork.messageCount).toBe(1000);

          const copies = rec.statements.filter((st) => /^INSERT INTO messages\b/.test(st.sql));
          expect(copies).toHaveLength(2);
          for (const st of copies) {
            // SQLite's foreign-key bookkeeping for message_blobs (whose parent
            // is messages) is one index lookup per row, not a loop of the copy.
            const fk = st.plan.filter((line) => /^SEARCH message_blobs /.test(line));
            for (const line of fk)
              expect(line).toMatch(/USING (COVERING )?INDEX .*\(message_pk=\?\)/);
            const loops = st.plan.filter(
              (line) => /^(SCAN|SEARCH) /.test(line) && !fk.includes(line),
            );
            // The outer loop walks the new ids once; messages are found by (session_pk, seq).
            expect(loops, JSON.stringify(st, null, 2)).toHaveLength(2);
            expect(loops[0], JSON.stringify(st, null, 2)).toMatch(/^SCAN \w+ VIRTUAL TABLE/);
            expect(loops[1], JSON.stringify(st, null, 2)).toMatch(
              /^SEARCH m USING (COVERING )?INDEX \S+ \(session_pk=\? AND seq=\?\)/,
            );
          }
        } finally {
          await store.close();
        }
      },
    );
  });
}
