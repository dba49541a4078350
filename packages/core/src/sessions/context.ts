import {
  type Queryable,
  type Row,
  runSteps,
  type Statement,
  step,
  type Transaction,
  type TxSteps,
} from "../driver/index.js";
import { AmbiguousSessionIdError, SessionArchivedError, SessionNotFoundError } from "../errors.js";
import type { StoreLimits } from "./limits.js";
import {
  type MessageRow,
  SESSION_COLUMNS,
  type SessionRow,
  tenantFromDb,
  tenantToDb,
} from "./rows.js";
import type { Schemas } from "./validation.js";

/**
 * How the store reaches the database: the pool, seen through the three calls
 * the session rules need. Reads never run on the writer queue unless the pool
 * has no readers.
 */
export interface Executor {
  write<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /** `write` for a body of yielded statements: one synchronous stretch on a synchronous driver. */
  writeSteps<T>(steps: () => TxSteps<T>): Promise<T>;
  /** A fixed list of statements as one write transaction, with each one's rows (one request on a server). */
  writeBatch(statements: readonly Statement[]): Promise<Row[][]>;
  read<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  readSnapshot<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
}

/**
 * Which sessions a store handle sees. The root store (`tenantId: null`) is
 * the all-tenants administrator view: every session, in every operation; a
 * tenant view only its own tenant's, and reports others as not found. The
 * default tenant's view has `tenantId: ""`, its stored form.
 *
 * Session ids are unique per tenant, so the root store finds a session by
 * id in any tenant, and refuses an id that several tenants hold
 * (`AmbiguousSessionIdError`).
 */
export interface Scope {
  readonly tenantId: string | null;
}

/**
 * What the session rules need from the lifecycle for archived sessions,
 * given by the store so that `sessions/` does not import `lifecycle/`.
 */
export interface ArchivedSessions {
  /** Restore an archived session when an append (or pop, fork) reaches it. */
  readonly autoRestore: boolean;
  /** Keep snapshots when a session is deleted. */
  readonly keepSnapshots: boolean;
  /** The messages of an archived session, from its verified snapshot, in seq order. */
  readMessages(q: Pick<Queryable, "get">, session: SessionRow): Promise<MessageRow[]>;
  /** Restores inside the caller's write transaction. */
  restore(tx: Transaction, session: SessionRow): Promise<void>;
}

/**
 * The search index's queue (schema v3 indexes messages just after they
 * commit): writers tell it what they queued, search waits for it.
 */
export interface SearchIndexing {
  /** In an append's transaction: index the queue there when about a batch is queued (by any process). */
  indexIfDue(count: number): TxSteps<boolean>;
  /** `indexIfDue` in parts, for an append sent as one batch: count, then whether to read the queue's span. */
  lookAfter(count: number): boolean;
  /** Whether a queue of this span is worth indexing now. */
  spanDue(span: number): boolean;
  /** Starts a background pass now (an append sent as one batch found about a batch queued). */
  indexSoon(): void;
  /** `count` messages were appended and committed; `indexed` if their transaction indexed the queue. */
  appended(count: number, indexed?: boolean): void;
  /** A write that may have queued messages (a restore) committed. */
  written(): void;
  /** Indexes every queued message; resolves when search would find them all. */
  catchUp(): Promise<number>;
}

/** Everything the session rules need, shared by the root store and its tenant views. */
export interface StoreContext {
  readonly db: Executor;
  readonly clock: () => number;
  readonly newId: () => string;
  readonly limits: StoreLimits;
  readonly schemas: Schemas;
  readonly scope: Scope;
  readonly archived: ArchivedSessions;
  readonly searchIndex: SearchIndexing;
  /**
   * Every statement is a round trip to a server: the hot paths then send one
   * request each (an append as one batch whose conditions live in SQL, a
   * search page as one statement) rather than a transaction of statements.
   */
  readonly roundTrips: boolean;
}

/**
 * Loads a session that is about to change. An archived one is restored first
 * when the store was opened with `autoRestore`, else `SessionArchivedError`.
 */
export function loadWritableSession(
  tx: Transaction,
  ctx: Pick<StoreContext, "scope" | "archived">,
  id: string,
): Promise<SessionRow> {
  return runSteps(loadWritableSessionSteps(ctx, id), tx);
}

/** `loadWritableSession` as transaction steps (the append's fast path). */
export function* loadWritableSessionSteps(
  ctx: Pick<StoreContext, "scope" | "archived">,
  id: string,
): TxSteps<SessionRow> {
  const session = yield* loadSessionSteps(ctx.scope, id);
  if (session.status !== "archived") return session;
  if (!ctx.archived.autoRestore) throw new SessionArchivedError(id);
  yield* step.await((tx) => ctx.archived.restore(tx, session));
  return yield* loadSessionSteps(ctx.scope, id);
}

/** SQL and parameters that restrict `sessions` (aliased `alias`) to the scope. */
export function scopeFilter(scope: Scope, alias = "sessions"): { sql: string; params: string[] } {
  return scope.tenantId === null
    ? { sql: "", params: [] }
    : { sql: ` AND ${alias}.tenant_id = ?`, params: [tenantToDb(scope.tenantId)] };
}

/** Loads a visible session row or throws `SessionNotFoundError`. */
export function loadSession(q: Queryable, scope: Scope, id: string): Promise<SessionRow> {
  return runSteps(loadSessionSteps(scope, id), q);
}

/** `loadSession` as transaction steps. */
export function* loadSessionSteps(scope: Scope, id: string): TxSteps<SessionRow> {
  const filter = scopeFilter(scope);
  // Two rows at most: enough to tell one session from an ambiguous id.
  const rows = yield* step.all<SessionRow>(
    `SELECT ${SESSION_COLUMNS} FROM sessions WHERE sessions.id = ?${filter.sql} LIMIT 2`,
    [id, ...filter.params],
  );
  const [row] = rows;
  if (!row) throw new SessionNotFoundError(id);
  if (rows.length > 1) {
    const holders = yield* step.all<{ tenant_id: string }>(
      "SELECT tenant_id FROM sessions WHERE id = ? ORDER BY tenant_id LIMIT 10",
      [id],
    );
    throw new AmbiguousSessionIdError(
      id,
      holders.map((h) => tenantFromDb(h.tenant_id)),
    );
  }
  return row;
}

/**
 * A scalar subquery for the `pk` of the scope's session with the id bound
 * to its one parameter: NULL when the scope has no such session, and on the
 * root store also when several tenants hold the id (the caller then loads
 * the session to say which it is). Lets a hot read find the session and its
 * messages in one statement.
 */
export function sessionPkSql(scope: Scope): string {
  return scope.tenantId === null
    ? "(SELECT CASE WHEN count(*) = 1 THEN max(pk) END FROM sessions WHERE id = ?)"
    : "(SELECT pk FROM sessions WHERE id = ? AND tenant_id = ?)";
}

/** The parameters of `sessionPkSql(scope)` for session `id`. */
export function sessionPkParams(scope: Scope, id: string): string[] {
  return scope.tenantId === null ? [id] : [id, tenantToDb(scope.tenantId)];
}
