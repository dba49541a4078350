import type { JsonObject, JsonValue } from "@llm-sessions/core";
import { UserError } from "@openai/agents-core";

/**
 * The tag key of the lossless item encoding. An item is plain data except
 * for what JSON cannot hold (`undefined` properties, `Uint8Array` bytes,
 * non-finite numbers and `-0`); those become `{ "~": kind, ... }` objects, and
 * an item's own object that happens to have a `~` key is wrapped
 * (`{ "~": "o", "v": ... }`) so that decoding never mistakes it for a tag.
 */
const TAG = "~";

/**
 * Encodes an item (or any value the SDK's session snapshots accept) as JSON,
 * losslessly: `decodeValue(encodeValue(v))` deep-equals `v`, including
 * properties whose value is `undefined`. Anything else (class instances,
 * functions, symbols, cycles) is a `UserError`: it could not come back as it
 * went in.
 */
export function encodeValue(value: unknown, path: object[] = []): JsonValue {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (value === undefined) return { [TAG]: "u" };
  if (typeof value === "number") {
    if (Number.isFinite(value) && !Object.is(value, -0)) return value;
    return { [TAG]: "n", v: String(Object.is(value, -0) ? "-0" : value) };
  }
  if (typeof value !== "object") {
    throw new UserError(`Session items must be plain data; got a ${typeof value}.`);
  }
  if (value instanceof Uint8Array) {
    return {
      [TAG]: "b",
      v: Buffer.from(value.buffer, value.byteOffset, value.length).toString("base64"),
    };
  }
  if (path.includes(value)) throw new UserError("Session items must not contain cycles.");
  path.push(value);
  try {
    if (Array.isArray(value)) {
      const out: JsonValue[] = [];
      for (let i = 0; i < value.length; i++) out.push(encodeValue(value[i], path));
      return out;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new UserError("Session items must be plain data (plain objects, arrays, bytes).");
    }
    const out: JsonObject = {};
    for (const [key, entry] of Object.entries(value)) {
      // `__proto__` cannot be a plain JSON key in the store; keep it as an entry list.
      if (key === "__proto__") return { [TAG]: "e", v: entries(value, path) };
      out[key] = encodeValue(entry, path);
    }
    return TAG in out ? { [TAG]: "o", v: out } : out;
  } finally {
    path.pop();
  }
}

function entries(value: object, path: object[]): JsonValue {
  return Object.entries(value).map(([k, v]) => [k, encodeValue(v, path)]);
}

/** The inverse of `encodeValue`. */
export function decodeValue(value: JsonValue): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(decodeValue);
  const tag = value[TAG];
  if (tag === undefined) return decodeObject(value);
  switch (tag) {
    case "u":
      return undefined;
    case "n":
      return Number(value.v);
    case "b":
      return new Uint8Array(Buffer.from(value.v as string, "base64"));
    case "o":
      return decodeObject(value.v as JsonObject);
    case "e": {
      const out: Record<string, unknown> = {};
      for (const [k, v] of value.v as [string, JsonValue][]) {
        Object.defineProperty(out, k, {
          value: decodeValue(v),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    default:
      throw new Error(`Unknown value tag ${JSON.stringify(tag)} in a stored session item.`);
  }
}

function decodeObject(value: JsonObject): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = decodeValue(v);
  return out;
}

/**
 * JSON of the encoding with object keys sorted: equal for structurally equal
 * values (whatever their key order), the input of operation fingerprints.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(encodeValue(value)));
}

function sortKeys(value: JsonValue): JsonValue {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(sortKeys);
  const out: JsonObject = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys(value[key] as JsonValue);
  return out;
}
