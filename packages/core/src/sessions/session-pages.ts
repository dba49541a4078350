import { SESSION_COLUMN_NAMES, SESSION_COLUMNS, tenantToDb } from "./rows.js";
import type { JsonScalar, SessionOrder, SessionStatus } from "./types.js";

/** A statement and its parameters. */
export interface PageQuery {
  readonly sql: string;
  readonly params: (string | number)[];
}

/**
 * The last row of the previous page: its time in the list's order, its id
 * and, on the all-tenants list, its stored tenant (ids are unique per
 * tenant only, so two tenants' sessions can tie on time and id).
 */
export type PageKey = readonly [time: number, id: string, tenant?: string];

/** What `sessions.list` narrows the list by (besides the tenant). */
export interface SessionFilters {
  readonly status?: SessionStatus | undefined;
  readonly model?: string | undefined;
  readonly metadata?: Readonly<Record<string, JsonScalar>> | undefined;
  readonly titleContains?: string | undefined;
}

// Exhaustive by type: a new status must be added here to be listed.
const STATUS_SET: Record<SessionStatus, true> = { active: true, idle: true, archived: true };
const STATUSES = Object.keys(STATUS_SET) as SessionStatus[];

const TIME_COLUMN: Record<SessionOrder, string> = {
  lastActivity: "last_activity_at",
  created: "created_at",
};

const orderBy = (order: SessionOrder): string => `ORDER BY ${TIME_COLUMN[order]} DESC, id DESC`;

/** The all-tenants order: ties of time and id broken by tenant. */
const everyTenantOrderBy = (order: SessionOrder): string => `${orderBy(order)}, tenant_id DESC`;

/**
 * SQL conditions (joined by AND) for the model, metadata and title filters;
 * every value given by the caller is a bound parameter, keys too.
 */
function filterConditions(filters: SessionFilters, params: (string | number)[]): string[] {
  const where: string[] = [];
  if (filters.model !== undefined) {
    where.push("model = ?");
    params.push(filters.model);
  }
  for (const [key, value] of Object.entries(filters.metadata ?? {})) {
    // json_each reads top-level keys only, and its `type` tells 1 from true
    // and "1" from 1, which a comparison of values alone would not.
    const test = "SELECT 1 FROM json_each(sessions.metadata) AS j WHERE j.key = ?";
    params.push(key);
    if (value === null) {
      where.push(`EXISTS (${test} AND j.type = 'null')`);
    } else if (typeof value === "boolean") {
      where.push(`EXISTS (${test} AND j.type = '${value ? "true" : "false"}')`);
    } else if (typeof value === "number") {
      where.push(`EXISTS (${test} AND j.type IN ('integer', 'real') AND j.value = ?)`);
      params.push(value);
    } else {
      where.push(`EXISTS (${test} AND j.type = 'text' AND j.value = ?)`);
      params.push(value);
    }
  }
  if (filters.titleContains !== undefined) {
    // instr, not LIKE: the caller's text has no wildcards to escape. lower()
    // folds ASCII letters on both sides.
    where.push("instr(lower(title), lower(?)) > 0");
    params.push(filters.titleContains);
  }
  return where;
}

/**
 * One tenant's page, newest first in `order`. By last activity it is served
 * in order by `sessions_by_tenant_status_activity`: with a status, one range
 * of it; without, each status (there are three) yields its newest `n` and
 * the union of those is sorted, a few times `n` whatever the tenant's size.
 * (Schema v5 dropped the tenant's activity index without the status: its
 * key moved on every append, for a list that three index runs serve.) By
 * creation the tenant's sessions (found by the same index) are sorted, as no
 * index orders them by creation.
 */
export function tenantPage(
  tenantId: string | null,
  filters: SessionFilters,
  order: SessionOrder,
  after: PageKey | null,
  n: number,
): PageQuery {
  const params: (string | number)[] = [];
  const select = (status: SessionStatus | undefined): string => {
    const where = ["tenant_id = ?"];
    params.push(tenantToDb(tenantId));
    if (status) {
      where.push("status = ?");
      params.push(status);
    }
    where.push(...filterConditions(filters, params));
    if (after) {
      where.push(`(${TIME_COLUMN[order]}, id) < (?, ?)`);
      params.push(after[0], after[1]);
    }
    params.push(n);
    return `SELECT ${SESSION_COLUMNS} FROM sessions WHERE ${where.join(" AND ")} ${orderBy(order)} LIMIT ?`;
  };
  if (filters.status || order === "created") return { sql: select(filters.status), params };
  const arms = STATUSES.map((s) => `SELECT * FROM (${select(s)})`).join(" UNION ALL ");
  return {
    sql: `SELECT ${SESSION_COLUMN_NAMES} FROM (${arms}) ${orderBy(order)} LIMIT ?`,
    params: [...params, n],
  };
}

/**
 * Every tenant's sessions, newest first in `order` (the root store's list).
 *
 * By last activity: no index orders all sessions by activity, and a sort of
 * the whole table per page grows with the store; `sessions_by_status_activity`
 * orders them per status, so each status (there are three) yields its newest
 * `n` from the index and the union of those is sorted: the work per page is a
 * few times `n`, whatever the number of sessions.
 *
 * By creation: no index helps, so the page sorts every session (documented
 * on `ListSessionsOptions.orderBy`).
 */
export function everyTenantPage(
  filters: SessionFilters,
  order: SessionOrder,
  after: PageKey | null,
  n: number,
): PageQuery {
  if (order === "created") {
    const params: (string | number)[] = [];
    const where: string[] = [];
    if (filters.status) {
      where.push("status = ?");
      params.push(filters.status);
    }
    where.push(...filterConditions(filters, params));
    if (after) {
      if (after[2] === undefined) {
        where.push("(created_at, id) < (?, ?)");
        params.push(after[0], after[1]);
      } else {
        where.push("(created_at, id, tenant_id) < (?, ?, ?)");
        params.push(after[0], after[1], after[2]);
      }
    }
    const clause = where.length > 0 ? ` WHERE ${where.join(" AND ")}` : "";
    return {
      sql: `SELECT ${SESSION_COLUMNS} FROM sessions${clause} ${everyTenantOrderBy(order)} LIMIT ?`,
      params: [...params, n],
    };
  }
  const params: (string | number)[] = [];
  const arm = (s: SessionStatus): string => {
    params.push(s);
    const where = ["status = ?", ...filterConditions(filters, params)];
    if (after) {
      // The keyset condition spelt so that its first term is a range on the index.
      if (after[2] === undefined) {
        where.push("last_activity_at <= ? AND (last_activity_at < ? OR id < ?)");
        params.push(after[0], after[0], after[1]);
      } else {
        where.push(
          "last_activity_at <= ? AND (last_activity_at < ? OR id < ? OR (id = ? AND tenant_id < ?))",
        );
        params.push(after[0], after[0], after[1], after[1], after[2]);
      }
    }
    params.push(n);
    return `SELECT ${SESSION_COLUMNS} FROM sessions WHERE ${where.join(" AND ")} ${everyTenantOrderBy(order)} LIMIT ?`;
  };
  if (filters.status) return { sql: arm(filters.status), params };
  const arms = STATUSES.map((s) => `SELECT * FROM (${arm(s)})`).join(" UNION ALL ");
  return {
    sql: `SELECT ${SESSION_COLUMN_NAMES} FROM (${arms}) ${everyTenantOrderBy(order)} LIMIT ?`,
    params: [...params, n],
  };
}
