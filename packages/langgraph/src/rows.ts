import type { SerializerProtocol } from "@langchain/langgraph-checkpoint";

/** The columns a checkpoint query returns (see `SELECT_TUPLE`). */
export interface TupleRow {
  thread_id: string;
  checkpoint_ns: string;
  checkpoint_id: string;
  parent_checkpoint_id: string | null;
  v: number;
  checkpoint_type: string;
  checkpoint: Uint8Array;
  metadata_type: string;
  metadata: Uint8Array;
  session_pk: number;
  /** JSON array of `[task_id, channel, type, hex(value)]`, in `writesSortKey` order. */
  writes: string;
  /** JSON array of `[channel, type, hex(value)]`: the channel values at the checkpoint's versions. */
  blobs: string;
  /** For a checkpoint older than v4: the parent's pending sends, `[type, hex(value)]`. */
  sends: string | null;
}

/**
 * A value in a JSON aggregate: JSON-typed values as their text (no
 * encoding, and the serializer parses text directly), others as hex
 * (JSON cannot carry a BLOB), told apart by their type.
 */
const VALUE = (t: string) =>
  `CASE WHEN ${t}.type = 'json' THEN CAST(${t}.value AS TEXT) ELSE hex(${t}.value) END`;

/** Bytes or text of a value, as `VALUE` sent it. */
function sentValue(type: string, sent: string): Uint8Array | string {
  return type === "json" ? sent : fromHex(sent);
}

/**
 * One query returns a checkpoint with its pending writes (and, for old
 * checkpoints, the parent's sends): the writes travel as JSON, their bytes
 * as hex, because JSON cannot carry a BLOB.
 */
export const SELECT_TUPLE = `
  SELECT s.id AS thread_id, c.checkpoint_ns, c.checkpoint_id, c.parent_checkpoint_id, c.v,
    c.checkpoint_type, c.checkpoint, c.metadata_type, c.metadata, c.session_pk,
    (SELECT json_group_array(json_array(ordered.task_id, ordered.channel, ordered.type, ${VALUE("ordered")}))
       FROM (SELECT * FROM langgraph_writes w
             WHERE w.session_pk = c.session_pk AND w.checkpoint_ns = c.checkpoint_ns
               AND w.checkpoint_id = c.checkpoint_id
             ORDER BY w.task_path, w.task_id, w.idx) AS ordered) AS writes,
    (SELECT json_group_array(json_array(b.channel, b.type, ${VALUE("b")}))
       -- CROSS JOIN keeps json_each outside: one primary-key lookup per channel,
       -- never a walk over every value the thread has stored.
       FROM json_each(c.channel_versions) AS cv
       CROSS JOIN langgraph_blobs b ON b.session_pk = c.session_pk AND b.checkpoint_ns = c.checkpoint_ns
        AND b.channel = cv.key AND b.version = CAST(cv.value AS TEXT)
       WHERE b.type != 'empty') AS blobs,
    CASE WHEN c.v < 4 AND c.parent_checkpoint_id IS NOT NULL THEN
      (SELECT json_group_array(json_array(ordered.type, ${VALUE("ordered")}))
         FROM (SELECT * FROM langgraph_writes w
               WHERE w.session_pk = c.session_pk AND w.checkpoint_ns = c.checkpoint_ns
                 AND w.checkpoint_id = c.parent_checkpoint_id
                 AND w.channel = ?
               ORDER BY w.task_path, w.task_id, w.idx) AS ordered)
    END AS sends
  FROM langgraph_checkpoints c JOIN sessions s ON s.pk = c.session_pk`;

/** Bytes from SQLite's `hex()`. */
export function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, "hex"));
}

/** Some drivers hand BLOBs back as Buffers or ArrayBuffers; the serializer wants a Uint8Array. */
export function bytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (typeof value === "string") return new TextEncoder().encode(value);
  throw new TypeError(`expected a BLOB, got ${typeof value}`);
}

/** Decodes the pending writes of a row. */
export async function decodeWrites(
  serde: SerializerProtocol,
  json: string,
): Promise<[string, string, unknown][]> {
  const rows = JSON.parse(json) as [string, string, string, string][];
  return Promise.all(
    rows.map(
      async ([taskId, channel, type, hex]) =>
        [taskId, channel, await serde.loadsTyped(type, sentValue(type, hex))] as [
          string,
          string,
          unknown,
        ],
    ),
  );
}

/** Decodes the parent's pending sends of an old checkpoint. */
export async function decodeSends(serde: SerializerProtocol, json: string): Promise<unknown[]> {
  const rows = JSON.parse(json) as [string, string][];
  return Promise.all(rows.map(([type, hex]) => serde.loadsTyped(type, sentValue(type, hex))));
}

/** Decodes the channel values of a row. */
export async function decodeBlobs(
  serde: SerializerProtocol,
  json: string,
): Promise<Record<string, unknown>> {
  const rows = JSON.parse(json) as [string, string, string][];
  const entries = await Promise.all(
    rows.map(async ([channel, type, hex]) => [
      channel,
      await serde.loadsTyped(type, sentValue(type, hex)),
    ]),
  );
  return Object.fromEntries(entries);
}
