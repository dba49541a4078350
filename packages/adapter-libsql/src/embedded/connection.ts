import {
  type ConnectionSettings,
  type Params,
  type RawConnection,
  type RawStatement,
  type RunResult,
  SqliteError,
  type Statement,
  type TransactionMode,
} from "@llm-sessions/core/driver";
import type { NativeConnection } from "../native/connection.js";
import { openNative } from "../native/open.js";
import type { ResolvedOptions } from "../options.js";
import { RemoteConnection } from "../remote.js";
import { acquireReplica, type ReplicaHandle } from "./replica.js";

/**
 * One connection of a store on an embedded replica: reads on the local
 * replica file, writes on the primary.
 *
 * - A write transaction (`begin("immediate")`) and a batch outside a
 *   transaction run on the primary through `@libsql/client` (opened on first
 *   write, so readers never open one): the same path, and the same
 *   guarantees, as a store on the server itself.
 * - Once the primary has committed, the replica is synced before the commit
 *   returns, so every connection of this process reads the write as soon as
 *   the store acknowledges it (read-your-writes).
 * - Everything else (statements outside a transaction, read snapshots with
 *   `begin("deferred")`) runs on the local file, opened `query_only`: the
 *   file belongs to libSQL's replicator, and a local write would make it
 *   differ from the primary. A write statement outside a transaction is
 *   refused there before it changes anything, and then runs on the primary
 *   on its own (autocommit), followed by a sync.
 *
 * The `libsql` package can delegate writes itself, but not soundly here
 * (0.5.29, checked): a prepared statement is routed once, when prepared, so
 * a cached read runs locally even inside a later write transaction and
 * misses that transaction's rows; `changes()` read after a delegated write
 * answers for the local connection; and a connection reads its own
 * committed transaction only after the next sync.
 */
export class EmbeddedConnection implements RawConnection {
  readonly #options: ResolvedOptions;
  readonly #settings: ConnectionSettings;
  readonly #local: NativeConnection;
  readonly #replica: ReplicaHandle;
  #remote: RemoteConnection | undefined;

  private constructor(
    options: ResolvedOptions,
    settings: ConnectionSettings,
    local: NativeConnection,
    replica: ReplicaHandle,
  ) {
    this.#options = options;
    this.#settings = settings;
    this.#local = local;
    this.#replica = replica;
  }

  /** Syncs the replica on first use in this process, then opens the local connection. */
  static open(options: ResolvedOptions, settings: ConnectionSettings): EmbeddedConnection {
    const replica = acquireReplica(options);
    try {
      const pragmas = [`PRAGMA busy_timeout = ${settings.busyTimeoutMs}`, "PRAGMA query_only = ON"];
      const local = openNative(
        { ...options, kind: "file" },
        { ...settings, readonly: true, pragmas },
      );
      try {
        local.exec(pragmas.join(";\n"));
      } catch (error) {
        local.close();
        throw error;
      }
      return new EmbeddedConnection(options, settings, local, replica);
    } catch (error) {
      replica.release();
      throw error;
    }
  }

  prepare(sql: string): RawStatement {
    // Each side prepares on first use: a write never touches the local file, and
    // a read of a table the replica has not synced yet fails only when it runs.
    let local: RawStatement | undefined;
    let remote: RawStatement | undefined;
    const onRemote = (): RawStatement => {
      remote ??= (this.#remote as RemoteConnection).prepare(sql);
      return remote;
    };
    const route = <T>(op: (s: RawStatement) => T | Promise<T>): T | Promise<T> => {
      if (this.#inRemoteTransaction()) return op(onRemote());
      local ??= this.#local.prepare(sql);
      return this.#localOrPrimary(
        () => op(local as RawStatement),
        async () => {
          await this.#openRemote();
          return op(onRemote());
        },
      );
    };
    return {
      run: (params?: Params) => route((s) => s.run(params)),
      get: (params?: Params) => route((s) => s.get(params)),
      all: (params?: Params) => route((s) => s.all(params)),
    };
  }

  exec(sql: string): void | Promise<void> {
    if (this.#inRemoteTransaction()) {
      return this.#afterRemote((this.#remote as RemoteConnection).exec(sql));
    }
    return this.#localOrPrimary(
      () => this.#local.exec(sql),
      async () => (await this.#openRemote()).exec(sql),
    );
  }

  begin(mode: TransactionMode): void | Promise<void> {
    if (mode === "deferred") return this.#local.begin("deferred");
    if (this.#local.inTransaction()) {
      throw new SqliteError("ERROR", "cannot start a transaction within a transaction");
    }
    return this.#openRemote().then((remote) => remote.begin("immediate"));
  }

  commit(): void | Promise<void> {
    if (!this.#inRemoteTransaction()) return this.#local.commit();
    return this.#afterRemote((this.#remote as RemoteConnection).commit());
  }

  rollback(): void | Promise<void> {
    if (!this.#inRemoteTransaction()) return this.#local.rollback();
    return (this.#remote as RemoteConnection).rollback();
  }

  inTransaction(): boolean {
    return this.#inRemoteTransaction() || this.#local.inTransaction();
  }

  /**
   * Outside a transaction, a batch is a write: one request to the primary,
   * all or nothing, then a sync. Inside a write transaction it goes with it;
   * inside a read snapshot its statements read the local file one by one.
   */
  async batch(statements: readonly Statement[]): Promise<RunResult[]> {
    if (this.#inRemoteTransaction()) {
      return (this.#remote as RemoteConnection).batch(statements);
    }
    if (this.#local.inTransaction()) {
      return statements.map((s) => this.#local.prepare(s.sql).run(s.params) as RunResult);
    }
    const remote = await this.#openRemote();
    const results = await remote.batch(statements);
    this.#replica.sync();
    return results;
  }

  close(): void {
    try {
      this.#local.close();
      this.#remote?.close();
    } finally {
      this.#remote = undefined;
      this.#replica.release();
    }
  }

  /**
   * Runs `local` on the replica file; a write there (outside a transaction)
   * is refused by `query_only` before it changes anything, and is then sent
   * to the primary as a statement of its own (autocommit), and the replica
   * synced. Inside a local read snapshot a write stays refused.
   */
  #localOrPrimary<T>(local: () => T | Promise<T>, primary: () => Promise<T>): T | Promise<T> {
    if (this.#local.inTransaction()) return local();
    try {
      return local();
    } catch (error) {
      if (!refusedAsReadonly(error)) throw error;
    }
    return primary().then((result) => {
      this.#replica.sync();
      return result;
    });
  }

  #inRemoteTransaction(): boolean {
    return this.#remote?.inTransaction() === true;
  }

  async #openRemote(): Promise<RemoteConnection> {
    if (this.#settings.readonly) {
      throw new SqliteError(
        "READONLY",
        `libsql: this connection to ${this.#options.target} is read-only`,
      );
    }
    this.#remote ??= await RemoteConnection.open(
      {
        ...this.#options,
        url: this.#options.syncUrl as string,
        kind: "remote",
        target: this.#options.syncTarget as string,
        localPath: undefined,
      },
      false,
    );
    return this.#remote;
  }

  /** Syncs once a remote call has ended the transaction (a COMMIT): the replica then has the write. */
  async #afterRemote(call: Promise<void>): Promise<void> {
    await call;
    if (!this.#inRemoteTransaction()) this.#replica.sync();
  }
}

/** SQLITE_READONLY (8) from the `libsql` package: here, `query_only` refusing a write. */
function refusedAsReadonly(error: unknown): boolean {
  const rawCode = (error as { rawCode?: unknown } | null)?.rawCode;
  return typeof rawCode === "number" && (rawCode & 0xff) === 8;
}
