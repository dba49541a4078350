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
  /** The session row without its internal key (`pk`), as snapshots have held it since v1. */
  readonly session: Omit<SessionRow, "pk">;
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

/** Reads and verifies the stored snapshot of a session (its public id and stored tenant). */
export async function readSnapshot(
  q: Pick<Queryable, "get">,
  session: { readonly id: string; readonly tenant_id: string },
): Promise<SnapshotContent> {
  const row = await q.get<{ payload: Uint8Array; checksum: string }>(
    "SELECT payload, checksum FROM snapshots WHERE tenant_id = ? AND session_id = ?",
    [session.tenant_id, session.id],
  );
  if (!row)
    throw new SnapshotCorruptError(session.id, "the session is archived but has no snapshot");
  return decodeSnapshot(session.id, row.payload, row.checksum);
}
