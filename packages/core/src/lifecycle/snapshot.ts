import { createHash } from "node:crypto";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import type { Queryable } from "../driver/index.js";
import { LlmSessionsError } from "../errors.js";
import type { MessageRow, SessionRow } from "../sessions/rows.js";

/** A snapshot's bytes do not match its checksum (or cannot be read). Nothing was changed. */
export class SnapshotCorruptError extends LlmSessionsError {
  /** The session whose snapshot is corrupt. */
  readonly sessionId: string;

  constructor(sessionId: string, reason: string, options?: { cause?: unknown }) {
    super(
      "SNAPSHOT_CORRUPT",
      `the snapshot of session ${JSON.stringify(sessionId)} is corrupt: ${reason}`,
      options,
    );
    this.sessionId = sessionId;
  }
}

/** What a snapshot holds: the session row as it was and every message, in seq order. */
export interface SnapshotContent {
  readonly format: 1;
  readonly schemaVersion: number;
  readonly createdAt: number;
  readonly session: SessionRow;
  readonly messages: MessageRow[];
}

/** The stored form: compressed JSON and the SHA-256 (hex) of those compressed bytes. */
export interface EncodedSnapshot {
  readonly payload: Uint8Array;
  readonly checksum: string;
}

export const sha256 = (bytes: Uint8Array): string =>
  createHash("sha256").update(bytes).digest("hex");

export function encodeSnapshot(content: SnapshotContent): EncodedSnapshot {
  const payload = deflateRawSync(Buffer.from(JSON.stringify(content), "utf8"));
  return { payload, checksum: sha256(payload) };
}

/** Verifies the checksum, then decodes. Any mismatch is a `SnapshotCorruptError`. */
export function decodeSnapshot(
  sessionId: string,
  payload: Uint8Array,
  checksum: string,
): SnapshotContent {
  if (sha256(payload) !== checksum) throw new SnapshotCorruptError(sessionId, "checksum mismatch");
  let content: SnapshotContent;
  try {
    content = JSON.parse(inflateRawSync(payload).toString("utf8")) as SnapshotContent;
  } catch (error) {
    throw new SnapshotCorruptError(sessionId, "payload cannot be decoded", { cause: error });
  }
  if (
    content.format !== 1 ||
    content.session?.id !== sessionId ||
    !Array.isArray(content.messages)
  ) {
    throw new SnapshotCorruptError(sessionId, "payload does not describe this session");
  }
  return content;
}

/** Reads and verifies the stored snapshot of a session. */
export async function readSnapshot(
  q: Pick<Queryable, "get">,
  sessionId: string,
): Promise<SnapshotContent> {
  const row = await q.get<{ payload: Uint8Array; checksum: string }>(
    "SELECT payload, checksum FROM snapshots WHERE session_id = ?",
    [sessionId],
  );
  if (!row)
    throw new SnapshotCorruptError(sessionId, "the session is archived but has no snapshot");
  return decodeSnapshot(sessionId, row.payload, row.checksum);
}
