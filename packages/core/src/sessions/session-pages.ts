import { SESSION_COLUMNS, tenantToDb } from "./rows.js";
import type { SessionStatus } from "./types.js";

/** A statement and its parameters. */
export interface PageQuery {
  readonly sql: string;
  readonly params: (string | number)[];
}

/** The last row of the previous page: (last_activity_at, id). */
export type PageKey = readonly [number, string];

// Exhaustive by type: a new status must be added here to be listed.
const STATUS_SET: Record<SessionStatus, true> = { active: true, idle: true, archived: true };
const STATUSES = Object.keys(STATUS_SET) as SessionStatus[];

const ORDER = "ORDER BY last_activity_at DESC, id DESC";

/**
 * One tenant's page, newest activity first: served in order by
 * `sessions_by_tenant_activity` (or `…_status_activity` with a status).
 */
export function tenantPage(
  tenantId: string | null,
  status: SessionStatus | undefined,
  model: string | undefined,
  after: PageKey | null,
  n: number,
): PageQuery {
  const where = ["tenant_id = ?"];
  const params: (string | number)[] = [tenantToDb(tenantId)];
  if (status) {
    where.push("status = ?");
    params.push(status);
  }
  if (model !== undefined) {
    where.push("model = ?");
    params.push(model);
  }
  if (after) {
    where.push("(last_activity_at, id) < (?, ?)");
    params.push(after[0], after[1]);
  }
  return {
    sql: `SELECT ${SESSION_COLUMNS} FROM sessions WHERE ${where.join(" AND ")} ${ORDER} LIMIT ?`,
    params: [...params, n],
  };
}

/**
 * Every tenant's sessions, newest activity first (the root store's list).
 * No index orders all sessions by activity, and a sort of the whole table per
 * page grows with the store; `sessions_by_status_activity` orders them per
 * status, so each status (there are three) yields its newest `n` from the
 * index and the union of those is sorted: the work per page is a few times
 * `n`, whatever the number of sessions.
 */
export function everyTenantPage(
  status: SessionStatus | undefined,
  model: string | undefined,
  after: PageKey | null,
  n: number,
): PageQuery {
  const params: (string | number)[] = [];
  const arm = (s: SessionStatus): string => {
    params.push(s);
    let sql = `SELECT ${SESSION_COLUMNS} FROM sessions WHERE status = ?`;
    if (model !== undefined) {
      sql += " AND model = ?";
      params.push(model);
    }
    if (after) {
      // The keyset condition spelt so that its first term is a range on the index.
      sql += " AND last_activity_at <= ? AND (last_activity_at < ? OR id < ?)";
      params.push(after[0], after[0], after[1]);
    }
    params.push(n);
    return `${sql} ${ORDER} LIMIT ?`;
  };
  if (status) return { sql: arm(status), params };
  const arms = STATUSES.map((s) => `SELECT * FROM (${arm(s)})`).join(" UNION ALL ");
  return {
    sql: `SELECT ${SESSION_COLUMNS} FROM (${arms}) ${ORDER} LIMIT ?`,
    params: [...params, n],
  };
}
