import { createHash } from "node:crypto";
import {
  type AgentInputItem,
  protocol,
  type SessionHistoryTransaction,
  type SessionHistoryTransactionArgs,
  UserError,
} from "@openai/agents-core";
import { canonicalJson } from "./codec.js";

/**
 * Validation of `applyHistoryTransaction`'s arguments with the SDK's
 * reference semantics (`MemorySession`): the same checks in the same order,
 * with the same `UserError` messages, so that a caller sees the same errors
 * whichever session it runs on. The snapshot taken here is what is stored
 * and fingerprinted: later changes to the caller's objects change nothing.
 */
export function snapshotTransactionArgs(args: SessionHistoryTransactionArgs): {
  operationId: string;
  transaction: SessionHistoryTransaction;
} {
  let operationId: unknown;
  let transaction: unknown;
  try {
    if (!args || typeof args !== "object") throw new Error("Missing transaction arguments.");
    operationId = Reflect.get(args, "operationId");
    transaction = Reflect.get(args, "transaction");
  } catch {
    throw new UserError("Session history transaction arguments are invalid.");
  }
  if (typeof operationId !== "string" || !operationId.trim()) {
    throw new UserError("Session history transaction operationId must be a non-empty string.");
  }
  if (!transaction || typeof transaction !== "object") {
    throw new UserError("Session history transaction must be an object.");
  }
  return { operationId, transaction: snapshotTransaction(transaction) };
}

const INVALID_ITEMS = "Session history transaction items contain invalid or unsupported data.";

function snapshotTransaction(transaction: object): SessionHistoryTransaction {
  let record: Record<string, unknown>;
  try {
    record = snapshotValue(transaction) as Record<string, unknown>;
    structuredClone(transaction);
  } catch {
    throw new UserError(INVALID_ITEMS);
  }
  const has = (key: string) => Object.hasOwn(record, key);
  if (record.type === "append_items") {
    if (
      Object.keys(record).length !== 2 ||
      !has("type") ||
      !has("items") ||
      !Array.isArray(record.items)
    ) {
      throw new UserError("Session history append transaction fields are invalid.");
    }
    return { type: "append_items", items: checkedItems(record.items) };
  }
  if (record.type !== "replace_suffix") {
    throw new UserError("Unsupported session history transaction type.");
  }
  if (
    Object.keys(record).length !== 3 ||
    !has("type") ||
    !has("expectedSuffix") ||
    !has("replacement") ||
    !Array.isArray(record.expectedSuffix) ||
    !Array.isArray(record.replacement)
  ) {
    throw new UserError("Session history suffix transaction fields are invalid.");
  }
  return {
    type: "replace_suffix",
    expectedSuffix: checkedItems(record.expectedSuffix),
    replacement: checkedItems(record.replacement),
  };
}

function checkedItems(items: unknown[]): AgentInputItem[] {
  for (const item of items) {
    if (!protocol.ModelItem.safeParse(item).success) throw new UserError(INVALID_ITEMS);
  }
  return items as AgentInputItem[];
}

/**
 * A copy of plain data (plain objects, arrays, bytes, scalars); anything
 * else, accessors, symbol keys, sparse arrays and cycles throw. As the SDK's
 * `MemorySession` snapshots transaction values.
 */
export function snapshotValue(value: unknown, ancestors = new WeakSet<object>()): unknown {
  if (value === null || value === undefined) return value;
  const t = typeof value;
  if (t === "string" || t === "boolean" || t === "number") return value;
  if (t !== "object") throw new Error("Unsupported session history value.");
  const obj = value as object;
  if (obj instanceof Uint8Array) {
    const keys = Reflect.ownKeys(obj);
    if (
      keys.length !== obj.length ||
      keys.some((k) => typeof k !== "string" || !isIndex(k, obj.length))
    ) {
      throw new Error("Unsupported session history binary property.");
    }
    return new Uint8Array(obj);
  }
  if (ancestors.has(obj)) throw new Error("Cyclic session history value.");
  ancestors.add(obj);
  try {
    if (Array.isArray(obj)) {
      const length = obj.length;
      const keys = Reflect.ownKeys(obj);
      if (
        keys.length !== length + 1 ||
        keys.some((k) => typeof k !== "string" || (k !== "length" && !isIndex(k, length)))
      ) {
        throw new Error("Unsupported session history array.");
      }
      const out = new Array(length);
      for (let i = 0; i < length; i++) {
        const d = Object.getOwnPropertyDescriptor(obj, String(i));
        if (!d?.enumerable || !("value" in d))
          throw new Error("Unsupported session history array item.");
        out[i] = snapshotValue(d.value, ancestors);
      }
      return out;
    }
    const proto = Object.getPrototypeOf(obj);
    if (proto !== Object.prototype && proto !== null)
      throw new Error("Unsupported session history object.");
    const out: Record<string, unknown> = {};
    for (const key of Reflect.ownKeys(obj)) {
      if (typeof key !== "string") throw new Error("Unsupported session history property.");
      const d = Object.getOwnPropertyDescriptor(obj, key);
      if (!d?.enumerable || !("value" in d))
        throw new Error("Unsupported session history property.");
      Object.defineProperty(out, key, {
        configurable: true,
        enumerable: true,
        writable: true,
        value: snapshotValue(d.value, ancestors),
      });
    }
    return out;
  } finally {
    ancestors.delete(obj);
  }
}

function isIndex(key: string, length: number): boolean {
  if (!/^(0|[1-9]\d*)$/.test(key)) return false;
  const i = Number(key);
  return Number.isSafeInteger(i) && i < length;
}

/**
 * Structural equality as the SDK's `MemorySession` compares snapshots:
 * key order does not matter, `undefined` properties count as present, bytes
 * compare by content, numbers by `Object.is`.
 */
export function structurallyEqual(left: unknown, right: unknown): boolean {
  if (Object.is(left, right)) return true;
  if (Array.isArray(left) || Array.isArray(right)) {
    return (
      Array.isArray(left) &&
      Array.isArray(right) &&
      left.length === right.length &&
      left.every((entry, i) => structurallyEqual(entry, right[i]))
    );
  }
  if (left instanceof Uint8Array || right instanceof Uint8Array) {
    return (
      left instanceof Uint8Array &&
      right instanceof Uint8Array &&
      left.length === right.length &&
      left.every((b, i) => b === right[i])
    );
  }
  if (left === null || right === null || typeof left !== "object" || typeof right !== "object") {
    return false;
  }
  if (
    Object.getPrototypeOf(left) !== Object.prototype ||
    Object.getPrototypeOf(right) !== Object.prototype
  ) {
    return false;
  }
  const l = left as Record<string, unknown>;
  const r = right as Record<string, unknown>;
  const lk = Object.keys(l).sort();
  const rk = Object.keys(r).sort();
  return (
    lk.length === rk.length && lk.every((k, i) => k === rk[i] && structurallyEqual(l[k], r[k]))
  );
}

/**
 * The digest stored with an operation id: sha256 of the transaction's
 * canonical JSON (sorted keys, lossless for bytes and `undefined`), so that
 * structurally equal transactions have equal fingerprints, as
 * `MemorySession` compares them.
 */
export function fingerprint(transaction: SessionHistoryTransaction): string {
  return createHash("sha256").update(canonicalJson(transaction)).digest("hex");
}
