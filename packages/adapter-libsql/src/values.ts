import type { ResultSet, Value } from "@libsql/client";
import {
  fromBigInt,
  type Row,
  type RunResult,
  runResult,
  type SqliteValue,
} from "@llm-sessions/core/driver";

/**
 * Rows as plain objects keyed by column name. @libsql/client's rows also
 * answer to indexes and carry a `length`; the contract's rows do not. A
 * repeated column name keeps the last value, as better-sqlite3 does.
 */
export function toRows(result: ResultSet): Row[] {
  const { columns, rows } = result;
  const out: Row[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const source = rows[i] as ResultSet["rows"][number];
    const row: Row = {};
    for (let j = 0; j < columns.length; j++) {
      const name = columns[j] as string;
      const value = fromValue(source[j] as Value);
      if (name === "__proto__") {
        // An own property, not the prototype setter.
        Object.defineProperty(row, name, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else {
        row[name] = value;
      }
    }
    out[i] = row;
  }
  return out;
}

/** `rowsAffected` and `lastInsertRowid` in the contract's shape (0 when the driver gives none). */
export function toRunResult(result: ResultSet): RunResult {
  return runResult(result.rowsAffected, result.lastInsertRowid);
}

/**
 * Integers arrive as bigint (the client runs with intMode "bigint" so none is
 * rounded) and leave as `number` when safe; BLOBs arrive as `ArrayBuffer` and
 * leave as a `Buffer` view over it (a `Uint8Array`, no copy).
 */
function fromValue(value: Value): SqliteValue {
  if (typeof value === "bigint") return fromBigInt(value);
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  return value;
}
