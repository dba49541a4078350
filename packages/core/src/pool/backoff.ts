import type { BusyRetryOptions } from "./options.js";

/**
 * The delay before retry number `retry` (1 for the first retry): exponential
 * from `baseDelayMs`, capped at `maxDelayMs`, with "equal jitter" — half the
 * step fixed, half random — so processes that collided do not collide again
 * in lockstep, and no delay collapses to zero.
 */
export function backoffDelay(
  retry: number,
  options: Required<BusyRetryOptions>,
  random: () => number = Math.random,
): number {
  const step = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return step / 2 + random() * (step / 2);
}
