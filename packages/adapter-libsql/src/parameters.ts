import { LruCache, type Params, SqliteError, type SqliteValue } from "@llm-sessions/core/driver";

/**
 * What parameters one SQL text expects, read with SQLite's own tokenizer
 * rules. libSQL does not check them itself: a missing value is bound as NULL
 * without a word, extra positional values are dropped, and an object of
 * values for a statement with an anonymous `?` makes libSQL's native layer
 * panic, which aborts the whole process. So every statement is checked here,
 * before it reaches libSQL (locally or on a server), and fails with `RANGE`
 * like better-sqlite3.
 */
export interface ParameterShape {
  /** The number of parameters (SQLite's sqlite3_bind_parameter_count). */
  readonly count: number;
  /** Distinct names of the named parameters, without their prefix. */
  readonly names: readonly string[];
  /** Whether a `?` or `?NNN` parameter appears (those need an array of values). */
  readonly positional: boolean;
}

/** Parsed shapes by SQL text; an application uses a bounded set of statements. */
const shapes = new LruCache<string, ParameterShape>(1000);

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
  return bindShape(shapeOf(sql), params);
}

/** `bindParams` for a shape already looked up (a local statement keeps it). */
export function bindShape(shape: ParameterShape, params: Params | undefined): BoundArgs {
  if (params === undefined || isList(params)) {
    const given = params?.length ?? 0;
    if (given !== shape.count) {
      throw range(`the statement has ${shape.count} parameter(s) but ${given} value(s) were given`);
    }
    if (params === undefined || given === 0) return [];
    const args = new Array<SqliteValue>(given);
    for (let i = 0; i < given; i++) args[i] = bindValue(params[i] as SqliteValue);
    return args;
  }
  if (shape.positional) {
    throw range("the statement has ? parameters: pass the values as an array");
  }
  const given = new Map<string, SqliteValue>();
  for (const key of Object.keys(params)) given.set(stripPrefix(key), params[key] as SqliteValue);
  // No prototype: a parameter named "__proto__" stays a plain key.
  const args = Object.create(null) as Record<string, SqliteValue>;
  for (const name of shape.names) {
    if (!given.has(name)) throw range(`missing named parameter "${name}"`);
    args[name] = bindValue(given.get(name) as SqliteValue);
  }
  return args;
}

/** What `sql` expects, parsed once per distinct text. */
export function shapeOf(sql: string): ParameterShape {
  let shape = shapes.get(sql);
  if (shape === undefined) {
    shape = parse(sql);
    shapes.set(sql, shape);
  }
  return shape;
}

/** Walks the SQL text, skipping literals, quoted names and comments, collecting parameters. */
function parse(sql: string): ParameterShape {
  let count = 0;
  let positional = false;
  // Full names (with prefix): SQLite gives each distinct one its own index.
  const seen = new Set<string>();
  const names: string[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i] as string;
    if (c === "'" || c === '"' || c === "`") {
      i = skipQuoted(sql, i, c);
    } else if (c === "[") {
      const end = sql.indexOf("]", i + 1);
      i = end < 0 ? n : end + 1;
    } else if (c === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\n", i + 2);
      i = end < 0 ? n : end + 1;
    } else if (c === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === "?") {
      let j = i + 1;
      while (j < n && isDigit(sql[j] as string)) j++;
      positional = true;
      count = j > i + 1 ? Math.max(count, Number(sql.slice(i + 1, j))) : count + 1;
      i = j;
    } else if (c === ":" || c === "@" || c === "$" || c === "#") {
      const j = skipVariableName(sql, i + 1);
      if (j > i + 1) {
        const full = sql.slice(i, j);
        if (!seen.has(full)) {
          seen.add(full);
          count++;
          const bare = full.slice(1);
          if (!names.includes(bare)) names.push(bare);
        }
      }
      i = Math.max(j, i + 1);
    } else if (isIdChar(c)) {
      // A word or a number: a `$` inside it (a$b) is part of the word, not a parameter.
      i++;
      while (i < n && isIdChar(sql[i] as string)) i++;
    } else {
      i++;
    }
  }
  return { count, names, positional };
}

/** Past a quoted string or name; a doubled quote is an escaped one. */
function skipQuoted(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] !== quote) return i + 1;
      i += 2;
    } else {
      i++;
    }
  }
  return i;
}

/** SQLite's variable names: id chars, `::` inside, and a TCL-style `(...)` suffix. */
function skipVariableName(sql: string, start: number): number {
  let i = start;
  while (i < sql.length) {
    const c = sql[i] as string;
    if (isIdChar(c)) {
      i++;
    } else if (c === ":" && sql[i + 1] === ":") {
      i += 2;
    } else if (c === "(" && i > start) {
      const end = sql.indexOf(")", i + 1);
      return end < 0 ? sql.length : end + 1;
    } else {
      break;
    }
  }
  return i;
}

/** SQLite's IdChar: letters, digits, `_`, `$` and every non-ASCII character. */
function isIdChar(c: string): boolean {
  const code = c.charCodeAt(0);
  return (
    (code >= 48 && code <= 57) ||
    (code >= 65 && code <= 90) ||
    (code >= 97 && code <= 122) ||
    code === 95 ||
    code === 36 ||
    code >= 128
  );
}

function isDigit(c: string): boolean {
  const code = c.charCodeAt(0);
  return code >= 48 && code <= 57;
}

const MIN_INT64 = -(2n ** 63n);
const MAX_INT64 = 2n ** 63n - 1n;

/**
 * One value for libSQL, or a `SqliteError` for what the contract does not
 * allow. Checked here because libSQL's native layer binds `undefined` as NULL
 * without a word and aborts the whole process on a boolean.
 * A safe-integer number is bound as a bigint, i.e. as INTEGER: libSQL binds
 * every JS number as REAL, so `3` would be stored as `3.0`
 * (`json_object('n', ?)` would give `{"n":3.0}`). better-sqlite3's adapter
 * does the same.
 */
function bindValue(value: SqliteValue): SqliteValue {
  switch (typeof value) {
    case "number":
      return Number.isSafeInteger(value) ? BigInt(value) : value;
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

function stripPrefix(key: string): string {
  const first = key.charCodeAt(0);
  // ':' '@' '$'
  return first === 58 || first === 64 || first === 36 ? key.slice(1) : key;
}

/** `Array.isArray` that narrows a readonly array. */
function isList(params: Params): params is readonly SqliteValue[] {
  return Array.isArray(params);
}

function range(message: string): SqliteError {
  return new SqliteError("RANGE", message);
}
