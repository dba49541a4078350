import { randomInt } from "node:crypto";
import type { RunnableConfig } from "@langchain/core/runnables";
import {
  BaseCheckpointSaver,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointTuple,
  copyCheckpoint,
  maxChannelVersion,
  type PendingWrite,
  type SerializerProtocol,
  TASKS,
  WRITES_IDX_MAP,
} from "@langchain/langgraph-checkpoint";
import { SessionNotFoundError, type Store, ValidationError } from "@llm-sessions/core";
import {
  attachExtension,
  type ExtensionHandle,
  type SqliteValue,
} from "@llm-sessions/core/extension";
import { pruneThread } from "./retention.js";
import {
  bytes,
  decodeBlobs,
  decodeSends,
  decodeWrites,
  SELECT_TUPLE,
  type TupleRow,
} from "./rows.js";
import { langgraphExtension } from "./schema.js";

/** Options of `SessionStoreSaver.open`. */
export interface SessionStoreSaverOptions {
  /**
   * The tenant whose sessions are this saver's threads; `null` (default) is
   * the default tenant. A thread of another tenant is invisible: `getTuple`
   * finds nothing, `list` skips it, `put` creates the tenant's own session.
   * `forTenant` gives a saver for another tenant over the same store.
   */
  readonly tenantId?: string | null;
  /** LangGraph's serializer; default `JsonPlusSerializer`, as in LangGraph's own savers. */
  readonly serde?: SerializerProtocol;
  /** Rows per `list` query (each page is one query); default 100, 1..10 000. */
  readonly listPageSize?: number;
  /**
   * Keep only the newest N checkpoints of each thread and namespace: each
   * `put` removes older ones in its own transaction, with their pending
   * writes and the channel values no kept checkpoint uses. Time travel and
   * forks reach only the kept checkpoints (the oldest kept one's
   * `parentConfig` then names a checkpoint that is gone), and `list`
   * returns at most N per thread and namespace. Default: keep all.
   */
  readonly keepLast?: number;
}

interface Shared {
  readonly store: Store;
  readonly handle: ExtensionHandle;
  readonly pageSize: number;
  readonly keepLast: number | undefined;
}

const where = "SessionStoreSaver";

function fail(path: string, message: string): never {
  throw new ValidationError(where, [{ path, message }]);
}

/**
 * A LangGraph checkpointer (`BaseCheckpointSaver`) on an llm-sessions store.
 * A LangGraph thread is a store session: `thread_id` is the session id (in
 * the saver's tenant), created by the first `put`, so the store's tenants,
 * lifecycle (idle → archived → purged), stats, backups, integrity checks and
 * CLI apply to threads. Checkpoints and pending writes live in the
 * extension tables `langgraph_checkpoints` and `langgraph_writes`.
 *
 * `deleteThread` deletes the session (and with it its messages, if the
 * application also stored some there). `list` sends one query per page.
 */
export class SessionStoreSaver extends BaseCheckpointSaver {
  readonly #shared: Shared;
  readonly #tenant: string | null;

  private constructor(shared: Shared, tenantId: string | null, serde?: SerializerProtocol) {
    super(serde);
    this.#shared = shared;
    this.#tenant = tenantId;
  }

  /**
   * Attaches the checkpointer's tables to an open store (creating or
   * upgrading them, like `openStore({ extensions: [langgraphExtension] })`)
   * and returns a saver.
   *
   * @throws ExtensionSchemaTooNewError when the file was written by a newer version of this package.
   * @throws ValidationError for bad options.
   */
  static async open(
    store: Store,
    options: SessionStoreSaverOptions = {},
  ): Promise<SessionStoreSaver> {
    const pageSize = options.listPageSize ?? 100;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 10_000) {
      fail("listPageSize", "must be an integer from 1 to 10000");
    }
    const keepLast = options.keepLast;
    if (keepLast !== undefined && (!Number.isInteger(keepLast) || keepLast < 1)) {
      fail("keepLast", "must be a positive integer");
    }
    const tenant = options.tenantId ?? null;
    // Validates the tenant id the store's way (ValidationError).
    if (tenant !== null) store.tenant(tenant);
    const handle = await attachExtension(store, langgraphExtension);
    return new SessionStoreSaver({ store, handle, pageSize, keepLast }, tenant, options.serde);
  }

  /** A saver for another tenant's threads, sharing this one's store and serializer. */
  forTenant(tenantId: string | null): SessionStoreSaver {
    if (tenantId !== null) this.#shared.store.tenant(tenantId);
    return new SessionStoreSaver(this.#shared, tenantId, this.serde);
  }

  /**
   * Channel versions as `<32-digit counter>.<16 random digits>` strings, as
   * LangGraph's Postgres saver makes them: a value is stored once per
   * (channel, version), and two branches forked from one checkpoint each
   * write their own next version, which the random part keeps apart. They
   * sort in counter order. (LangGraph accepts string versions; the typing of
   * `BaseCheckpointSaver` fixes them as numbers, hence the cast.)
   */
  override getNextVersion(current: number | undefined): number {
    const counter =
      current === undefined ? 0 : Number.parseInt(String(current).split(".")[0] ?? "0", 10) || 0;
    const part = () => randomInt(0, 1e8).toString().padStart(8, "0");
    const random = `${part()}${part()}`;
    return `${String(counter + 1).padStart(32, "0")}.${random}` as unknown as number;
  }

  /** The tenant as stored (`""` for the default tenant). */
  get #tenantDb(): string {
    return this.#tenant ?? "";
  }

  /** The checkpoint `checkpoint_id` of the thread (the latest when absent), with its pending writes; `undefined` when there is none. One query. */
  async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const threadId = config.configurable?.thread_id;
    if (threadId === undefined || threadId === null) return undefined;
    const ns = String(config.configurable?.checkpoint_ns ?? "");
    const checkpointId = config.configurable?.checkpoint_id;
    const params: SqliteValue[] = [TASKS, this.#tenantDb, String(threadId), ns];
    let sql = `${SELECT_TUPLE} WHERE s.tenant_id = ? AND s.id = ? AND c.checkpoint_ns = ?`;
    if (checkpointId !== undefined && checkpointId !== null) {
      sql += " AND c.checkpoint_id = ?";
      params.push(String(checkpointId));
    } else {
      sql += " ORDER BY c.checkpoint_id DESC LIMIT 1";
    }
    const row = await this.#shared.handle.read((q) => q.get<TupleRow>(sql, params));
    return row === undefined ? undefined : this.#toTuple(row);
  }

  /**
   * Checkpoints newest first: of one thread (`thread_id`) or of every thread
   * of the saver's tenant, optionally of one `checkpoint_ns`, older than
   * `before`, whose metadata matches `filter`, at most `limit`. One query per
   * page of `listPageSize`.
   */
  async *list(
    config: RunnableConfig,
    options: CheckpointListOptions = {},
  ): AsyncGenerator<CheckpointTuple> {
    const { before, filter } = options;
    const limit = options.limit ? Math.trunc(Number(options.limit)) : undefined;
    const conditions = ["s.tenant_id = ?"];
    const params: SqliteValue[] = [TASKS, this.#tenantDb];
    const threadId = config.configurable?.thread_id;
    if (threadId !== undefined && threadId !== null) {
      conditions.push("s.id = ?");
      params.push(String(threadId));
    }
    const ns = config.configurable?.checkpoint_ns;
    if (ns !== undefined && ns !== null) {
      conditions.push("c.checkpoint_ns = ?");
      params.push(String(ns));
    }
    const beforeId = before?.configurable?.checkpoint_id;
    if (beforeId !== undefined && beforeId !== null) {
      conditions.push("c.checkpoint_id < ?");
      params.push(String(beforeId));
    }
    for (const [key, value] of Object.entries(filter ?? {})) {
      if (value === undefined) continue;
      if (/["\\]/.test(key)) fail(`filter.${key}`, 'a metadata key may not contain " or \\');
      // Metadata written by a serializer other than JSON cannot be filtered in SQL: it matches nothing.
      conditions.push("c.metadata_type = 'json' AND CAST(c.metadata AS TEXT) -> ? = json(?)");
      params.push(`$."${key}"`, JSON.stringify(value));
    }
    let remaining = limit !== undefined && limit > 0 ? limit : Number.POSITIVE_INFINITY;
    let cursor: [string, number, string] | undefined;
    while (remaining > 0) {
      const page = Math.min(remaining, this.#shared.pageSize);
      const keyset = cursor
        ? " AND (c.checkpoint_id, c.session_pk, c.checkpoint_ns) < (?, ?, ?)"
        : "";
      const sql = `${SELECT_TUPLE} WHERE ${conditions.join(" AND ")}${keyset}
        ORDER BY c.checkpoint_id DESC, c.session_pk DESC, c.checkpoint_ns DESC LIMIT ?`;
      const rows = await this.#shared.handle.read((q) =>
        q.all<TupleRow>(sql, [...params, ...(cursor ?? []), page]),
      );
      for (const row of rows) yield await this.#toTuple(row);
      const last = rows[rows.length - 1];
      if (!last || rows.length < page) return;
      remaining -= rows.length;
      cursor = [last.checkpoint_id, Number(last.session_pk), last.checkpoint_ns];
    }
  }

  /** Stores a checkpoint (creating the thread's session) and the values of the channels in `newVersions`, in one transaction. */
  async put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    newVersions: ChannelVersions,
  ): Promise<RunnableConfig> {
    if (!config.configurable) fail("config.configurable", "is required");
    const threadId = config.configurable.thread_id;
    if (threadId === undefined || threadId === null || threadId === "") {
      fail("config.configurable.thread_id", "is required");
    }
    const ns = String(config.configurable.checkpoint_ns ?? "");
    const parentId = config.configurable.checkpoint_id ?? null;
    // Channel values go to langgraph_blobs, only those whose version is new;
    // the checkpoint row keeps the versions that point at them.
    const copy = copyCheckpoint(checkpoint);
    const values = copy.channel_values;
    copy.channel_values = {};
    // Serialized before the write, so the writer's turn holds no serializer work.
    const [[ctype, cbytes], [mtype, mbytes], blobs] = await Promise.all([
      this.serde.dumpsTyped(copy),
      this.serde.dumpsTyped(metadata),
      Promise.all(
        Object.entries(newVersions).map(async ([channel, version]) => {
          if (!(channel in values)) return [channel, String(version), "empty", null] as const;
          const [type, data] = await this.serde.dumpsTyped(values[channel]);
          return [channel, String(version), type, data] as const;
        }),
      ),
    ]);
    const { handle } = this.#shared;
    await handle.write(async (tx) => {
      const pk = await handle.ensureSession(tx, this.#tenant, String(threadId));
      await tx.run(
        `INSERT INTO langgraph_checkpoints (session_pk, checkpoint_ns, checkpoint_id, parent_checkpoint_id,
           v, checkpoint_type, checkpoint, metadata_type, metadata, channel_versions, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (session_pk, checkpoint_ns, checkpoint_id) DO UPDATE SET
           parent_checkpoint_id = excluded.parent_checkpoint_id, v = excluded.v,
           checkpoint_type = excluded.checkpoint_type, checkpoint = excluded.checkpoint,
           metadata_type = excluded.metadata_type, metadata = excluded.metadata,
           channel_versions = excluded.channel_versions`,
        [
          pk,
          ns,
          checkpoint.id,
          parentId === null ? null : String(parentId),
          Number(checkpoint.v ?? 0),
          ctype,
          cbytes,
          mtype,
          mbytes,
          JSON.stringify(checkpoint.channel_versions ?? {}),
          handle.clock(),
        ],
      );
      for (const [channel, version, type, data] of blobs) {
        // A (channel, version) holds one value: versions are unique per thread (see getNextVersion).
        await tx.run(
          `INSERT INTO langgraph_blobs (session_pk, checkpoint_ns, channel, version, type, value)
           VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
          [pk, ns, channel, version, type, data],
        );
      }
      const { keepLast } = this.#shared;
      if (keepLast !== undefined) await pruneThread(tx, pk, ns, keepLast);
    });
    return {
      configurable: { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: checkpoint.id },
    };
  }

  /** Stores a task's pending writes against a checkpoint, in one transaction. */
  async putWrites(
    config: RunnableConfig,
    writes: PendingWrite[],
    taskId: string,
    taskPath = "",
  ): Promise<void> {
    if (!config.configurable) fail("config.configurable", "is required");
    const threadId = config.configurable.thread_id;
    const checkpointId = config.configurable.checkpoint_id;
    if (threadId === undefined || threadId === null || threadId === "") {
      fail("config.configurable.thread_id", "is required");
    }
    if (checkpointId === undefined || checkpointId === null || checkpointId === "") {
      fail("config.configurable.checkpoint_id", "is required");
    }
    const ns = String(config.configurable.checkpoint_ns ?? "");
    const rows = await Promise.all(
      writes.map(async ([channel, value], idx) => {
        const [type, data] = await this.serde.dumpsTyped(value);
        return [WRITES_IDX_MAP[channel] ?? idx, channel, type, data] as const;
      }),
    );
    // Special writes (errors, interrupts) replace an earlier one of the same
    // task; ordinary writes are kept from the first attempt, as LangGraph's savers do.
    const allSpecial = writes.every(([channel]) => channel in WRITES_IDX_MAP);
    const conflict = allSpecial
      ? "DO UPDATE SET channel = excluded.channel, type = excluded.type, value = excluded.value, task_path = excluded.task_path"
      : "DO NOTHING";
    const { handle } = this.#shared;
    await handle.write(async (tx) => {
      const pk = await handle.ensureSession(tx, this.#tenant, String(threadId));
      for (const [idx, channel, type, data] of rows) {
        await tx.run(
          `INSERT INTO langgraph_writes (session_pk, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, value, task_path)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (session_pk, checkpoint_ns, checkpoint_id, task_id, idx) ${conflict}`,
          [pk, ns, String(checkpointId), taskId, idx, channel, type, data, taskPath],
        );
      }
    });
  }

  /** Deletes the thread's session: its checkpoints and writes go with it (and its messages, if any). */
  async deleteThread(threadId: string): Promise<void> {
    try {
      await this.#shared.store.tenant(this.#tenant).sessions.delete(threadId);
    } catch (error) {
      if (!(error instanceof SessionNotFoundError)) throw error;
    }
  }

  async #toTuple(row: TupleRow): Promise<CheckpointTuple> {
    const [checkpoint, metadata, pendingWrites, values] = await Promise.all([
      this.serde.loadsTyped(row.checkpoint_type, bytes(row.checkpoint)) as Promise<Checkpoint>,
      this.serde.loadsTyped(row.metadata_type, bytes(row.metadata)) as Promise<CheckpointMetadata>,
      decodeWrites(this.serde, row.writes),
      decodeBlobs(this.serde, row.blobs),
    ]);
    checkpoint.channel_values = { ...checkpoint.channel_values, ...values };
    if (row.sends !== null && row.sends !== undefined) {
      // Checkpoints before v4 kept pending sends in the parent's writes.
      checkpoint.channel_values ??= {};
      checkpoint.channel_values[TASKS] = await decodeSends(this.serde, row.sends);
      const versions = Object.values(checkpoint.channel_versions);
      checkpoint.channel_versions[TASKS] =
        versions.length > 0 ? maxChannelVersion(...versions) : this.getNextVersion(undefined);
    }
    const base = { thread_id: row.thread_id, checkpoint_ns: row.checkpoint_ns };
    return {
      config: { configurable: { ...base, checkpoint_id: row.checkpoint_id } },
      checkpoint,
      metadata,
      parentConfig:
        row.parent_checkpoint_id === null
          ? undefined
          : { configurable: { ...base, checkpoint_id: row.parent_checkpoint_id } },
      pendingWrites,
    };
  }
}
