import { fromBigInt, type Params, type RunResult } from "@llm-sessions/core/driver";

/** What better-sqlite3's `run`/`get`/`all` accept after the spread: no arguments, or one. */
export type BindArgs = [] | [unknown];

/**
 * Turns contract parameters into better-sqlite3 arguments.
 *
 * - A JS number that is a safe integer is bound as a `bigint`: better-sqlite3
 *   binds every number as REAL, so `3` would become `3.0` (`typeof(?)` is
 *   'real', `json_object('n', ?)` gives `{"n":3.0}`, an untyped column
 *   stores a REAL). Other numbers stay REAL.
 * - Named keys may carry a prefix (`{ ":id": 1 }`): better-sqlite3 only
 *   matches bare names, so the prefix is dropped (`{ id: 1 }` binds `:id`,
 *   `@id` and `$id` natively).
 * - `Uint8Array` (not only `Buffer`) binds as a BLOB natively, view offsets included.
 */
export function bindArgs(params: Params | undefined): BindArgs {
  if (params === undefined) return [];
  if (Array.isArray(params)) return [params.map(bindValue)];
  const named: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    named[stripPrefix(key)] = bindValue(value);
  }
  return [named];
}

function bindValue(value: unknown): unknown {
  return typeof value === "number" && Number.isSafeInteger(value) ? BigInt(value) : value;
}

function stripPrefix(key: string): string {
  const first = key.charCodeAt(0);
  // ':' '@' '$'
  return first === 58 || first === 64 || first === 36 ? key.slice(1) : key;
}

/** better-sqlite3's run result with `lastInsertRowid` as a number when safe. */
export function toRunResult(result: {
  changes: number;
  lastInsertRowid: number | bigint;
}): RunResult {
  const { changes, lastInsertRowid } = result;
  return {
    changes,
    lastInsertRowid:
      typeof lastInsertRowid === "bigint" ? fromBigInt(lastInsertRowid) : lastInsertRowid,
  };
}
