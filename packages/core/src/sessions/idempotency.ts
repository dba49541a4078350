import { type MessageRow, toUsage } from "./rows.js";
import type { NewMessage } from "./types.js";

/**
 * JSON with every object's keys sorted, so that two values that are the
 * same data compare equal whatever order their keys were written in.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort()) sorted[key] = (v as Record<string, unknown>)[key];
    return sorted;
  });
}

/**
 * The fields in which `given` (a validated message of an append) differs
 * from `stored`, the message its session already holds with the same
 * idempotency key; empty when it is the same message (a true retry).
 *
 * Every field the caller gives is compared with what was stored: role,
 * content, parts (their stored JSON, in which the caller's JSON keeps its
 * key order: parts are kept byte for byte, so a reordered key is another
 * message), usage, whether it is a compaction summary and through which seq, name, model, tokens, latency and metadata (as data: key order
 * aside), and the id when the caller chose one (a retry that lets the store
 * choose the id again is the same message). Stored values round-trip exactly,
 * so the stored row itself is the record of the first request: no digest
 * is kept beside it, and messages stored before this check existed are
 * compared the same way.
 */
export function idempotencyDifferences(
  given: NewMessage & {
    readonly storedParts: string | null;
    /** For a compaction's summary: its `throughSeq`. */
    readonly summaryThrough?: number | null;
  },
  stored: Omit<MessageRow, "session_id">,
): string[] {
  const pairs: [string, unknown, unknown][] = [
    ["role", given.role, stored.role],
    ["content", given.content, stored.content],
    // The stored form is the given parts encoded the same way: equal text, equal parts.
    ["parts", given.storedParts, stored.parts ?? null],
    ["usage", canonicalJson(given.usage ?? null), canonicalJson(toUsage(stored))],
    ["name", given.name ?? null, stored.name],
    ["model", given.model ?? null, stored.model],
    ["tokens", given.tokens ?? null, stored.tokens === null ? null : Number(stored.tokens)],
    [
      "latencyMs",
      given.latencyMs ?? null,
      stored.latency_ms === null ? null : Number(stored.latency_ms),
    ],
    [
      "metadata",
      canonicalJson(given.metadata ?? {}),
      canonicalJson(JSON.parse(stored.metadata) as unknown),
    ],
  ];
  // A summary is another request than an append (and than another compaction).
  pairs.push([
    "throughSeq",
    given.summaryThrough ?? null,
    stored.summary_through === null || stored.summary_through === undefined
      ? null
      : Number(stored.summary_through),
  ]);
  if (given.id !== undefined) pairs.push(["id", given.id, stored.id]);
  return pairs.filter(([, a, b]) => a !== b).map(([field]) => field);
}
