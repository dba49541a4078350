import type { Row, RunResult } from "./types.js";

/**
 * Integers cross the contract as `number` when safe and `bigint` otherwise.
 * Drivers that read every integer as a bigint (to lose nothing) call this.
 */
export function fromBigInt(value: bigint): number | bigint {
  return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value;
}

/**
 * A value to bind, with a safe-integer `number` turned into a `bigint`: the
 * drivers here bind every JS number as REAL, so `3` would be stored as
 * `3.0` (`typeof(?)` is 'real', `json_object('n', ?)` gives `{"n":3.0}`).
 * Any other value is returned as it is.
 */
export function bindInteger<T>(value: T): T | bigint {
  return typeof value === "number" && Number.isSafeInteger(value) ? BigInt(value) : value;
}

/**
 * Narrows, in place, every `bigint` of a row the driver read with bigint
 * integers (`fromBigInt`): for a driver that returns fresh row objects.
 */
export function narrowRow(row: Row): Row {
  for (const key in row) {
    const value = row[key];
    if (typeof value === "bigint") row[key] = fromBigInt(value);
  }
  return row;
}

/**
 * A run's figures in the contract's shape: `changes` a number, and
 * `lastInsertRowid` a number when safe (0 when the driver gives none).
 */
export function runResult(
  changes: number | bigint,
  lastInsertRowid: number | bigint | null | undefined,
): RunResult {
  return {
    changes: Number(changes),
    lastInsertRowid:
      typeof lastInsertRowid === "bigint" ? fromBigInt(lastInsertRowid) : (lastInsertRowid ?? 0),
  };
}
