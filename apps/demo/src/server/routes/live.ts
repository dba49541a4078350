import { type Store, toPrometheus } from "@llm-sessions/core";
import { Hono } from "hono";
import type { Simulation } from "../../simulation.js";

/** What the page's header says about the run. */
export interface DemoInfo {
  /** The driver's name, e.g. `better-sqlite3`. */
  readonly driver: string;
  /** The database file (or URL). */
  readonly database: string;
}

/**
 * GET /api/stats    `store.stats()`: sessions by status, messages, tokens, per model
 * GET /api/health   `store.health()`: ok | warn | critical with reasons (503 when critical)
 * GET /api/metrics  `store.metrics()`: operation latencies, pool, database, lifecycle
 * GET /api/live     everything the page's live panel shows, in one answer
 * GET /metrics      `toPrometheus(store.metrics())`, for a scraper
 */
export function liveRoutes(store: Store, sim: Simulation, info: DemoInfo): Hono {
  const api = new Hono();

  api.get("/api/stats", async (c) => c.json(await store.stats()));

  api.get("/api/health", async (c) => {
    const health = await store.health();
    return c.json(health, health.status === "critical" ? 503 : 200);
  });

  api.get("/api/metrics", async (c) => c.json(await store.metrics()));

  api.get("/metrics", async (c) =>
    c.text(toPrometheus(await store.metrics()), 200, {
      "content-type": "text/plain; version=0.0.4; charset=utf-8",
    }),
  );

  api.get("/api/live", async (c) => {
    // One call: the health report carries the metrics it judged.
    const { metrics, ...health } = await store.health();
    const policy = store.lifecycle.policy;
    return c.json({
      now: Date.now(),
      startedAt: sim.startedAt,
      info,
      simulation: { running: sim.running, settings: sim.settings, totals: sim.totals },
      pool: metrics.pool,
      database: metrics.database,
      operations: metrics.operations,
      health,
      lifecycle: {
        policy: {
          idleAfterMs: policy.idleAfterMs,
          archiveAfterMs: policy.archiveAfterMs,
          purgeAfterMs: policy.purgeAfterMs,
          sweepEveryMs: sim.settings.sweepEveryMs || policy.sweepIntervalMs,
        },
        figures: store.lifecycle.figures(),
      },
      events: sim.events.recent(40),
    });
  });

  return api;
}
