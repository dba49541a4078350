import type { LifecycleFigures } from "../lifecycle/index.js";
import type { Pool } from "../pool/index.js";
import { readDatabaseFigures } from "./database-figures.js";
import type { OperationRecorder } from "./recorder.js";
import type { SessionCounts, StoreMetrics } from "./types.js";

/** What `collectMetrics` reads from. */
export interface MetricsSources {
  readonly pool: Pool;
  /** The local database file, if any (its size and its WAL's are read with `stat`). */
  readonly file: string | undefined;
  readonly recorder: OperationRecorder;
  /** `performance.now()` when the store opened. */
  readonly openedAt: number;
  /** The lifecycle's counts, when the store has one. */
  readonly lifecycle?: () => LifecycleFigures | undefined;
}

/**
 * Takes the figures: operation counters (in memory), pool stats (in memory),
 * and one read on a reader for the database pragmas and sessions by status
 * (an index scan of `sessions_by_status_activity`, never the messages).
 */
export async function collectMetrics(sources: MetricsSources): Promise<StoreMetrics> {
  const { pool } = sources;
  const poolStats = pool.stats();
  const { database, sessions } = await pool.read(async (q) => {
    const figures = await readDatabaseFigures(q, sources.file, poolStats.walPages);
    const rows = await q.all<{ status: string; n: number | bigint }>(
      "SELECT status, count(*) AS n FROM sessions GROUP BY status",
    );
    return { database: figures, sessions: countByStatus(rows) };
  });
  const lifecycle = sources.lifecycle?.();
  return {
    collectedAt: Date.now(),
    uptimeMs: performance.now() - sources.openedAt,
    driver: { name: pool.driver.name, target: pool.driver.target },
    operations: sources.recorder.snapshot(),
    pool: poolStats,
    database,
    sessions,
    ...(lifecycle ? { lifecycle } : {}),
  };
}

function countByStatus(rows: readonly { status: string; n: number | bigint }[]): SessionCounts {
  const counts = { total: 0, active: 0, idle: 0, archived: 0 };
  for (const row of rows) {
    const n = Number(row.n);
    counts.total += n;
    if (row.status === "active" || row.status === "idle" || row.status === "archived") {
      counts[row.status] += n;
    }
  }
  return counts;
}
