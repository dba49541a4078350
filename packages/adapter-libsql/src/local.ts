import {
  type Client,
  type Transaction as ClientTransaction,
  createClient,
  type InStatement,
  type ResultSet,
} from "@libsql/client";
import type { TransactionMode } from "@llm-sessions/core";
import { type RunResult, SqliteError, type Statement } from "@llm-sessions/core";
import { LibsqlConnection } from "./connection.js";
import { isBusy } from "./errors.js";
import { type Explainer, routeExplain } from "./explain.js";
import { fileUrl } from "./local-path.js";
import { type LockAttempt, withoutBlockingAsync } from "./lock-wait.js";
import type { ResolvedOptions } from "./options.js";
import { applyPragmas, newMarker, type PragmaSettings, readMarker } from "./pragmas.js";
import { runEach } from "./statements.js";
import { LibsqlTransaction } from "./transaction.js";

/**
 * A local file or `:memory:` database through @libsql/client.
 *
 * How the client behaves, and what that means here (0.18, lib-esm/sqlite3.js):
 * - It keeps a pool of native connections; with `concurrency: 1` it is one
 *   connection, reused for every call, so pragmas applied once stay applied.
 * - Every `execute`/`executeMultiple` hands its connection back with a
 *   ROLLBACK if a transaction is still open: a raw `BEGIN` never outlives its
 *   call. Transactions therefore go through `client.transaction()`, which
 *   holds the connection until commit or rollback and then gives the same
 *   connection back (pragmas and `:memory:` tables intact).
 * - If the client ever drops that connection (a failed ROLLBACK on hand-back),
 *   its next call opens a new one silently: without our pragmas, and for
 *   `:memory:` an empty database. `check()` looks for that.
 * - A statement that failed with SQLITE_BUSY is never reset by libSQL, and
 *   it poisons the connection (libsql-client-ts #352): later writes report
 *   success but stay uncommitted, holding the write lock, BEGIN keeps failing,
 *   and a deferred transaction keeps reading a stale snapshot. So after any
 *   BUSY on a file the native connection is replaced at once (`reconnect()`
 *   and the pragmas again); an open transaction ends with it (rolled back).
 * - BEGIN IMMEDIATE would wait for the write lock inside the synchronous
 *   native call, freezing the process (see `lock-wait.ts`): on a file it is
 *   tried with `busy_timeout` 0 and retried on later turns of the event loop.
 */
export class LocalConnection extends LibsqlConnection {
  readonly #options: ResolvedOptions;
  readonly #settings: PragmaSettings;
  /** The tag `applyPragmas` left on the native connection we set up. */
  #marker: number;
  /** Set when the connection cannot be trusted any more: every call fails with it. */
  #broken: SqliteError | undefined;
  /** Errors already handled (one error can pass a transaction's hook and ours). */
  readonly #seen = new WeakSet<object>();

  private constructor(
    client: Client,
    options: ResolvedOptions,
    settings: PragmaSettings,
    marker: number,
  ) {
    super(client, true);
    this.#options = options;
    this.#settings = settings;
    this.#marker = marker;
  }

  /** Opens a client with one native connection and applies the pragmas to it. */
  static async open(options: ResolvedOptions, settings: PragmaSettings): Promise<LocalConnection> {
    const client = LocalConnection.#createClient(options, settings);
    const marker = newMarker();
    try {
      await applyPragmas(client, settings, marker);
    } catch (error) {
      client.close();
      throw error;
    }
    return new LocalConnection(client, options, settings, marker);
  }

  static #createClient(options: ResolvedOptions, settings: PragmaSettings): Client {
    return createClient({
      // Rebuilt from the checked path: the client would pass a decoded `file:...` name on as an SQLite URI.
      url: options.kind === "file" ? fileUrl(options.localPath as string) : options.url,
      encryptionKey: options.encryptionKey,
      intMode: "bigint",
      concurrency: 1,
      // libSQL applies it to every native connection it opens (also after a reconnect).
      timeout: settings.busyTimeoutMs,
    });
  }

  /**
   * BEGIN IMMEDIATE, the statements one by one, COMMIT; ROLLBACK when one
   * fails. Not `client.batch`: statement by statement each result gets exact
   * figures (see `statements.ts`), and locally there is no round trip to save.
   */
  protected async batchOutsideTransaction(statements: readonly Statement[]): Promise<RunResult[]> {
    const tx = await this.#beginWrite();
    try {
      const results = await runEach(routeExplain(tx, this.explainer()), statements, true);
      await tx.commit();
      return results;
    } catch (error) {
      try {
        if (!tx.closed) await tx.rollback();
      } catch {
        // close() below hands the connection back: the client rolls back or drops it.
      }
      throw error;
    } finally {
      tx.close();
    }
  }

  protected override async openTransaction(mode: TransactionMode): Promise<LibsqlTransaction> {
    if (mode !== "immediate") return super.openTransaction(mode);
    return new LibsqlTransaction(await this.#beginWrite(), {
      local: true,
      afterError: (error) => this.afterError(error),
      explainer: this.explainer(),
    });
  }

  /** The client's write transaction, its lock taken without blocking the event loop. */
  #beginWrite(): Promise<ClientTransaction> {
    if (!this.#settings.file) return this.client.transaction("write");
    return withoutBlockingAsync(() => this.#tryBeginWrite(), this.#settings.busyTimeoutMs);
  }

  async #tryBeginWrite(): Promise<LockAttempt<ClientTransaction>> {
    const wait = `PRAGMA busy_timeout = ${this.#settings.busyTimeoutMs}`;
    await this.client.execute("PRAGMA busy_timeout = 0");
    let tx: ClientTransaction;
    try {
      tx = await this.client.transaction("write");
    } catch (error) {
      // A BUSY leaves the native connection unusable: it is replaced, pragmas and all.
      await this.afterError(error);
      if (isBusy(error)) return { ok: false, busy: error };
      await this.client.execute(wait).catch(() => {
        // The first error is the one to report.
      });
      throw error;
    }
    try {
      await tx.execute(wait);
    } catch (error) {
      tx.close();
      throw error;
    }
    return { ok: true, value: tx };
  }

  /** One cheap pragma: is the client still on the connection we set up? */
  protected override async check(): Promise<void> {
    if ((await readMarker(this.client)) === this.#marker) return;
    if (!this.#settings.file) {
      throw this.#markBroken(
        "lost its in-memory database: @libsql/client replaced the native connection",
        undefined,
      );
    }
    // The file is still there: give the new native connection the pragmas and carry on.
    await this.#setUp();
  }

  /**
   * EXPLAIN would leave this connection unable to commit (see `explain.ts`),
   * so a file's plans come from a short-lived second connection to the same
   * file: the same schema and statistics, as committed. (Tables created by
   * the open transaction are not there yet.) A private `:memory:` database
   * has no second way in: EXPLAIN is refused there.
   */
  protected override explainer(): Explainer {
    return (statement) => this.#explainAside(statement);
  }

  async #explainAside(statement: Exclude<InStatement, string>): Promise<ResultSet> {
    if (!this.#settings.file) {
      throw new SqliteError(
        "UNSUPPORTED",
        "EXPLAIN is not supported on a libsql :memory: database: libSQL never finishes an EXPLAIN statement, which leaves the connection unable to commit; use a file database",
      );
    }
    const side = LocalConnection.#createClient(this.#options, this.#settings);
    try {
      return await side.execute(statement);
    } finally {
      side.close();
    }
  }

  protected override async afterError(error: unknown): Promise<void> {
    if (typeof error === "object" && error !== null) {
      if (this.#seen.has(error)) return;
      this.#seen.add(error);
    }
    // A private :memory: database has no other connection to be busy with,
    // and reconnecting would lose it.
    if (this.#settings.file && !this.#broken && isBusy(error)) {
      try {
        await this.client.reconnect();
        await this.#setUp();
      } catch (healError) {
        this.#markBroken("could not be reopened after SQLITE_BUSY", healError);
      }
    }
  }

  protected override call<T>(op: () => Promise<T>): Promise<T> {
    if (this.#broken) return Promise.reject(this.#broken);
    return super.call(op);
  }

  async #setUp(): Promise<void> {
    const marker = newMarker();
    await applyPragmas(this.client, this.#settings, marker);
    this.#marker = marker;
  }

  #markBroken(what: string, cause: unknown): SqliteError {
    this.#broken = new SqliteError("CLOSED", `the libsql connection ${what}; open a new one`, {
      cause,
    });
    this.close();
    return this.#broken;
  }
}
