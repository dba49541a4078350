import type { JsonObject, JsonValue } from "./types.js";

const isObject = (v: JsonValue | undefined): v is JsonObject =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * JSON Merge Patch (RFC 7386) of `patch` onto `target`, as a new object:
 * `null` deletes a key, an object merges into the key's object (replacing a
 * non-object there), any other value replaces. Neither input is changed.
 * Both are plain JSON already checked by `toPlainJson` (no `__proto__` key),
 * and their depth is bounded, so the recursion is too.
 */
export function mergePatch(target: JsonObject, patch: JsonObject): JsonObject {
  const result: JsonObject = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key];
    } else if (isObject(value)) {
      const current = result[key];
      result[key] = mergePatch(isObject(current) ? current : {}, value);
    } else {
      result[key] = value;
    }
  }
  return result;
}
