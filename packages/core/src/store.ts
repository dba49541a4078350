import { z } from "zod";
import type { SqliteDriver } from "./driver/index.js";
import { MAX_BUSY_TIMEOUT_MS } from "./driver/limits.js";
import { attachExtension } from "./extensions/attach.js";
import { registerStore } from "./extensions/registry.js";
import type { StoreExtension } from "./extensions/types.js";
import { FileIdentity } from "./files/identity.js";
import { inspectDatabaseFile } from "./files/preflight.js";
import {
  type IntegrityApi,
  integrityApi,
  type VerifyOnOpen,
  verifyOnOpen,
} from "./integrity/index.js";
import {
  LifecycleApi,
  type LifecyclePolicy,
  policySchema,
  readSnapshot,
  resolvePolicy,
  restoreInTx,
} from "./lifecycle/index.js";
import type { Maintenance } from "./maintenance/index.js";
import {
  type HealthReport,
  type HealthThresholdsInput,
  instrumentStore,
  type StoreMetrics,
  type StoreMonitor,
  wrapMethods,
} from "./metrics/index.js";
import { openOperations, type StoreOperations } from "./operations.js";
import { Pool, type PoolOptions, type PoolStats } from "./pool/index.js";
import { admitFile, type MigrationResult, runMigrations } from "./schema/index.js";
import {
  type SearchHit,
  type SearchIndexingOptions,
  SearchIndexQueue,
  type SearchOptions,
  search,
} from "./search/index.js";
import { uuidv7 } from "./sessions/ids.js";
import {
  DEFAULT_LIMITS,
  MessagesApi,
  makeSchemas,
  type Page,
  readStats,
  readWindowStats,
  type Scope,
  SessionsApi,
  type StatsWindow,
  type StoreContext,
  type StoreLimits,
  type StoreStats,
  type WindowStats,
} from "./sessions/index.js";
import { limitsOptionSchema } from "./sessions/limits.js";
import { parse } from "./sessions/validation.js";
import { TenantViews } from "./tenant-views.js";

/** Options of `openStore`. Unknown keys are rejected. */
export interface OpenStoreOptions {
  /** The adapter: `betterSqlite({ filename })`, `libsql({ url })`, or your own. */
  driver: SqliteDriver;
  /** Connection pool options (readers, timeouts, queue bound). See `PoolOptions`. */
  pool?: Omit<PoolOptions, "durability" | "busyTimeoutMs">;
  /**
   * `normal` (default): WAL with synchronous=NORMAL, which survives any crash
   * of the application; only a power loss can drop the last commits. `full`
   * survives that too, at the cost of an fsync per commit.
   */
  durability?: "normal" | "full";
  /** How long a connection waits on another connection's lock (another process, or another store on the file). Default 5000 ms; at most `MAX_BUSY_TIMEOUT_MS` (2^31 - 1). */
  busyTimeoutMs?: number;
  /** The time source, in ms since the epoch. Default `Date.now`. Inject one in tests. */
  clock?: () => number;
  /** New ids. Default UUIDv7 (time-ordered). */
  generateId?: () => string;
  /** Input size limits; each one defaults to `DEFAULT_LIMITS`. */
  limits?: Partial<StoreLimits>;
  /**
   * Idle, archive and purge timeouts and the sweeper that applies them. Off
   * (`false`) by default: nothing is archived or deleted unless you ask.
   */
  lifecycle?: LifecyclePolicy | false;
  /**
   * Restore an archived session when an append, pop or fork reaches it,
   * instead of raising `SessionArchivedError`. Default false.
   */
  autoRestore?: boolean;
  /**
   * Check the file before anything else touches it: `quick` (default for
   * file databases) runs `PRAGMA quick_check`, `full` runs
   * `integrity_check`, `false` (default for `:memory:` and servers) skips
   * it. A damaged file raises `DatabaseCorruptError` and nothing is served
   * or written. quick_check reads every page: on a 384 MB file of 1M
   * messages it adds about 2 s to opening (warm page cache); pass `false`
   * when the file was checked another way (e.g. by `llm-sessions doctor`).
   */
  verifyOnOpen?: VerifyOnOpen;
  /**
   * An existing database file of 0 bytes (what a crash, a failed copy or a
   * full disk leaves behind) is refused with `DatabaseCorruptError` unless
   * this is true; then it becomes a new, empty store. A file that does not
   * exist is always created. Default false.
   */
  initializeEmptyFile?: boolean;
  /**
   * Before opening a file, its WAL is read: when SQLite's recovery would
   * drop committed transactions (a damaged frame with commits after it, a
   * damaged WAL header), the WAL is copied to `<file>-wal.damaged-<time>`
   * and opening is refused with `DatabaseCorruptError`. True opens anyway,
   * without those transactions (the copy is still made). Default false.
   */
  acceptWalLoss?: boolean;
  /**
   * When appended messages enter the search index. Appends only queue their
   * messages; the append that finds about `batch` messages queued (default
   * 32; by any process on the file, looked at every `batch / 4` appends)
   * indexes the queue in its own transaction, and a background pass
   * indexes what is left once writes pause for `delayMs` (default 10; at
   * most 10 × `delayMs` after the first). Search is exact either way: it
   * matches what is still queued without writing. `onError` hears of a
   * failed indexing (default: a console warning; the append still commits and
   * the messages stay queued).
   */
  searchIndexing?: Partial<SearchIndexingOptions>;
  /**
   * Tables integration packages own in this file (e.g. the LangGraph
   * checkpointer's): each extension's migrations run after the store's, its
   * checks join `integrity.check`. A package can also attach itself later
   * with `attachExtension` from `@llm-sessions/core/extension`.
   */
  extensions?: readonly StoreExtension[];
}

const optionsSchema = z.strictObject({
  driver: z.custom<SqliteDriver>(
    (d) => typeof d === "object" && d !== null && typeof (d as SqliteDriver).connect === "function",
    "must be a driver (e.g. betterSqlite({ filename }))",
  ),
  pool: z.record(z.string(), z.unknown()).optional(),
  durability: z.enum(["normal", "full"]).optional(),
  busyTimeoutMs: z.number().int().min(0).max(MAX_BUSY_TIMEOUT_MS).optional(),
  clock: z.custom<() => number>((f) => typeof f === "function", "must be a function").optional(),
  generateId: z
    .custom<() => string>((f) => typeof f === "function", "must be a function")
    .optional(),
  lifecycle: z.union([z.literal(false), policySchema]).optional(),
  autoRestore: z.boolean().optional(),
  verifyOnOpen: z.union([z.enum(["quick", "full"]), z.literal(false)]).optional(),
  initializeEmptyFile: z.boolean().optional(),
  acceptWalLoss: z.boolean().optional(),
  searchIndexing: z
    .strictObject({
      batch: z.number().int().min(1).max(100_000).optional(),
      delayMs: z.number().int().min(0).max(60_000).optional(),
      onError: z
        .custom<(error: unknown) => void>((f) => typeof f === "function", "must be a function")
        .optional(),
    })
    .optional(),
  limits: limitsOptionSchema.optional(),
  extensions: z
    .array(
      z.custom<StoreExtension>(
        (e) =>
          typeof e === "object" &&
          e !== null &&
          typeof (e as StoreExtension).name === "string" &&
          Array.isArray((e as StoreExtension).migrations),
        "must be a StoreExtension ({ name, migrations })",
      ),
    )
    .optional(),
});

/**
 * The store API over one scope: the root store and every `store.tenant(id)`
 * view have this shape. The root store's scope is every tenant (an
 * administrator's view); a tenant view's scope is its own tenant, in every
 * method.
 */
export interface SessionStore {
  /** Create, read, list, update, delete and fork sessions. */
  readonly sessions: SessionsApi;
  /** Append, read (`last`, `list`) and pop messages. */
  readonly messages: MessagesApi;
  /** Full-text search over message content, newest first, with snippets. */
  search(text: string, options?: SearchOptions): Promise<Page<SearchHit>>;
  /**
   * Sessions by status, messages, tokens and usage, per model and per
   * tenant, from the counters the triggers keep.
   */
  stats(): Promise<StoreStats>;
  /**
   * The usage of the metered messages (with `usage` or `tokens`) appended in
   * `[since, until)`, per model and per tenant: for billing. See `WindowStats`.
   */
  stats(window: StatsWindow): Promise<WindowStats>;
}

class ScopedStore implements SessionStore {
  readonly sessions: SessionsApi;
  readonly messages: MessagesApi;
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
    this.sessions = new SessionsApi(ctx);
    this.messages = new MessagesApi(ctx);
  }

  search(text: string, options?: SearchOptions): Promise<Page<SearchHit>> {
    return search(this.#ctx, text, options);
  }

  stats(): Promise<StoreStats>;
  stats(window: StatsWindow): Promise<WindowStats>;
  stats(window?: StatsWindow): Promise<StoreStats | WindowStats> {
    return window === undefined ? readStats(this.#ctx) : readWindowStats(this.#ctx, window);
  }
}

const LIFECYCLE_METHODS = ["sweep", "archive", "restore", "touch"] as const;

/** Tenant views kept for reuse (see `TenantViews`); more are made on demand. */
const TENANT_VIEWS_KEPT = 256;

/**
 * An open store. Get one from `openStore`; `close()` it when done.
 *
 * The store itself is the **all-tenants administrator view**: `sessions`,
 * `messages`, `search`, `stats` and `lifecycle` reach every tenant's sessions
 * (`sessions.list()` lists them all unless given `tenantId`); sessions it
 * creates without `tenantId` belong to the default tenant. Session ids are
 * unique per tenant, so a call that names a session by id finds it in
 * whichever tenant holds it, and is `AmbiguousSessionIdError` when several
 * do (name the tenant with `store.tenant(id)`). Hand code that acts for one
 * tenant a `store.tenant(id)` view, never the store itself.
 */
export class Store extends ScopedStore {
  readonly #pool: Pool;
  readonly #ctx: StoreContext;
  readonly #tenants = new TenantViews<ScopedStore>(TENANT_VIEWS_KEPT);
  /** What opening did to the schema. */
  readonly migration: MigrationResult;
  /** Checks and repairs the database. */
  readonly integrity: IntegrityApi;
  /** Idle/archive/purge policy, sweeps, archive, restore and touch. */
  readonly lifecycle: LifecycleApi;
  /** Backup, checkpoint, optimize and vacuum. */
  readonly maintenance: Maintenance;
  readonly #monitor: StoreMonitor;
  readonly #releaseFile: () => void;
  readonly #searchIndex: SearchIndexQueue;

  /** @internal Use `openStore`. */
  constructor(
    ctx: StoreContext,
    pool: Pool,
    migration: MigrationResult,
    lifecycle: LifecycleApi,
    ops: StoreOperations,
    searchIndex: SearchIndexQueue,
    extensions: Map<string, StoreExtension> = new Map(),
  ) {
    super(ctx);
    this.#searchIndex = searchIndex;
    this.maintenance = ops.maintenance;
    this.#monitor = ops.monitor;
    this.#releaseFile = ops.releaseFile;
    // Every public operation of this view (and of tenant views) is timed for metrics().
    instrumentStore(this, ops.monitor.recorder);
    this.#ctx = ctx;
    this.#pool = pool;
    this.migration = migration;
    this.lifecycle = lifecycle;
    // Sweeps (the timer's too), archives, restores and touches are timed as well.
    wrapMethods(lifecycle, "lifecycle.", LIFECYCLE_METHODS, ops.monitor.recorder);
    this.integrity = integrityApi(pool, ctx.clock, () => [...extensions.values()]);
    registerStore(this, { pool, ctx, attached: extensions });
  }

  /**
   * The same API scoped to one tenant (`null`: the default tenant, whose
   * sessions the root store creates without `tenantId`): sessions it creates
   * belong to the tenant, and nothing of another tenant is visible in any
   * method (reads, appends, pops, forks, updates, deletes, lists, search and
   * stats): another tenant's session is `SessionNotFoundError`, as if it did
   * not exist.
   *
   * Ids belong to their tenant: session ids are unique per tenant, message
   * ids per session, idempotency keys per session. A caller-chosen id that
   * another tenant holds is created like any free id, so no call tells a
   * tenant whether an id exists elsewhere.
   *
   * Cheap to call per request: the most recently used views are kept, views
   * share the store's connections and metrics, and a view keeps working
   * after it is no longer kept.
   */
  tenant(tenantId: string | null): SessionStore {
    // The default tenant is stored as "", which no named tenant can be.
    const id = tenantId === null ? "" : parse("store.tenant", this.#ctx.schemas.tenantId, tenantId);
    return this.#tenants.get(id, () => {
      const scope: Scope = { tenantId: id };
      const scoped = new ScopedStore({ ...this.#ctx, scope });
      instrumentStore(scoped, this.#monitor.recorder);
      return scoped;
    });
  }

  /** @internal How many tenant views are kept for reuse (bounded; for tests). */
  get tenantViewsKept(): number {
    return this.#tenants.size;
  }

  /**
   * Indexes every message still queued for the search index now, and
   * returns how many it indexed. Search never needs it (it matches queued
   * messages without writing), so you never need it for correct results; it
   * is for operators and tests that want the index complete at a given moment
   * (before a backup, say).
   */
  flushSearchIndex(): Promise<number> {
    return this.#searchIndex.catchUp();
  }

  /** The pool's figures: connections, queue, waits. */
  poolStats(): PoolStats {
    return this.#pool.stats();
  }

  /**
   * Operation counts and latencies (p50/p95/p99 over the last 1024 calls of
   * each), pool figures, database figures (pages, free pages, file and WAL
   * bytes), sessions by status, and lifecycle counts. One short read.
   * `toPrometheus(metrics)` renders them for a `/metrics` endpoint.
   */
  metrics(): Promise<StoreMetrics> {
    // A replaced file is a reason to stop, not a figure: DatabaseReplacedError.
    return Promise.resolve().then(() => {
      this.#pool.verifyFile();
      return this.#monitor.metrics();
    });
  }

  /**
   * The metrics judged against thresholds (defaults in
   * `DEFAULT_HEALTH_THRESHOLDS`; pass the ones to change): `ok`, `warn` or
   * `critical`, with one reason per threshold crossed. Busy retries and pool
   * timeouts count since the previous `health()` call.
   */
  health(thresholds?: HealthThresholdsInput): Promise<HealthReport> {
    return Promise.resolve().then(() => {
      this.#pool.verifyFile();
      return this.#monitor.health(thresholds);
    });
  }

  /**
   * Stops the sweeper (waiting for a running sweep), refuses new work, lets
   * running work finish within the pool's close deadline, and closes. No
   * timer is left behind.
   */
  close(): Promise<void> {
    this.#closing ??= this.lifecycle
      .stop()
      // Index what this process appended last, so that a clean shutdown leaves nothing queued.
      .then(() => this.#searchIndex.close())
      .then(() => this.#pool.close())
      .finally(() => this.#releaseFile());
    return this.#closing;
  }

  #closing: Promise<void> | undefined;
}

/**
 * Opens a store: inspects a local file before any connection touches it
 * (refusing an empty file, a WAL that would lose commits, a newer schema,
 * the older v0 layout or another application's database, with nothing
 * changed), connects, checks the file (`verifyOnOpen`), brings the schema up
 * to date, and returns the API.
 */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const opts = parse("openStore", optionsSchema, options);
  const limits: StoreLimits = { ...DEFAULT_LIMITS, ...stripUndefined(opts.limits ?? {}) };
  // Before any connection: pragmas and WAL recovery would change what is judged.
  const path = opts.driver.localPath;
  if (path) {
    const inspection = inspectDatabaseFile(path, opts.driver.target, {
      initializeEmptyFile: opts.initializeEmptyFile ?? false,
      acceptWalLoss: opts.acceptWalLoss ?? false,
      clock: opts.clock ?? Date.now,
    });
    await admitFile(inspection.header, opts.driver, opts.driver.target);
  }
  const pool = await Pool.open(opts.driver, {
    ...(opts.pool as PoolOptions | undefined),
    ...(opts.durability ? { durability: opts.durability } : {}),
    ...(opts.busyTimeoutMs !== undefined ? { busyTimeoutMs: opts.busyTimeoutMs } : {}),
  });
  const identity = path ? FileIdentity.capture(path, opts.driver.target) : undefined;
  if (identity) pool.watchFile(identity);
  let migration: MigrationResult;
  try {
    // Before migrations: a damaged file is refused before anything writes to it.
    const verify = opts.verifyOnOpen ?? (opts.driver.capabilities.file ? "quick" : false);
    if (verify) await verifyOnOpen(pool, verify);
    migration = await pool.withWriter((conn) =>
      runMigrations(conn, { stampApplicationId: opts.driver.capabilities.local }),
    );
  } catch (error) {
    await pool.close();
    throw error;
  }
  const policy = resolvePolicy(opts.lifecycle);
  let lifecycle: LifecycleApi | undefined;
  const searchIndex = new SearchIndexQueue(pool, {
    batch: opts.searchIndexing?.batch ?? 32,
    delayMs: opts.searchIndexing?.delayMs ?? 10,
    onError:
      opts.searchIndexing?.onError ??
      ((error) => console.warn("llm-sessions: background search indexing failed:", error)),
  });
  const ctx: StoreContext = {
    db: pool,
    clock: opts.clock ?? Date.now,
    newId: opts.generateId ?? uuidv7,
    limits,
    schemas: makeSchemas(limits),
    scope: { tenantId: null },
    archived: {
      autoRestore: opts.autoRestore ?? false,
      keepSnapshots: policy.keepSnapshots,
      readMessages: async (q, session) => (await readSnapshot(q, session)).messages,
      restore: async (tx, session) => {
        if (await restoreInTx(tx, session.pk)) lifecycle?.countRestore();
      },
    },
    searchIndex,
    // On a server each statement of a transaction is a round trip; locally
    // the hot paths' transactions cost no more than one batch would.
    roundTrips: pool.driver.capabilities.remote,
  };
  lifecycle = new LifecycleApi(ctx, policy);
  const ops = await openOperations(pool, () => lifecycle?.figures()).catch(async (error) => {
    await pool.close();
    throw error;
  });
  const store = new Store(ctx, pool, migration, lifecycle, ops, searchIndex);
  try {
    for (const extension of opts.extensions ?? []) await attachExtension(store, extension);
  } catch (error) {
    await store.close();
    throw error;
  }
  lifecycle.start();
  // Messages another process (or a crashed one) left queued are indexed now.
  searchIndex.resume();
  return store;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
