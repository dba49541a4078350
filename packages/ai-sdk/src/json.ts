import type { JsonValue, ValidationIssue } from "@llm-sessions/core";

/**
 * A UI message as the JSON the AI SDK's client sends and receives: object
 * keys whose value is `undefined` are left out (as `JSON.stringify` leaves
 * them out on the wire), `-0` becomes `0`; anything JSON cannot carry
 * exactly (functions, symbols, bigints, non-finite numbers, `undefined` in
 * an array, class instances such as `Date`, cycles) and strings that are not
 * well-formed UTF-16 (a lone surrogate) are issues. Returns the plain copy,
 * or the issues found (paths relative to `path`).
 */
export function toWireJson(
  value: unknown,
  path: string,
): { ok: true; value: JsonValue } | { ok: false; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  const seen = new Set<object>();
  const walk = (v: unknown, at: string): JsonValue => {
    if (v === null || typeof v === "boolean") return v;
    if (typeof v === "string") {
      if (!wellFormed(v)) issues.push({ path: at, message: "is not well-formed Unicode" });
      return v;
    }
    if (typeof v === "number") {
      if (!Number.isFinite(v)) issues.push({ path: at, message: "must be a finite number" });
      return v === 0 ? 0 : v;
    }
    if (typeof v !== "object") {
      issues.push({ path: at, message: `must be JSON (found ${typeof v})` });
      return null;
    }
    if (seen.has(v)) {
      issues.push({ path: at, message: "must not be circular" });
      return null;
    }
    seen.add(v);
    try {
      if (Array.isArray(v)) {
        return v.map((item, i) => {
          if (item === undefined) {
            issues.push({ path: `${at}.${i}`, message: "must not be undefined in an array" });
            return null;
          }
          return walk(item, `${at}.${i}`);
        });
      }
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) {
        issues.push({ path: at, message: "must be a plain object" });
        return null;
      }
      const out: { [key: string]: JsonValue } = {};
      for (const [key, item] of Object.entries(v)) {
        if (item === undefined) continue;
        if (!wellFormed(key))
          issues.push({ path: at, message: "has a key that is not well-formed Unicode" });
        out[key] = walk(item, `${at}.${key}`);
      }
      return out;
    } finally {
      seen.delete(v);
    }
  };
  const plain = walk(value, path);
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: plain };
}

/** A lone surrogate: half of a UTF-16 pair without the other half. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** `String.prototype.isWellFormed` (ES2024, newer than the lib this package targets). */
function wellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/**
 * JSON with every object's keys sorted: two values that are the same data
 * compare equal whatever order their keys were written in.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== "object" || Array.isArray(v) || v instanceof Uint8Array) {
      return v;
    }
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort()) sorted[key] = (v as Record<string, unknown>)[key];
    return sorted;
  });
}
