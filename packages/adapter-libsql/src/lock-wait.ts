import { setTimeout as sleep } from "node:timers/promises";

/** What one try at the write lock gave: the transaction, or the BUSY error it met. */
export type LockAttempt<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly busy: unknown };

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
 * error is thrown. Synchronous when the first try succeeds.
 */
export function withoutBlocking<T>(
  attempt: () => LockAttempt<T>,
  busyTimeoutMs: number,
): T | Promise<T> {
  const first = attempt();
  if (first.ok) return first.value;
  if (busyTimeoutMs <= 0) throw first.busy;
  return retry(attempt, performance.now() + busyTimeoutMs, first.busy);
}

/** `withoutBlocking` for an attempt that answers with a promise (the client engine). */
export async function withoutBlockingAsync<T>(
  attempt: () => Promise<LockAttempt<T>>,
  busyTimeoutMs: number,
): Promise<T> {
  const first = await attempt();
  if (first.ok) return first.value;
  if (busyTimeoutMs <= 0) throw first.busy;
  return retry(attempt, performance.now() + busyTimeoutMs, first.busy);
}

async function retry<T>(
  attempt: () => LockAttempt<T> | Promise<LockAttempt<T>>,
  deadline: number,
  busy: unknown,
): Promise<T> {
  let pause = FIRST_PAUSE_MS;
  let last = busy;
  for (;;) {
    const left = deadline - performance.now();
    if (left <= 0) throw last;
    await sleep(Math.min(pause, left));
    const next = await attempt();
    if (next.ok) return next.value;
    last = next.busy;
    pause = Math.min(pause * 2, MAX_PAUSE_MS);
  }
}
