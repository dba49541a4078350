import { ValidationError } from "../errors.js";
import { isWellFormed } from "./plain-json.js";

/**
 * Keyset cursors are opaque to callers: base64url of a small JSON array of the
 * last row's sort key. A tampered cursor is a `ValidationError`, never SQL.
 */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key), "utf8").toString("base64url");
}

/** Decodes a cursor whose key has the given element types. */
export function decodeCursor<T extends readonly ("string" | "number")[]>(
  where: string,
  cursor: string,
  types: T,
): { [K in keyof T]: T[K] extends "string" ? string : number } {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    key = undefined;
  }
  const ok =
    Array.isArray(key) &&
    key.length === types.length &&
    key.every(
      (v, i) =>
        typeof v === types[i] &&
        (typeof v !== "number" || Number.isSafeInteger(v)) &&
        // JSON can spell a lone surrogate or NUL ("\ud800", "\u0000"): not in a key this store issued.
        (typeof v !== "string" || (isWellFormed(v) && !v.includes("\u0000"))),
    );
  if (!ok) {
    throw new ValidationError(where, [
      { path: "cursor", message: "is not a cursor this store issued" },
    ]);
  }
  return key as { [K in keyof T]: T[K] extends "string" ? string : number };
}
