import { bareName, bindInteger, type Params } from "@llm-sessions/core/driver";

/** What better-sqlite3's `run`/`get`/`all` accept after the spread: no arguments, or one. */
export type BindArgs = [] | [unknown];

/**
 * Turns contract parameters into better-sqlite3 arguments.
 *
 * - A JS number that is a safe integer is bound as a `bigint` (core's
 *   `bindInteger`): better-sqlite3 binds every number as REAL, so `3` would
 *   become `3.0`. Other numbers stay REAL.
 * - Named keys may carry a prefix (`{ ":id": 1 }`): better-sqlite3 only
 *   matches bare names, so the prefix is dropped (`{ id: 1 }` binds `:id`,
 *   `@id` and `$id` natively).
 * - `Uint8Array` (not only `Buffer`) binds as a BLOB natively, view offsets included.
 */
export function bindArgs(params: Params | undefined): BindArgs {
  if (params === undefined) return [];
  if (Array.isArray(params)) return [params.map(bindInteger)];
  const named: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    named[bareName(key)] = bindInteger(value);
  }
  return [named];
}
