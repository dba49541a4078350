import type { RawStatement } from "./adapter.js";
import { SqliteError } from "./errors.js";
import { LruCache } from "./lru.js";
import type { Params, SqliteValue } from "./types.js";

/**
 * What parameters one SQL text expects, read with SQLite's own tokenizer
 * rules (for a driver that does not check them itself: node:sqlite and
 * libSQL bind a missing value as NULL without a word).
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

/** What `sql` expects, parsed once per distinct text. */
export function parameterShape(sql: string): ParameterShape {
  let shape = shapes.get(sql);
  if (shape === undefined) {
    shape = parse(sql);
    shapes.set(sql, shape);
  }
  return shape;
}

/**
 * Checks `params` against a statement's shape, with `RANGE` (SQLite's "bind
 * index out of range") for what would bind wrong: an array (or nothing)
 * must hold exactly one value per parameter; an object is refused for `?`
 * parameters and needs a key for every named one (`{ id }` or `{ ":id" }`
 * for `:id`, `@id`, `$id`). Keys the statement does not use are left to the
 * driver.
 */
export function checkParameters(shape: ParameterShape, params: Params | undefined): void {
  if (params === undefined || isList(params)) {
    const given = params?.length ?? 0;
    if (given !== shape.count) {
      throw range(`the statement has ${shape.count} parameter(s) but ${given} value(s) were given`);
    }
    return;
  }
  if (shape.positional) {
    throw range("the statement has ? parameters: pass the values as an array");
  }
  const given = new Set(Object.keys(params).map(bareName));
  const missing = shape.names.find((name) => !given.has(name));
  if (missing !== undefined) throw range(`missing named parameter "${missing}"`);
}

/** A named parameter's key without its `:`, `@` or `$` prefix. */
export function bareName(key: string): string {
  const first = key.charCodeAt(0);
  // ':' '@' '$'
  return first === 58 || first === 64 || first === 36 ? key.slice(1) : key;
}

/** What `checkedStatement` checks before a statement runs. */
export interface ValueChecks {
  /** The values against the SQL's parameters (`SqliteAdapter.checkParameters`). */
  readonly parameters: boolean;
  /** No text with a NUL inside (`DriverCapabilities.refusesTextWithNul`): `MISUSE`. */
  readonly refuseTextWithNul: boolean;
}

/**
 * A raw statement that checks its values first: what core prepares for an
 * adapter that sets `checkParameters` or declares `refusesTextWithNul`.
 */
export function checkedStatement(
  raw: RawStatement,
  sql: string,
  checks: ValueChecks,
): RawStatement {
  const shape = checks.parameters ? parameterShape(sql) : undefined;
  const check = (params: Params | undefined): void => {
    if (shape) checkParameters(shape, params);
    if (checks.refuseTextWithNul && params !== undefined) refuseTextWithNul(params);
  };
  return {
    run(params) {
      check(params);
      return raw.run(params);
    },
    get(params) {
      check(params);
      return raw.get(params);
    },
    all(params) {
      check(params);
      return raw.all(params);
    },
  };
}

/** Text the driver would cut at its first NUL is refused whole, before anything runs. */
function refuseTextWithNul(params: Params): void {
  for (const value of isList(params) ? params : Object.values(params)) {
    if (typeof value === "string" && value.includes("\u0000")) {
      throw new SqliteError(
        "MISUSE",
        "this driver would cut bound text at its NUL character: refused rather than stored cut",
      );
    }
  }
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

/** `Array.isArray` that narrows a readonly array. */
function isList(params: Params): params is readonly SqliteValue[] {
  return Array.isArray(params);
}

function range(message: string): SqliteError {
  return new SqliteError("RANGE", message);
}
