import type { JsonObject, JsonValue } from "./types.js";

/** Why a value is not plain JSON data: where (keys from the top) and which rule. */
export interface PlainJsonIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

/** The result of `toPlainJson`: a copy of the data, or the first problem found. */
export type PlainJsonResult =
  | { readonly ok: true; readonly value: JsonObject; readonly bytes: number }
  | { readonly ok: false; readonly issue: PlainJsonIssue };

/** Limits of `toPlainJson`. */
export interface PlainJsonLimits {
  /** Levels of nesting; the top object is level 1. */
  readonly maxDepth: number;
  /** Bytes of the copy as JSON (UTF-8). */
  readonly maxBytes: number;
}

interface Frame {
  readonly source: object;
  readonly target: JsonObject | JsonValue[];
  readonly keys: readonly (string | number)[];
  readonly path: (string | number)[];
  next: number;
}

/** A key that JavaScript would turn into a prototype change when the object is rebuilt. */
const FORBIDDEN_KEY = "__proto__";

/**
 * Copies `value` as plain JSON data, or says why it is not: only plain
 * objects (prototype `Object.prototype` or `null`), arrays, well-formed
 * strings, finite numbers, booleans and `null`; no cycles, no deeper than
 * `maxDepth`, no `__proto__` key, no `undefined` (not even in an array), at
 * most `maxBytes` as JSON.
 *
 * The walk is iterative (no recursion limit to hit), reads each property once
 * (so the copy is what was checked, even if a getter would answer differently
 * the next time), and stops as soon as the data is certainly too big, so that
 * shared references nested many times cannot make it expand without bound.
 * A getter or proxy trap that throws is reported as an issue, never rethrown.
 */
export function toPlainJson(value: unknown, limits: PlainJsonLimits): PlainJsonResult {
  try {
    return walk(value, limits);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, issue: { path: [], message: `could not be read: ${reason}` } };
  }
}

function walk(value: unknown, limits: PlainJsonLimits): PlainJsonResult {
  const fail = (path: (string | number)[], message: string): PlainJsonResult => ({
    ok: false,
    issue: { path, message },
  });
  if (!isPlainObject(value)) return fail([], "must be a plain JSON object");
  const root: JsonObject = {};
  const stack: Frame[] = [];
  const ancestors = new Set<object>();
  // A lower bound of the JSON size: every value, key and separator costs at
  // least this much, so passing maxBytes means the JSON is certainly too big.
  let atLeast = 0;
  const enter = (source: object, target: JsonObject | JsonValue[], path: (string | number)[]) => {
    ancestors.add(source);
    const keys = Array.isArray(source)
      ? Array.from({ length: source.length }, (_, i) => i)
      : Object.keys(source);
    stack.push({ source, target, keys, path, next: 0 });
    atLeast += 2;
  };
  if (limits.maxDepth < 1) return fail([], `must be nested at most ${limits.maxDepth} levels deep`);
  enter(value, root, []);

  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as Frame;
    if (frame.next >= frame.keys.length) {
      stack.pop();
      ancestors.delete(frame.source);
      continue;
    }
    const key = frame.keys[frame.next] as string | number;
    frame.next += 1;
    const path = [...frame.path, key];
    if (typeof key === "string") {
      if (key === FORBIDDEN_KEY) return fail(path, `the key "${FORBIDDEN_KEY}" is not allowed`);
      if (!isWellFormed(key))
        return fail(path, "key must be well-formed UTF-16 (no lone surrogate)");
      atLeast += key.length + 4;
    } else {
      atLeast += 1;
    }
    if (atLeast > limits.maxBytes)
      return fail([], `must be at most ${limits.maxBytes} bytes as JSON`);

    const item: unknown = (frame.source as Record<string | number, unknown>)[key];
    let copy: JsonValue;
    if (item === null || typeof item === "boolean") {
      copy = item;
      atLeast += 4;
    } else if (typeof item === "number") {
      if (!Number.isFinite(item)) return fail(path, "must be a finite number");
      copy = item;
      atLeast += 1;
    } else if (typeof item === "string") {
      if (!isWellFormed(item)) return fail(path, "must be well-formed UTF-16 (no lone surrogate)");
      copy = item;
      atLeast += item.length + 2;
    } else if (Array.isArray(item) || isPlainObject(item)) {
      if (ancestors.has(item)) return fail(path, "must not contain itself (a circular reference)");
      if (stack.length >= limits.maxDepth) {
        return fail(path, `must be nested at most ${limits.maxDepth} levels deep`);
      }
      copy = Array.isArray(item) ? [] : {};
      enter(item, copy, path);
    } else {
      return fail(path, `must be JSON data (${describe(item)} is not)`);
    }
    if (Array.isArray(frame.target)) frame.target.push(copy);
    else frame.target[key] = copy;
  }
  if (atLeast > limits.maxBytes)
    return fail([], `must be at most ${limits.maxBytes} bytes as JSON`);
  const bytes = Buffer.byteLength(JSON.stringify(root), "utf8");
  if (bytes > limits.maxBytes) return fail([], `must be at most ${limits.maxBytes} bytes as JSON`);
  return { ok: true, value: root, bytes };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "object") {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)
      ?.constructor?.name;
    return typeof name === "string" && name !== "" ? `a ${name}` : "this object";
  }
  return `a ${typeof value}`;
}

/**
 * Whether `s` is well-formed UTF-16: no lone surrogate. Drivers bind text as
 * UTF-8, and a lone surrogate has no UTF-8 form: libSQL binds it as U+FFFD and
 * better-sqlite3 keeps other bytes, so two different strings could become one
 * key.
 */
export function isWellFormed(s: string): boolean {
  // Node 20 has String.prototype.isWellFormed; the compile target's lib does not declare it.
  return (s as string & { isWellFormed(): boolean }).isWellFormed();
}
