import { isThenable } from "./steps.js";

/**
 * Drives a generator whose yields are values or promises: each yield gets
 * its value back, a rejection is thrown into the generator at the yield. It
 * runs synchronously for as long as the yields are plain values, and
 * returns a promise from the first one that is not.
 *
 * Why: a synchronous driver must stay synchronous from BEGIN to COMMIT (the
 * write lock is then held for the statements alone), while an async driver
 * goes through the same code. One generator says the steps once.
 */
export function drive<T>(body: Generator<unknown, T, unknown>): T | Promise<T> {
  let next = body.next();
  while (!next.done) {
    if (isThenable(next.value)) return driveAsync(body, next.value);
    next = body.next(next.value);
  }
  return next.value;
}

async function driveAsync<T>(
  body: Generator<unknown, T, unknown>,
  pending: PromiseLike<unknown>,
): Promise<T> {
  let waiting = pending;
  for (;;) {
    let next: IteratorResult<unknown, T>;
    let value: unknown;
    let failed = false;
    try {
      value = await waiting;
    } catch (error) {
      failed = true;
      value = error;
    }
    next = failed ? body.throw(value) : body.next(value);
    while (!next.done && !isThenable(next.value)) next = body.next(next.value);
    if (next.done) return next.value;
    waiting = next.value as PromiseLike<unknown>;
  }
}
