import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ConnectOptions, DriverCapabilities, SqliteDriver } from "@llm-sessions/core";
import type { SqliteConnection } from "@llm-sessions/core/driver";

/** What `createDriver` receives: where a file-backed driver should put its database. */
export interface DriverTarget {
  /**
   * A path to a file that does not exist yet, inside a fresh temporary
   * directory that the suite removes after the test. A driver for a file
   * uses it; a driver for `:memory:` or a remote server ignores it (and must
   * still give each call an empty, isolated database).
   */
  readonly path: string;
}

/** Builds a fresh, isolated driver; may return it directly or as a promise. */
export type CreateDriver = (target: DriverTarget) => SqliteDriver | Promise<SqliteDriver>;

/**
 * What a conformance test gets: its own temporary directory, a driver made
 * for it on first use, and connections that are closed for it afterwards.
 */
export interface ConformanceContext {
  /** The test's temporary directory (removed after the test). */
  readonly dir: string;
  /** The database path handed to `createDriver` (inside `dir`; not created). */
  readonly path: string;
  /** The test's driver, created on first call and then reused. */
  driver(): Promise<SqliteDriver>;
  /** The capabilities of the test's driver. */
  capabilities(): Promise<DriverCapabilities>;
  /** Opens a connection on the test's driver; it is closed after the test. */
  connect(options?: ConnectOptions): Promise<SqliteConnection>;
  /** Calls `createDriver` again (for another path, or the same one). */
  createDriver(path?: string): Promise<SqliteDriver>;
  /** Opens a connection on any driver; it is closed after the test. */
  connectTo(driver: SqliteDriver, options?: ConnectOptions): Promise<SqliteConnection>;
  /** A path inside the test's directory. */
  file(name: string): string;
}

/** How long cleanup waits for a connection to close before reporting it. */
const CLOSE_DEADLINE_MS = 5_000;

/** The per-test state behind a `ConformanceContext`, with its cleanup. */
export class TestContext implements ConformanceContext {
  readonly dir: string;
  readonly path: string;
  readonly #create: CreateDriver;
  readonly #connections: SqliteConnection[] = [];
  #driver: Promise<SqliteDriver> | undefined;

  private constructor(dir: string, create: CreateDriver) {
    this.dir = dir;
    this.path = join(dir, "conformance.db");
    this.#create = create;
  }

  /** Makes a fresh temporary directory under `baseDir` (default: the OS temp dir). */
  static async open(create: CreateDriver, baseDir?: string): Promise<TestContext> {
    const dir = await mkdtemp(join(baseDir ?? tmpdir(), "llm-sessions-conformance-"));
    return new TestContext(dir, create);
  }

  driver(): Promise<SqliteDriver> {
    this.#driver ??= this.createDriver();
    return this.#driver;
  }

  async capabilities(): Promise<DriverCapabilities> {
    return (await this.driver()).capabilities;
  }

  async connect(options?: ConnectOptions): Promise<SqliteConnection> {
    return this.connectTo(await this.driver(), options);
  }

  async createDriver(path: string = this.path): Promise<SqliteDriver> {
    return await this.#create({ path });
  }

  async connectTo(driver: SqliteDriver, options?: ConnectOptions): Promise<SqliteConnection> {
    const connection = await driver.connect(options);
    this.#connections.push(connection);
    return connection;
  }

  file(name: string): string {
    return join(this.dir, name);
  }

  /**
   * Closes every connection the test opened (newest first), then removes the
   * directory. A connection that does not close in time is an error: it
   * means a transaction was left hanging.
   */
  async cleanup(): Promise<void> {
    const problems: string[] = [];
    for (const connection of this.#connections.reverse()) {
      const outcome = await settleWithin(connection.close(), CLOSE_DEADLINE_MS);
      if (outcome === "timeout") {
        problems.push(`a connection did not close within ${CLOSE_DEADLINE_MS} ms`);
      }
    }
    this.#connections.length = 0;
    await rm(this.dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
    if (problems.length > 0) throw new Error(`conformance cleanup: ${problems.join("; ")}`);
  }
}

/** Waits for `promise` (ignoring how it settles) or the deadline, whichever is first. */
async function settleWithin(promise: Promise<unknown>, ms: number): Promise<"settled" | "timeout"> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        () => "settled" as const,
        () => "settled" as const,
      ),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
