import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunnableConfig } from "@langchain/core/runnables";
import { emptyCheckpoint, uuid6 } from "@langchain/langgraph-checkpoint";
import { betterSqlite } from "@llm-sessions/adapter-better-sqlite";
import { openStore } from "@llm-sessions/core";
import { recordingDriver } from "@llm-sessions/stress/store";
import { describe, expect, it } from "vitest";
import { SessionStoreSaver } from "../src/index.js";

describe("the queries the saver sends (better-sqlite3, recorded with their plans)", () => {
  it("list is one query per page; getTuple is one query; neither scans the tables", async () => {
    const dir = mkdtempSync(join(tmpdir(), "llm-sessions-langgraph-q-"));
    const rec = recordingDriver(betterSqlite({ filename: join(dir, "q.db") }));
    const store = await openStore({ driver: rec.driver });
    try {
      const saver = await SessionStoreSaver.open(store, { listPageSize: 10 });
      let config: RunnableConfig = { configurable: { thread_id: "t", checkpoint_ns: "" } };
      for (let i = 0; i < 25; i++) {
        const checkpoint = {
          ...emptyCheckpoint(),
          id: uuid6(i),
          channel_values: { n: i },
          channel_versions: { n: i + 1 },
        };
        config = await saver.put(
          config,
          checkpoint,
          { source: "loop", step: i, parents: {} },
          { n: i + 1 },
        );
        await saver.putWrites(config, [["n", i]], `task-${i}`);
      }
      // Another thread, which the per-thread list must not read.
      await saver.put(
        { configurable: { thread_id: "other" } },
        { ...emptyCheckpoint(), id: uuid6(99) },
        { source: "loop", step: 0, parents: {} },
        {},
      );

      rec.recording.on = true;
      const listed = [];
      for await (const t of saver.list({ configurable: { thread_id: "t" } })) listed.push(t);
      rec.recording.on = false;
      expect(listed).toHaveLength(25);
      expect(listed.map((t) => t.checkpoint.channel_values.n)).toEqual(
        [...Array(25).keys()].reverse(),
      );
      expect(listed.every((t) => t.pendingWrites?.length === 1)).toBe(true);
      const pages = rec.statements.filter((s) => s.sql.includes("FROM langgraph_checkpoints c"));
      expect(pages).toHaveLength(3);
      expect(rec.statements).toHaveLength(3);

      rec.statements.length = 0;
      rec.recording.on = true;
      const latest = await saver.getTuple({ configurable: { thread_id: "t" } });
      rec.recording.on = false;
      expect(latest?.checkpoint.channel_values).toEqual({ n: 24 });
      expect(rec.statements).toHaveLength(1);
      const plan = rec.statements[0]?.plan ?? [];
      // Every table is reached through a key or an index, never scanned whole.
      expect(
        plan.filter((p) => /^SCAN (c|s|w|b|langgraph_\w+|sessions)\b/.test(p) && !/USING/.test(p)),
      ).toEqual([]);
      // Channel values: one primary-key lookup per channel of the checkpoint.
      expect(plan).toContain(
        "SEARCH b USING PRIMARY KEY (session_pk=? AND checkpoint_ns=? AND channel=? AND version=?)",
      );
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
