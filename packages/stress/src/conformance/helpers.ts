import { SqliteError, type SqliteErrorCode } from "@llm-sessions/core";
import type { Params, Queryable } from "@llm-sessions/core/driver";
import { expect } from "vitest";

/**
 * Awaits `promise`, expects it to reject with a `SqliteError` whose code is
 * one of `codes`, and returns the error for further checks.
 */
export async function expectSqliteError(
  promise: Promise<unknown>,
  codes: SqliteErrorCode | readonly SqliteErrorCode[],
  what = "the call",
): Promise<SqliteError> {
  const wanted: readonly SqliteErrorCode[] = typeof codes === "string" ? [codes] : codes;
  const outcome = await promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (outcome.ok) {
    expect.fail(
      `${what} resolved (with ${show(outcome.value)}) but should reject with SqliteError ${wanted.join(" or ")}`,
    );
  }
  const error = outcome.error;
  expect(error, `${what} should reject with a SqliteError, got ${show(error)}`).toBeInstanceOf(
    SqliteError,
  );
  const sqliteError = error as SqliteError;
  expect(
    wanted,
    `${what} rejected with code ${sqliteError.code} (${sqliteError.message}); expected ${wanted.join(" or ")}`,
  ).toContain(sqliteError.code);
  return sqliteError;
}

/** Awaits `promise`, expects a rejection of any kind, and returns the reason. */
export async function rejection(promise: Promise<unknown>, what = "the call"): Promise<unknown> {
  const outcome = await promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (outcome.ok) expect.fail(`${what} resolved (with ${show(outcome.value)}) but should reject`);
  return outcome.error;
}

/** A promise with its resolve function outside, to hold a transaction open. */
export interface Gate {
  readonly promise: Promise<void>;
  open(): void;
}

export function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Lets every queued microtask and one macrotask turn run. */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Tracks whether a promise has settled yet, without changing it. */
export function track<T>(promise: Promise<T>): {
  readonly settled: boolean;
  readonly promise: Promise<T>;
} {
  const state = { settled: false, promise };
  promise.then(
    () => {
      state.settled = true;
    },
    () => {
      state.settled = true;
    },
  );
  return state;
}

/** Races `promise` against a deadline; rejects with a clear message on timeout (a deadlock). */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not settle within ${ms} ms (deadlock?)`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** A short, safe description of a value for failure messages. */
export function show(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (typeof value === "bigint") return `${value}n`;
  if (value instanceof Uint8Array) return `Uint8Array(${value.length})`;
  try {
    const text = JSON.stringify(value, (_, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
    if (text === undefined) return String(value);
    return text.length > 200 ? `${text.slice(0, 200)}...` : text;
  } catch {
    return String(value);
  }
}

/** Reads one value out of a one-row, one-column query. */
export async function scalar(db: Queryable, sql: string, params?: Params): Promise<unknown> {
  const row = await db.get(sql, params);
  expect(row, `${sql} returned no row`).toBeDefined();
  const values = Object.values(row ?? {});
  expect(values, `${sql} should return one column`).toHaveLength(1);
  return values[0];
}
