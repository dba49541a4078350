import { type Client, createClient } from "@libsql/client";
import { type Row, type RunResult, SqliteError, type Statement } from "@llm-sessions/core/driver";
import { LibsqlConnection } from "./connection.js";
import type { ResolvedOptions } from "./options.js";
import { planBatch } from "./statements.js";
import { toRows } from "./values.js";

/**
 * A remote libSQL server (sqld, Turso) over HTTP or WebSocket.
 *
 * Every client call outside a transaction runs on a fresh server stream, so
 * there is no connection state to set up: the server owns the pragmas (it
 * accepts them only as reads), the busy timeout and durability. A
 * transaction is one stream held from BEGIN to COMMIT. The server ends a
 * transaction after about 5 s and an idle stream after about 10 s: keep
 * transactions short and write with `batch` (one round trip).
 */
export class RemoteConnection extends LibsqlConnection {
  /** Wraps a client; `open` is the way in, tests pass a client of their own. */
  constructor(client: Client) {
    super(client);
  }

  /**
   * Creates the client and asks the server one question, so a bad URL or
   * token fails at connect. A read-only connection is refused with
   * `UNSUPPORTED`: a server has no read-only streams, and taking the option
   * while writing anyway would be a lie. Read-only access to a server is a
   * property of its token (a JWT without write rights).
   */
  static async open(options: ResolvedOptions, readonly: boolean): Promise<RemoteConnection> {
    if (readonly) {
      throw new SqliteError(
        "UNSUPPORTED",
        `libsql: ${options.target} is a server, which has no read-only connections (give a read-only token instead)`,
      );
    }
    const client = createClient({
      url: options.url,
      authToken: options.authToken,
      intMode: "bigint",
      // The wrapper sends one call at a time per connection anyway.
      concurrency: 1,
    });
    try {
      await client.execute("SELECT 1");
    } catch (error) {
      client.close();
      throw error;
    }
    return new RemoteConnection(client);
  }

  /** BEGIN IMMEDIATE, the statements, COMMIT: one request, all or nothing. */
  protected async batchOutsideTransaction(statements: readonly Statement[]): Promise<RunResult[]> {
    const plan = planBatch(statements);
    return plan.results(await this.client.batch(plan.statements, "write"));
  }

  /**
   * BEGIN IMMEDIATE, the statements, COMMIT in one request, with each
   * statement's rows: core's one-trip writes (an append) go here.
   */
  async writeBatch(statements: readonly Statement[]): Promise<Row[][]> {
    const plan = planBatch(statements);
    return (await this.client.batch(plan.statements, "write")).map(toRows);
  }
}
