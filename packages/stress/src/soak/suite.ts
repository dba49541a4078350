import { setTimeout as sleep } from "node:timers/promises";
import { fileSize, WAL_SUFFIX } from "../faults/index.js";
import { Ledger, type LedgerMessage, type LedgerSink } from "../invariants/index.js";
import type { StressSuite } from "../suite/context.js";
import { LatencyRecorder } from "../suite/latency.js";
import { DEFAULT_MIX, SessionSet, WorkloadClient } from "../workload/index.js";
import { type SoakInterval, trend } from "./trend.js";

const CLIENTS = 16;
const MIB = 1024 * 1024;

/** Growth allowed after warm-up before it counts as a leak: RSS (MiB, ratio) and WAL (MiB, ratio). */
const RSS_ALLOWANCE = { mib: 64, ratio: 1.2 };
const WAL_ALLOWANCE = { mib: 16, ratio: 1.25 };
/** An interval this much longer than planned means the event loop was blocked. */
const STALL_MS = 2_500;

/**
 * The soak suite: mixed load from 16 clients for `--duration` (CI 6 s, full
 * 120 s), with sessions created and deleted so the working set stays
 * bounded. Per interval it reports throughput, latency percentiles,
 * resident memory and WAL size; it fails when resident memory or the WAL
 * keeps growing after the first quarter (a leak, or checkpoint starvation).
 */
export const soakSuite: StressSuite = {
  id: "soak",
  title: "mixed load for a duration: memory and WAL stay bounded",
  requires: () => undefined,
  async run(ctx) {
    const durationMs = ctx.durationMs ?? ctx.pick(6_000, 120_000);
    const intervalMs = Math.max(500, Math.floor(durationMs / 24));
    const path = ctx.newPath();
    const store = await ctx.open(path, { pool: { readers: 4 } });
    const ledger = new Ledger();
    // Deleted sessions are forgotten, so the ledger itself does not grow with time.
    const sink: LedgerSink = {
      created: (id, o) => ledger.created(id, o),
      appended: (id, m: readonly LedgerMessage[]) => ledger.appended(id, m),
      popped: (id, m) => ledger.popped(id, m),
      deleted: (id) => ledger.forget(id),
    };
    const sessions = new SessionSet();
    const interval = new LatencyRecorder();
    const started = performance.now();
    const deadline = started + durationMs;
    const minOperations = ctx.minOperations ?? 0;
    let operations = 0;
    const running = (): boolean => performance.now() < deadline || operations < minOperations;
    const clients = Array.from(
      { length: CLIENTS },
      (_, i) =>
        new WorkloadClient({
          store,
          writer: `s${i}`,
          rng: ctx.rng.derive(`soak-${i}`),
          sink,
          sessions,
          mix: DEFAULT_MIX,
          latency: interval,
          fail: (m) => ctx.fail(`client s${i}: ${m}`),
          minSessions: 20,
          maxSessions: 120,
        }),
    );
    const intervals: SoakInterval[] = [];
    const sampler = (async () => {
      let last = performance.now();
      let lastOps = 0;
      while (running()) {
        await sleep(
          operations < minOperations
            ? intervalMs
            : Math.min(intervalMs, Math.max(1, deadline - performance.now())),
        );
        const now = performance.now();
        const gap = now - last;
        if (gap > intervalMs + STALL_MS) {
          ctx.fail(
            `the process stalled: an interval of ${intervalMs} ms took ${Math.round(gap)} ms (a synchronous wait blocked the event loop)`,
          );
        }
        const lat = interval.summary();
        ctx.latency.addAll(interval.samples());
        interval.reset();
        const memory = process.memoryUsage();
        const row: SoakInterval = {
          atS: round((now - started) / 1000),
          operations: operations - lastOps,
          opsPerSec: Math.round(((operations - lastOps) * 1000) / (now - last)),
          p50: lat.p50,
          p95: lat.p95,
          p99: lat.p99,
          rssMiB: round(memory.rss / MIB),
          heapMiB: round(memory.heapUsed / MIB),
          walMiB: round(((await fileSize(`${path}${WAL_SUFFIX}`)) ?? 0) / MIB),
          dbMiB: round(((await fileSize(path)) ?? 0) / MIB),
        };
        intervals.push(row);
        ctx.log(
          `soak ${row.atS}s: ${row.opsPerSec} ops/s, p50 ${row.p50} ms, p95 ${row.p95} ms, p99 ${row.p99} ms, rss ${row.rssMiB} MiB, heap ${row.heapMiB} MiB, wal ${row.walMiB} MiB, db ${row.dbMiB} MiB`,
        );
        ctx.progress(Math.round(now - started), durationMs);
        last = now;
        lastOps = operations;
      }
    })();
    await Promise.all([
      sampler,
      ...clients.map(async (client) => {
        while (running()) {
          await client.step();
          operations += 1;
          // Requests arrive from the event loop: with a synchronous driver nothing else
          // would yield, and the sampler (like any timer of a real server) would starve.
          await new Promise((resolve) => setImmediate(resolve));
        }
      }),
    ]);
    ctx.latency.addAll(interval.samples());
    ctx.countOperations(operations);
    ctx.details.durationMs = durationMs;
    ctx.details.intervals = intervals;
    const warm = intervals.slice(Math.ceil(intervals.length / 4));
    const rss = trend(
      warm.map((i) => i.rssMiB),
      RSS_ALLOWANCE.mib,
      RSS_ALLOWANCE.ratio,
    );
    const wal = trend(
      warm.map((i) => i.walMiB),
      WAL_ALLOWANCE.mib,
      WAL_ALLOWANCE.ratio,
    );
    ctx.details.rss = rss;
    ctx.details.wal = wal;
    if (rss.growing) {
      ctx.fail(
        `resident memory keeps growing after warm-up: ${rss.first} → ${rss.last} MiB (a leak)`,
      );
    }
    if (wal.growing) {
      ctx.fail(
        `the WAL keeps growing after warm-up: ${wal.first} → ${wal.last} MiB (checkpoint starvation)`,
      );
    }
    await ctx.verify(store, ledger);
  },
};

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
