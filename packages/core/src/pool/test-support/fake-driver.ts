/**
 * A test double of a SQLite driver for the pool's unit tests. It is honest
 * where the pool relies on behaviour: it is an adapter made into a driver by
 * core's real `createDriver` (so serialization, transactions, MISUSE and
 * CLOSED are the real thing), errors leave as raw driver errors with
 * `SQLITE_*` codes mapped by `toSqliteError`, and raw `BEGIN`/`ROLLBACK` sent
 * with `exec` change what `inTransaction()` reports. The pragmas core sends
 * at connect are recorded apart from the statements. It models only what the pool looks at: delays,
 * failures, and a WAL frame counter that `PRAGMA wal_checkpoint` reads and
 * resets (TRUNCATE is busy while another connection is inside a read).
 */

import type { ConnectionSettings, RawConnection, RawStatement } from "../../driver/adapter.js";
import { createDriver } from "../../driver/create-driver.js";
import { type SqliteErrorCode, toSqliteError } from "../../driver/errors.js";
import type {
  ConnectOptions,
  DriverCapabilities,
  Params,
  Row,
  RunResult,
  SqliteDriver,
  Statement,
  TransactionMode,
} from "../../driver/types.js";

/** Something the fake did, in order. */
export interface FakeEvent {
  /** The connection's id (1, 2, ...). */
  readonly conn: number;
  readonly op:
    | "connect"
    | "close"
    | "begin"
    | "commit"
    | "rollback"
    | "statement"
    /** The pragmas core applies at connect (in `coreEvents`). */
    | "pragmas";
  /** The SQL for statements, the mode for `begin`. */
  readonly detail?: string;
  /** `performance.now()` when it happened. */
  readonly at: number;
}

/**
 * Scripted behaviour for matching steps. `match` is tested against the SQL
 * of a statement, or `BEGIN IMMEDIATE` / `BEGIN DEFERRED` / `COMMIT` /
 * `ROLLBACK` for the transaction steps, and `CONNECT` for opening.
 */
export interface FakeRule {
  readonly match: string | RegExp;
  /** Only on this connection id. */
  readonly conn?: number;
  /** Wait this long before the step runs (or fails). */
  readonly delayMs?: number;
  /** Wait for this promise before the step runs (or fails). */
  readonly until?: Promise<unknown>;
  /** Fail the step with this code (thrown as a raw driver error `SQLITE_<code>`). */
  readonly error?: SqliteErrorCode;
  /** Rows for `get`/`all`. */
  readonly rows?: Row[];
  /** How many times the rule applies (default: always). */
  times?: number;
}

const FILE_CAPABILITIES: DriverCapabilities = {
  local: true,
  remote: false,
  sharedConnections: true,
  file: true,
  onlineBackup: false,
  fts5: true,
  walCheckpoint: true,
  vacuum: true,
};

/** Capabilities of a private `:memory:` database. */
export const MEMORY_CAPABILITIES: DriverCapabilities = {
  ...FILE_CAPABILITIES,
  sharedConnections: false,
  file: false,
};

/** Capabilities of a remote libSQL server. */
export const REMOTE_CAPABILITIES: DriverCapabilities = {
  ...FILE_CAPABILITIES,
  local: false,
  remote: true,
  file: false,
  walCheckpoint: false,
  vacuum: false,
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function rawError(code: SqliteErrorCode, what: string): Error {
  return Object.assign(new Error(`fake ${code} on ${what}`), { code: `SQLITE_${code}` });
}

/** The shared "database" every fake connection reaches. */
export class FakeDatabase {
  readonly events: FakeEvent[] = [];
  /** What core sent on its own (the connect pragmas), apart from what the pool asked. */
  readonly coreEvents: FakeEvent[] = [];
  readonly rules: FakeRule[] = [];
  /** Every connection ever opened, by id - 1. */
  readonly connections: FakeRawConnection[] = [];
  /** The options each `connect()` got, in order. */
  readonly connectOptions: (ConnectOptions | undefined)[] = [];
  /** Frames in the WAL. */
  walFrames = 0;
  /** Frames each committed IMMEDIATE transaction adds. */
  framesPerWrite = 1;

  /** Adds a scripted behaviour; returns it so a test can inspect `times`. */
  rule(rule: FakeRule): FakeRule {
    this.rules.push(rule);
    return rule;
  }

  /** A driver over this database. */
  driver(capabilities: Partial<DriverCapabilities> = {}): SqliteDriver {
    const caps = { ...FILE_CAPABILITIES, ...capabilities };
    const driver = createDriver({
      name: "fake",
      target: caps.file ? "fake.db" : ":memory:",
      localPath: undefined,
      capabilities: caps,
      // It answers with promises: SQLite's wait for a lock would freeze nothing.
      synchronous: false,
      open: async (settings) => {
        const id = this.connections.length + 1;
        await this.apply("CONNECT", id, "connect");
        const raw = new FakeRawConnection(this, id, settings);
        this.connections.push(raw);
        this.record(id, "connect");
        return raw;
      },
      mapError: (error) => {
        const code = (error as { code?: unknown } | null)?.code;
        return toSqliteError(error, { code: typeof code === "string" ? code : undefined });
      },
    });
    return {
      name: driver.name,
      target: driver.target,
      capabilities: caps,
      connect: (options?: ConnectOptions) => {
        this.connectOptions.push(options);
        return driver.connect(options);
      },
    };
  }

  /** Statements run (SQL only), optionally on one connection. */
  statements(conn?: number): string[] {
    return this.events
      .filter((e) => e.op === "statement" && (conn === undefined || e.conn === conn))
      .map((e) => e.detail ?? "");
  }

  /**
   * The statements callers sent, without the WAL guard's measure (a PASSIVE
   * checkpoint the pool may run on the writer right after any write: whether
   * it lands before an assertion is a matter of promise turns).
   */
  work(conn?: number): string[] {
    return this.statements(conn).filter((sql) => sql !== "PRAGMA wal_checkpoint(PASSIVE)");
  }

  /** Connections opened and not closed. */
  openConnections(): number {
    return this.connections.filter((c) => !c.isClosed).length;
  }

  /** Whether a connection other than `except` is reading (in a transaction or a statement). */
  readingElsewhere(except: number): boolean {
    return this.connections.some((c) => c.id !== except && !c.isClosed && c.isReading);
  }

  record(conn: number, op: FakeEvent["op"], detail?: string): void {
    this.events.push({ conn, op, detail, at: performance.now() });
  }

  /** Applies the first matching rule: waits, then throws or returns its rows. */
  async apply(step: string, conn: number, what: string): Promise<Row[] | undefined> {
    const rule = this.rules.find(
      (r) =>
        (r.times === undefined || r.times > 0) &&
        (r.conn === undefined || r.conn === conn) &&
        (typeof r.match === "string"
          ? step.toUpperCase().includes(r.match.toUpperCase())
          : r.match.test(step)),
    );
    if (!rule) return undefined;
    if (rule.times !== undefined) rule.times--;
    if (rule.delayMs) await sleep(rule.delayMs);
    if (rule.until) await rule.until;
    if (rule.error) throw rawError(rule.error, what);
    return rule.rows;
  }
}

/** One fake connection: the raw side core wraps. */
export class FakeRawConnection implements RawConnection {
  readonly id: number;
  readonly #db: FakeDatabase;
  readonly #settings: ConnectionSettings;
  #closed = false;
  #rawTx = false;
  #wrapperTx: TransactionMode | undefined;
  #running = 0;

  constructor(db: FakeDatabase, id: number, settings: ConnectionSettings) {
    this.#db = db;
    this.id = id;
    this.#settings = settings;
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  /** Inside a transaction or running a statement: SQLite would hold a read mark. */
  get isReading(): boolean {
    return this.#rawTx || this.#wrapperTx !== undefined || this.#running > 0;
  }

  prepare(sql: string): RawStatement {
    return {
      run: (params) => this.#run(sql, params),
      get: (params) => this.#statement(sql, params).then((rows) => rows[0]),
      all: (params) => this.#statement(sql, params),
    };
  }

  #run(sql: string, params?: Params): Promise<RunResult> {
    return this.#statement(sql, params).then(() => ({ changes: 0, lastInsertRowid: 0 }));
  }

  async exec(sql: string): Promise<void> {
    this.#check();
    if (sql === this.#settings.pragmas.join(";\n")) {
      this.#db.coreEvents.push({
        conn: this.id,
        op: "pragmas",
        detail: sql,
        at: performance.now(),
      });
      return;
    }
    await this.#statement(sql);
    const s = sql.trim().toUpperCase();
    if (s.startsWith("BEGIN")) this.#rawTx = true;
    else if (s.startsWith("ROLLBACK") || s.startsWith("COMMIT") || s.startsWith("END")) {
      this.#rawTx = false;
    }
  }

  /** One call, statement by statement (the fake models no atomicity). */
  async batch(statements: readonly Statement[]): Promise<RunResult[]> {
    const out: RunResult[] = [];
    for (const st of statements) out.push(await this.#run(st.sql, st.params));
    return out;
  }

  async begin(mode: TransactionMode): Promise<void> {
    this.#check();
    await this.#db.apply(`BEGIN ${mode.toUpperCase()}`, this.id, "begin");
    this.#wrapperTx = mode;
    this.#db.record(this.id, "begin", mode);
  }

  commit(): Promise<void> {
    return this.#end("commit");
  }

  rollback(): Promise<void> {
    return this.#end("rollback");
  }

  async #end(op: "commit" | "rollback"): Promise<void> {
    await this.#db.apply(op.toUpperCase(), this.id, op);
    if (op === "commit" && this.#wrapperTx === "immediate") {
      this.#db.walFrames += this.#db.framesPerWrite;
    }
    this.#wrapperTx = undefined;
    this.#db.record(this.id, op);
  }

  inTransaction(): boolean {
    return this.#rawTx || this.#wrapperTx !== undefined;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#rawTx = false;
    this.#wrapperTx = undefined;
    this.#db.record(this.id, "close");
  }

  #check(): void {
    if (this.#closed) throw rawError("MISUSE", "a closed connection");
  }

  async #statement(sql: string, _params?: Params): Promise<Row[]> {
    this.#check();
    this.#running++;
    try {
      const scripted = await this.#db.apply(sql, this.id, "statement");
      this.#db.record(this.id, "statement", sql);
      const checkpoint = /^PRAGMA wal_checkpoint\((\w+)\)$/i.exec(sql.trim());
      if (checkpoint) return scripted ?? [this.#checkpoint((checkpoint[1] ?? "").toUpperCase())];
      if (scripted) return scripted;
      if (/^SELECT 1$/i.test(sql.trim())) return [{ 1: 1 }];
      return [];
    } finally {
      this.#running--;
    }
  }

  #checkpoint(mode: string): Row {
    const db = this.#db;
    const readers = db.readingElsewhere(this.id);
    if (mode === "PASSIVE" || readers) {
      return { busy: mode === "PASSIVE" ? 0 : 1, log: db.walFrames, checkpointed: db.walFrames };
    }
    if (mode === "RESTART" || mode === "TRUNCATE") db.walFrames = 0;
    return { busy: 0, log: db.walFrames, checkpointed: db.walFrames };
  }
}
