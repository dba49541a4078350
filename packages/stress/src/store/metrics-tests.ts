import { statSync } from "node:fs";
import {
  SessionNotFoundError,
  STORE_OPERATIONS,
  type StoreMetrics,
  toPrometheus,
} from "@llm-sessions/core";
import { describe, expect } from "vitest";
import type { StoreHarness } from "./harness.js";
import { parsePrometheus } from "./prometheus-parse.js";

/** Metrics and health on a real driver. */
export function registerMetricsTests(h: StoreHarness): void {
  describe("metrics and health", () => {
    h.test(
      "metrics.operations-counted",
      "every public operation is counted once per call (tenant views too), failures as errors, with ordered percentiles",
      async () => {
        const store = await h.open();
        const a = await store.sessions.create({ title: "a", model: "m1" });
        const b = await store.tenant("acme").sessions.create({ title: "b" });
        await store.sessions.update(a.id, { title: "a2" });
        await store.sessions.get(a.id);
        await store.sessions.list();
        await store.messages.append(a.id, [
          { role: "user", content: "hello metrics" },
          { role: "assistant", content: "hi" },
        ]);
        await store.tenant("acme").messages.append(b.id, { role: "user", content: "tenant" });
        await store.messages.last(a.id, 10);
        await store.messages.list(a.id);
        await store.messages.pop(a.id);
        await store.messages.window(a.id, { maxMessages: 5 });
        await store.messages.compact(a.id, {
          throughSeq: 1,
          summary: { role: "assistant", content: "summary" },
        });
        await store.tenant("acme").messages.replaceTail(b.id, {
          afterSeq: 0,
          expectedLastSeq: 1,
          messages: [{ role: "user", content: "again" }],
        });
        const op = {
          id: "op-1",
          fingerprint: "f1",
          messages: [{ role: "user" as const, content: "op" }],
        };
        await store.tenant("acme").messages.applyOperation(b.id, op);
        await store.tenant("acme").messages.operation(b.id, "op-1");
        await store.tenant("acme").messages.clear(b.id);
        await store.search("hello");
        await store.stats();
        const fork = await store.sessions.fork(a.id);
        await store.sessions.delete(fork.id);
        await expect(store.sessions.get("missing")).rejects.toBeInstanceOf(SessionNotFoundError);
        await store.lifecycle.touch(a.id);
        await store.lifecycle.archive(a.id);
        await store.lifecycle.restore(a.id);
        await store.lifecycle.sweep();
        const m = await store.metrics();
        const counts = Object.fromEntries(
          Object.entries(m.operations).map(([op, o]) => [op, [o.count, o.errors]]),
        );
        expect(counts).toEqual({
          "sessions.create": [2, 0],
          "sessions.get": [1, 1],
          "sessions.list": [1, 0],
          "sessions.update": [1, 0],
          "sessions.delete": [1, 0],
          "sessions.fork": [1, 0],
          "messages.append": [2, 0],
          "messages.last": [1, 0],
          "messages.list": [1, 0],
          "messages.pop": [1, 0],
          "messages.window": [1, 0],
          "messages.compact": [1, 0],
          "messages.replaceTail": [1, 0],
          "messages.applyOperation": [1, 0],
          "messages.operation": [1, 0],
          "messages.clear": [1, 0],
          search: [1, 0],
          stats: [1, 0],
          "lifecycle.sweep": [1, 0],
          "lifecycle.archive": [1, 0],
          "lifecycle.restore": [1, 0],
          "lifecycle.touch": [1, 0],
        });
        expect(Object.keys(m.operations).sort()).toEqual([...STORE_OPERATIONS].sort());
        for (const o of Object.values(m.operations)) {
          const l = o.latencyMs;
          expect(l.samples).toBe(o.count + o.errors);
          expect(l.p50).toBeLessThanOrEqual(l.p95);
          expect(l.p95).toBeLessThanOrEqual(l.p99);
          expect(l.p99).toBeLessThanOrEqual(l.max);
          expect(o.totalMs).toBeGreaterThanOrEqual(l.max);
        }
      },
    );

    h.test(
      "metrics.database-and-sessions",
      "metrics report pages, file and WAL bytes, sessions by status, pool and lifecycle figures",
      async () => {
        const store = await h.open();
        const s = await Promise.all([1, 2, 3].map(() => store.sessions.create()));
        await store.messages.append(s[0]!.id, { role: "user", content: "x" });
        await store.lifecycle.archive(s[1]!.id);
        const m: StoreMetrics = await store.metrics();
        expect(m.sessions).toEqual({ total: 3, active: 2, idle: 0, archived: 1 });
        expect(m.database.pageSize).toBeGreaterThan(0);
        expect(m.database.pageCount).toBeGreaterThan(0);
        expect(m.database.freeRatio).toBeGreaterThanOrEqual(0);
        expect(m.driver.name).toBe((await h.createDriver({ path: h.newPath() })).name);
        expect(m.pool.acquired).toBeGreaterThan(0);
        expect(m.lifecycle).toMatchObject({ archived: 1, restored: 0, purged: 0 });
        expect(m.uptimeMs).toBeGreaterThan(0);
        const file = store.maintenance.file;
        if (file) {
          expect(m.database.fileBytes).toBe(statSync(file).size);
          expect(m.database.walBytes).toBeGreaterThanOrEqual(0);
        } else {
          // Complementary: no file, so the size is pages × page size and the WAL is unknown or 0.
          expect(m.database.fileBytes).toBe(m.database.pageCount * m.database.pageSize);
        }
      },
    );

    h.test(
      "metrics.prometheus-round-trip",
      "toPrometheus output parses back (HELP/TYPE per family, valid samples) to the same figures",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create({ title: 'quote " and \\ backslash' });
        await store.messages.append(s.id, { role: "user", content: "prometheus" });
        await store.search("prometheus");
        const m = await store.metrics();
        const text = toPrometheus(m, { labels: { store: 'ro"uter\n1' } });
        const families = parsePrometheus(text);
        const sample = (name: string, labels: Record<string, string>) =>
          families
            .get(name)
            ?.samples.find((x) =>
              Object.entries({ store: 'ro"uter\n1', ...labels }).every(
                ([k, v]) => x.labels[k] === v,
              ),
            )?.value;
        expect(families.get("llm_sessions_operations_total")?.type).toBe("counter");
        expect(
          sample("llm_sessions_operations_total", { operation: "messages.append", outcome: "ok" }),
        ).toBe(1);
        expect(
          sample("llm_sessions_operations_total", { operation: "search", outcome: "ok" }),
        ).toBe(1);
        expect(families.get("llm_sessions_operation_duration_seconds")?.type).toBe("summary");
        expect(
          sample("llm_sessions_operation_duration_seconds", {
            operation: "search",
            quantile: "0.99",
          }),
        ).toBeCloseTo((m.operations.search?.latencyMs.p99 ?? -1) / 1000, 9);
        expect(sample("llm_sessions_sessions", { status: "active" })).toBe(1);
        expect(sample("llm_sessions_database_pages", { kind: "all" })).toBe(m.database.pageCount);
        expect(sample("llm_sessions_pool_acquired_total", {})).toBe(m.pool.acquired);
        expect(families.get("llm_sessions_lifecycle_sweeps_total")?.samples).toHaveLength(3);
      },
    );

    h.test(
      "metrics.health-thresholds",
      "health() is ok by default on a fresh store and turns warn, then critical, as thresholds are crossed",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create();
        await store.messages.append(s.id, { role: "user", content: "health" });
        const ok = await store.health();
        expect(ok.reasons).toEqual([]);
        expect(ok.status).toBe("ok");
        const warn = await store.health({ poolWaitP95Ms: { warn: 0 } });
        expect(warn.status).toBe("warn");
        expect(warn.reasons.map((r) => [r.check, r.level])).toEqual([["poolWaitP95Ms", "warn"]]);
        const critical = await store.health({ poolWaitP95Ms: { warn: 0, critical: 0 } });
        expect(critical.status).toBe("critical");
        if (store.maintenance.file) {
          const wal = await store.health({ walBytes: { warn: 1 } });
          expect(wal.reasons.map((r) => r.check)).toEqual(["walBytes"]);
          expect(wal.reasons[0]?.message).toMatch(/the WAL is/);
        }
        await expect(store.health({ walBytes: { warn: 10, critical: 5 } })).rejects.toThrow(
          /walBytes.warn/,
        );
      },
    );
  });
}
