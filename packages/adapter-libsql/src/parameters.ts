import {
  bareName,
  bindInteger,
  checkParameters,
  type ParameterShape,
  type Params,
  parameterShape,
  SqliteError,
  type SqliteValue,
} from "@llm-sessions/core/driver";

/**
 * libSQL does not check a statement's parameters itself: a missing value is
 * bound as NULL without a word, extra positional values are dropped, and an
 * object of values for a statement with an anonymous `?` makes libSQL's
 * native layer panic, which aborts the whole process. So every statement is
 * checked against its SQL here (core's `parameterShape` and
 * `checkParameters`, `RANGE` like better-sqlite3), before it reaches libSQL
 * locally or on a server, and its values are checked and converted.
 */
export type { ParameterShape };

/** What `sql` expects, parsed once per distinct text (core's `parameterShape`). */
export const shapeOf = parameterShape;

/** Values ready for libSQL: positional, or by bare name (on an object without prototype). */
export type BoundArgs = SqliteValue[] | Record<string, SqliteValue>;

/**
 * Checks `params` against what `sql` expects and turns them into values for
 * libSQL (the package or the client):
 * - an array (or nothing) must hold exactly one value per parameter;
 * - an object needs a key for every named parameter (`{ id }` or
 *   `{ ":id" }` for `:id`, `@id`, `$id`); keys the statement does not use are
 *   dropped (a remote server would reject them);
 * - every value must be one the contract allows (see `bindValue`).
 */
export function bindParams(sql: string, params: Params | undefined): BoundArgs {
  return bindShape(parameterShape(sql), params);
}

/** `bindParams` for a shape already looked up (a local statement keeps it). */
export function bindShape(shape: ParameterShape, params: Params | undefined): BoundArgs {
  checkParameters(shape, params);
  if (params === undefined) return [];
  if (isList(params)) return params.map(bindValue);
  const given = new Map<string, SqliteValue>();
  for (const key of Object.keys(params)) given.set(bareName(key), params[key] as SqliteValue);
  // No prototype: a parameter named "__proto__" stays a plain key.
  const args = Object.create(null) as Record<string, SqliteValue>;
  for (const name of shape.names) args[name] = bindValue(given.get(name) as SqliteValue);
  return args;
}

const MIN_INT64 = -(2n ** 63n);
const MAX_INT64 = 2n ** 63n - 1n;

/**
 * One value for libSQL, or a `SqliteError` for what the contract does not
 * allow. Checked here because libSQL's native layer binds `undefined` as NULL
 * without a word and aborts the whole process on a boolean.
 * A safe-integer number is bound as a bigint, i.e. as INTEGER (core's
 * `bindInteger`: libSQL binds every JS number as REAL).
 */
function bindValue(value: SqliteValue): SqliteValue {
  switch (typeof value) {
    case "number":
      return bindInteger(value);
    case "string":
      return value;
    case "bigint":
      if (value < MIN_INT64 || value > MAX_INT64) {
        throw range(`the bigint ${value} does not fit in a 64-bit integer`);
      }
      return value;
    default:
      if (value === null || value instanceof Uint8Array) return value;
      throw new SqliteError(
        "MISUSE",
        `a parameter must be null, a number, a bigint, a string or a Uint8Array, got ${describe(value)}`,
      );
  }
}

function describe(value: unknown): string {
  if (typeof value !== "object" || value === null) return String(value);
  return value.constructor?.name ?? "an object";
}

/** `Array.isArray` that narrows a readonly array. */
function isList(params: Params): params is readonly SqliteValue[] {
  return Array.isArray(params);
}

function range(message: string): SqliteError {
  return new SqliteError("RANGE", message);
}
