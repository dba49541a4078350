/** The policy the timeouts suite opens its store with (the clock moves in ticks of `TICK_MS`). */
export const TIMEOUT_POLICY = {
  idleAfterMs: 1_000,
  archiveAfterMs: 4_000,
  purgeAfterMs: 12_000,
  sweepIntervalMs: 0,
  // Small batches, so a sweep is many transactions that appends interleave with.
  batchSize: 7,
} as const;

/** How far the clock moves per tick. */
export const TICK_MS = 250;

/** Where a session should be after a sweep at `now`, given its last activity. */
export function expectedStatus(
  now: number,
  lastActivityAt: number,
): "active" | "idle" | "archived" | "purged" {
  const quiet = now - lastActivityAt;
  if (quiet >= TIMEOUT_POLICY.purgeAfterMs) return "purged";
  if (quiet >= TIMEOUT_POLICY.archiveAfterMs) return "archived";
  if (quiet >= TIMEOUT_POLICY.idleAfterMs) return "idle";
  return "active";
}
