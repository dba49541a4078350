import type { Queryable, Transaction } from "../driver/index.js";
import type { StoreContext } from "../sessions/context.js";
import { tenantToDb } from "../sessions/rows.js";
import { parse } from "../sessions/validation.js";
import type { ExtensionMigrationResult, StoreExtension } from "./types.js";

/**
 * What an extension package gets from a store: transactions on the store's
 * own pool (its single writer, busy retries, file-replacement guard and
 * metrics of waits), the store's clock, and the sessions its rows hang
 * from. The SQL is the package's own: it touches its own tables, and the
 * sessions table only through `ensureSession` / `sessionPk`.
 */
export interface ExtensionHandle {
  /** The extension this handle was attached for. */
  readonly extension: StoreExtension;
  /** What attaching did to the extension's tables. */
  readonly migration: ExtensionMigrationResult;
  /** The store's time source, in ms since the epoch. */
  readonly clock: () => number;
  /** A read on a reader connection (the writer when the pool has none). */
  read<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  /** A write transaction (`BEGIN IMMEDIATE`) on the store's writer; rolled back when `fn` throws. */
  write<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /**
   * The internal key (`sessions.pk`) of the session `sessionId` of tenant
   * `tenantId` (`null`: the default tenant), or `undefined`. Extension rows
   * refer to it with `REFERENCES sessions (pk) ON DELETE CASCADE`.
   *
   * @throws ValidationError for a malformed id or tenant.
   */
  sessionPk(
    q: Pick<Queryable, "get">,
    tenantId: string | null,
    sessionId: string,
  ): Promise<number | undefined>;
  /**
   * In a write: the session's key, creating the session when it does not
   * exist, and marking activity (an idle session becomes active; an
   * archived one stays archived).
   *
   * @throws ValidationError for a malformed id or tenant.
   */
  ensureSession(tx: Transaction, tenantId: string | null, sessionId: string): Promise<number>;
}

/** Builds the handle over a store's context. */
export function makeHandle(
  ctx: StoreContext,
  extension: StoreExtension,
  migration: ExtensionMigrationResult,
): ExtensionHandle {
  const where = `${extension.name}`;
  const key = (tenantId: string | null, sessionId: string): [string, string] => [
    parse(where, ctx.schemas.id, sessionId),
    tenantToDb(tenantId === null ? null : parse(where, ctx.schemas.tenantId, tenantId)),
  ];
  return {
    extension,
    migration,
    clock: ctx.clock,
    read: (fn) => ctx.db.read(fn),
    write: (fn) => ctx.db.write(fn),
    async sessionPk(q, tenantId, sessionId) {
      const row = await q.get<{ pk: number }>(
        "SELECT pk FROM sessions WHERE id = ? AND tenant_id = ?",
        key(tenantId, sessionId),
      );
      return row === undefined ? undefined : Number(row.pk);
    },
    async ensureSession(tx, tenantId, sessionId) {
      const [id, tenant] = key(tenantId, sessionId);
      const now = ctx.clock();
      const row = await tx.get<{ pk: number }>(
        `INSERT INTO sessions (id, tenant_id, metadata, created_at, updated_at, last_activity_at)
         VALUES (?, ?, '{}', ?, ?, ?)
         ON CONFLICT (id, tenant_id) DO UPDATE SET
           status = CASE status WHEN 'idle' THEN 'active' ELSE status END,
           last_activity_at = max(last_activity_at, excluded.last_activity_at)
         RETURNING pk`,
        [id, tenant, now, now, now],
      );
      return Number(row?.pk);
    },
  };
}
