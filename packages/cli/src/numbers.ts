import type { MAX_BUSY_TIMEOUT_MS as LIBRARY_MAX_BUSY_TIMEOUT_MS } from "@llm-sessions/core";
import { usageError } from "./errors.js";

/**
 * Numbers typed on the command line. Only plain decimal digits are read:
 * `Number()` alone would take `1e99`, `0x10` or `1.0`, and a value past what
 * the library accepts would fail later as an operation error (exit 1) after
 * the database was opened, instead of as a usage error (exit 2) before.
 */

/**
 * The longest `--busy-timeout`: the library's `MAX_BUSY_TIMEOUT_MS` (2^31 - 1),
 * what `openStore` accepts as `busyTimeoutMs`. Written out rather than
 * imported because `--help` and `--version` must not load the library; the
 * type makes it fail to compile if the library's figure ever differs.
 */
export const MAX_BUSY_TIMEOUT_MS: typeof LIBRARY_MAX_BUSY_TIMEOUT_MS = 2_147_483_647;

/** `search --limit` when not given. (Its largest is the library's `SEARCH_BOUNDS.maxPageSize`.) */
export const DEFAULT_SEARCH_LIMIT = 20;

/** The longest lifecycle duration (`sweep --idle-after` ...): the library's bound, 2^47 ms. */
export const MAX_DURATION_MS = 2 ** 47;

/**
 * A whole number in `min..max` written in decimal digits, or `undefined`
 * when `text` is anything else (the caller words the usage error).
 */
export function wholeNumber(text: string, min: number, max: number): number | undefined {
  if (!/^\d{1,16}$/.test(text.trim())) return undefined;
  const n = Number(text.trim());
  return n >= min && n <= max ? n : undefined;
}

/**
 * `wholeNumber` for an option, or a usage error (exit 2) that names the
 * option, the range and the value given.
 */
export function wholeNumberOption(text: string, option: string, min: number, max: number): number {
  const n = wholeNumber(text, min, max);
  if (n === undefined) {
    throw usageError(`${option} must be a whole number from ${min} to ${max} (got "${text}")`);
  }
  return n;
}
