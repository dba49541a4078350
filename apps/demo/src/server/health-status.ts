import type { HealthReport } from "@llm-sessions/core";

/**
 * The health checks that mean callers are not being served: the store is
 * closed, callers time out or are refused by the pool, or they wait seconds
 * for a connection. The others (free pages, a large WAL, BUSY retries from
 * another process) are for the operator: the store still answers, and a
 * load balancer that drops the node for them would turn a note into an
 * outage.
 */
export const SERVICE_CHECKS: ReadonlySet<string> = new Set([
  "pool",
  "poolTimeouts",
  "poolWaitP95Ms",
]);

/**
 * The status code of `GET /api/health`: 503 when a `critical` reason is one
 * of `SERVICE_CHECKS`, 200 otherwise (the body carries the full report,
 * `warn` and `critical` reasons included).
 */
export function healthHttpStatus(report: Pick<HealthReport, "reasons">): 200 | 503 {
  return report.reasons.some((r) => r.level === "critical" && SERVICE_CHECKS.has(r.check))
    ? 503
    : 200;
}
