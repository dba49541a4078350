import { statSync } from "node:fs";
import type { Store } from "@llm-sessions/core";
import { describe, expect } from "vitest";
import { expectSound, type StoreHarness } from "./harness.js";

/** Sessions with enough text that deleting them leaves many free pages. */
async function fill(store: Store, sessions: number, perSession: number): Promise<string[]> {
  const ids: string[] = [];
  const body = "maintenance filler text ".repeat(40);
  for (let i = 0; i < sessions; i++) {
    const s = await store.sessions.create({ title: `fill ${i}` });
    ids.push(s.id);
    await store.messages.append(
      s.id,
      Array.from({ length: perSession }, (_, j) => ({
        role: "user" as const,
        content: `${i}.${j} ${body}`,
      })),
    );
  }
  return ids;
}

/** Checkpoint, optimize and vacuum on a real driver. */
export function registerMaintenanceTests(h: StoreHarness): void {
  describe("maintenance", () => {
    h.test(
      "maintenance.checkpoint-truncates",
      "checkpoint() folds the WAL in and cuts it to zero bytes (file); says unsupported where there is no WAL",
      async () => {
        const store = await h.open({ pool: { checkpoint: false } });
        await fill(store, 4, 20);
        const report = await store.maintenance.checkpoint();
        if (!store.maintenance.file) {
          expect(report).toMatchObject({
            status: "unsupported",
            operation: "maintenance.checkpoint",
          });
          expect(report.status === "unsupported" && report.reason).toMatch(/memory|wal_checkpoint/);
          return;
        }
        expect(report).toMatchObject({ status: "done", busy: false, walBytesAfter: 0 });
        if (report.status !== "done") return;
        expect(report.walBytesBefore).toBeGreaterThan(0);
        expect(statSync(`${store.maintenance.file}-wal`).size).toBe(0);
      },
    );

    h.test(
      "maintenance.vacuum-frees-space",
      "vacuum() gives back free pages, keeps WAL mode, checks clean, and reads and writes asked for meanwhile all succeed",
      async () => {
        const store = await h.open({ pool: { readers: 2 } });
        const ids = await fill(store, 30, 20);
        for (const id of ids.slice(0, 25)) await store.sessions.delete(id);
        const keep = ids.slice(25);
        const vacuum = store.maintenance.vacuum();
        // Asked for while the vacuum holds the writer and the readers: they wait, then succeed.
        const meanwhile = await Promise.all([
          ...keep.map((id) => store.messages.last(id, 5)),
          store.messages.append(keep[0]!, { role: "assistant", content: "during vacuum" }),
        ]);
        const report = await vacuum;
        expect(meanwhile).toHaveLength(keep.length + 1);
        expect(report.status).toBe("done");
        if (report.status !== "done") return;
        expect(report.before.freePages).toBeGreaterThan(0);
        expect(report.after.freePages).toBe(0);
        expect(report.after.pages).toBeLessThan(report.before.pages);
        expect(report.check).toEqual({ ok: true, problems: [] });
        if (store.maintenance.file) {
          expect(report.journalMode).toBe("wal");
          expect(report.freedBytes).toBeGreaterThan(0);
          expect(report.after.fileBytes).toBe(statSync(store.maintenance.file).size);
        }
        expect((await store.messages.last(keep[0]!, 1))[0]?.content).toBe("during vacuum");
        await expectSound(store);
      },
    );

    h.test(
      "maintenance.optimize",
      "optimize() analyzes, merges the search index and checkpoints; search still works; vacuum only when asked or worth it",
      async () => {
        const store = await h.open();
        const ids = await fill(store, 6, 15);
        await store.messages.append(ids[0]!, { role: "user", content: "needle in the haystack" });
        const report = await store.maintenance.optimize();
        expect(report).toMatchObject({ status: "done", searchIndexMerged: true, vacuum: null });
        expect(report.analyzed).toBe(true);
        expect(report.checkpointed).toBe(Boolean(store.maintenance.file));
        if (store.maintenance.file) expect(report.after.walBytes).toBe(0);
        expect((await store.search("needle")).items.map((hit) => hit.message.content)).toEqual([
          "needle in the haystack",
        ]);
        // Few free pages: "auto" does not vacuum; true does.
        expect((await store.maintenance.optimize({ vacuum: "auto" })).vacuum).toBeNull();
        const forced = await store.maintenance.optimize({ vacuum: true });
        expect(forced.vacuum?.status).toBe("done");
        await expectSound(store);
      },
    );
  });
}
