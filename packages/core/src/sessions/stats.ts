import type { StoreContext } from "./context.js";
import { tenantToDb } from "./rows.js";
import type { SessionStatus, StoreStats } from "./types.js";

interface StatsRow {
  model: string | null;
  status: SessionStatus;
  sessions: number;
  messages: number | null;
  tokens: number | null;
}

/**
 * Usage for the scope (a tenant view: its tenant; the root store: every
 * tenant): sessions by status, messages and tokens, per model.
 * Read from the session counters through a covering index, never the
 * messages table.
 */
export async function readStats(ctx: StoreContext): Promise<StoreStats> {
  const where = ctx.scope.tenantId === null ? "" : "WHERE tenant_id = ?";
  const params = ctx.scope.tenantId === null ? [] : [tenantToDb(ctx.scope.tenantId)];
  const rows = await ctx.db.read((q) =>
    q.all<StatsRow>(
      `SELECT model, status, count(*) AS sessions, sum(message_count) AS messages, sum(token_count) AS tokens
       FROM sessions ${where} GROUP BY model, status`,
      params,
    ),
  );
  const sessions = { total: 0, active: 0, idle: 0, archived: 0 };
  const byModel = new Map<string | null, { sessions: number; messages: number; tokens: number }>();
  let messages = 0;
  let tokens = 0;
  for (const row of rows) {
    const n = Number(row.sessions);
    const m = Number(row.messages ?? 0);
    const t = Number(row.tokens ?? 0);
    sessions.total += n;
    sessions[row.status] += n;
    messages += m;
    tokens += t;
    const entry = byModel.get(row.model) ?? { sessions: 0, messages: 0, tokens: 0 };
    entry.sessions += n;
    entry.messages += m;
    entry.tokens += t;
    byModel.set(row.model, entry);
  }
  return {
    sessions,
    messages,
    tokens,
    byModel: [...byModel.entries()]
      .map(([model, v]) => ({ model, ...v }))
      .sort((a, b) => b.messages - a.messages || String(a.model).localeCompare(String(b.model))),
  };
}
