import { setTimeout as sleep } from "node:timers/promises";

/** What one try at the write lock gave: done, or the BUSY error it met. */
export type LockAttempt = { readonly ok: true } | { readonly ok: false; readonly busy: unknown };

/** The first pause between two tries, doubled after each up to `MAX_PAUSE_MS` (SQLite's own handler pauses 1 to 100 ms). */
const FIRST_PAUSE_MS = 1;
const MAX_PAUSE_MS = 25;

/**
 * Takes the write lock without blocking the event loop. SQLite's busy
 * handler waits inside the synchronous call, and while it waits nothing else
 * in this process runs: when the lock is held by another connection of this
 * same process (a second store on the file, a transaction that awaits between
 * its statements), the holder cannot finish, so the wait always ran out
 * (BUSY after `busy_timeout`, with the event loop frozen all along). So
 * `attempt` tries without SQLite's wait, and is tried again on later turns
 * of the event loop until `busyTimeoutMs` has passed; then the last BUSY
 * error is thrown. Synchronous when the first try is.
 */
export function withoutBlocking(
  attempt: () => LockAttempt | Promise<LockAttempt>,
  busyTimeoutMs: number,
): void | Promise<void> {
  const first = attempt();
  if (first instanceof Promise) {
    return first.then((got) => (got.ok ? undefined : later(attempt, busyTimeoutMs, got.busy)));
  }
  if (first.ok) return undefined;
  return later(attempt, busyTimeoutMs, first.busy);
}

function later(
  attempt: () => LockAttempt | Promise<LockAttempt>,
  busyTimeoutMs: number,
  busy: unknown,
): Promise<void> {
  if (busyTimeoutMs <= 0) return Promise.reject(busy);
  return retry(attempt, performance.now() + busyTimeoutMs, busy);
}

async function retry(
  attempt: () => LockAttempt | Promise<LockAttempt>,
  deadline: number,
  busy: unknown,
): Promise<void> {
  let pause = FIRST_PAUSE_MS;
  let last = busy;
  for (;;) {
    const left = deadline - performance.now();
    if (left <= 0) throw last;
    await sleep(Math.min(pause, left));
    const next = await attempt();
    if (next.ok) return;
    last = next.busy;
    pause = Math.min(pause * 2, MAX_PAUSE_MS);
  }
}
