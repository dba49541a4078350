import { type Store, toPrometheus } from "@llm-sessions/core";
import { Hono } from "hono";
import type { Simulation } from "../../simulation.js";
import { healthHttpStatus } from "../health-status.js";

/** What the page's header says about the run. */
export interface DemoInfo {
  /** The driver's name, e.g. `better-sqlite3`. */
  readonly driver: string;
  /**
   * The database, as the page may show it: routes answer only the last
   * part of a path (the file's name), never where it is on the server.
   */
  readonly database: string;
}

/**
 * GET /api/stats    `store.stats()`: sessions by status, messages, tokens, per model
 * GET /api/health   `store.health()`: ok | warn | critical with reasons (503 only when
 *                   callers are not being served: see `healthHttpStatus`)
 * GET /api/metrics  `store.metrics()`: operation latencies, pool, database, lifecycle
 * GET /api/live     everything the page's live panel shows, in one answer
 * GET /metrics      `toPrometheus(store.metrics())`, for a scraper
 */
export function liveRoutes(store: Store, sim: Simulation, info: DemoInfo): Hono {
  const api = new Hono();
  const shown: DemoInfo = { driver: info.driver, database: baseName(info.database) };

  api.get("/api/stats", async (c) => c.json(await store.stats()));

  api.get("/api/health", async (c) => {
    const health = await store.health();
    return c.json(health, healthHttpStatus(health));
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
      info: shown,
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

/** The last part of a path (either separator), so no directory of the server reaches a page. */
function baseName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}
