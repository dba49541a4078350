import { defineExtension, type StoreExtension } from "@llm-sessions/core/extension";

/**
 * The checkpointer's tables, owned through the store's extension contract
 * (`package_schemas` row `langgraph`).
 *
 * Why it looks like this:
 * - Rows hang from `sessions.pk` with `ON DELETE CASCADE`: a thread is a
 *   store session, so deleting or purging the session removes its
 *   checkpoints and writes in the same statement, and tenants come from the
 *   session row (no tenant column to keep in step).
 * - The key is `(session_pk, checkpoint_ns, checkpoint_id)`, so the latest
 *   checkpoint of a thread and `list` pages are index range scans, newest
 *   first. `WITHOUT ROWID` stores each row in that key's b-tree once.
 * - `v` (the checkpoint format version) is a column so that a query can
 *   join the parent's pending sends only for checkpoints older than v4.
 * - Channel values are stored once per (thread, namespace, channel,
 *   version) in `langgraph_blobs`, written only for the channels in a
 *   put's `newVersions`: a value whose version did not change is not
 *   written again (the checkpoint row keeps `channel_versions`, and a read
 *   joins each channel's blob at that version). This is how LangGraph's
 *   Postgres saver stores them, and what its validation suite asks for.
 * - Values are the serializer's bytes with their type, as LangGraph's own
 *   savers store them; metadata is filtered with SQLite's JSON operators
 *   when its type is `json` (the default serializer's).
 */
export const LANGGRAPH_V1: readonly string[] = [
  `CREATE TABLE langgraph_checkpoints (
    session_pk           INTEGER NOT NULL REFERENCES sessions (pk) ON DELETE CASCADE,
    checkpoint_ns        TEXT NOT NULL,
    checkpoint_id        TEXT NOT NULL,
    parent_checkpoint_id TEXT,
    v                    INTEGER NOT NULL,
    checkpoint_type      TEXT NOT NULL,
    checkpoint           BLOB NOT NULL,
    metadata_type        TEXT NOT NULL,
    metadata             BLOB NOT NULL,
    channel_versions     TEXT NOT NULL CHECK (json_valid(channel_versions)),
    created_at           INTEGER NOT NULL,
    PRIMARY KEY (session_pk, checkpoint_ns, checkpoint_id)
  ) STRICT, WITHOUT ROWID`,
  // list() across threads (no thread_id) pages newest first by checkpoint id.
  "CREATE INDEX langgraph_checkpoints_by_id ON langgraph_checkpoints (checkpoint_id)",
  `CREATE TABLE langgraph_writes (
    session_pk    INTEGER NOT NULL REFERENCES sessions (pk) ON DELETE CASCADE,
    checkpoint_ns TEXT NOT NULL,
    checkpoint_id TEXT NOT NULL,
    task_id       TEXT NOT NULL,
    idx           INTEGER NOT NULL,
    channel       TEXT NOT NULL,
    type          TEXT NOT NULL,
    value         BLOB NOT NULL,
    task_path     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (session_pk, checkpoint_ns, checkpoint_id, task_id, idx)
  ) STRICT, WITHOUT ROWID`,
  `CREATE TABLE langgraph_blobs (
    session_pk    INTEGER NOT NULL REFERENCES sessions (pk) ON DELETE CASCADE,
    checkpoint_ns TEXT NOT NULL,
    channel       TEXT NOT NULL,
    version       TEXT NOT NULL,
    type          TEXT NOT NULL,
    value         BLOB,
    PRIMARY KEY (session_pk, checkpoint_ns, channel, version)
  ) STRICT, WITHOUT ROWID`,
];

/** The extension that owns the checkpointer's tables; pass it to `openStore({ extensions })` to migrate at open. */
export const langgraphExtension: StoreExtension = defineExtension({
  name: "langgraph",
  migrations: [{ version: 1, name: "checkpoints and pending writes", statements: LANGGRAPH_V1 }],
  checks: [
    {
      check: "parents",
      message:
        "checkpoints whose parent checkpoint id sorts after their own (ids are time-ordered)",
      sql: `SELECT s.id || '/' || c.checkpoint_id AS id FROM langgraph_checkpoints c
            JOIN sessions s ON s.pk = c.session_pk
            WHERE c.parent_checkpoint_id IS NOT NULL AND c.parent_checkpoint_id >= c.checkpoint_id`,
    },
  ],
});
