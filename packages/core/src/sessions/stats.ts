import type { StoreContext } from "./context.js";
import { tenantFromDb, tenantToDb } from "./rows.js";
import type {
  SessionStatus,
  StatsGroup,
  StatsWindow,
  StoreStats,
  UsageSums,
  WindowGroup,
  WindowStats,
} from "./types.js";
import { parse } from "./validation.js";

/** Sums a stats query returns per group, besides its keys. */
interface SumsRow {
  tenant_id: string;
  model: string | null;
  currency: string | null;
  messages: number | null;
  tokens: number | null;
  input: number | null;
  output: number | null;
  cached: number | null;
  reasoning: number | null;
  cost: number | null;
}

interface SessionStatsRow extends SumsRow {
  status: SessionStatus;
  sessions: number;
}

/** Usage sums being added up, costs per currency. */
class Sums {
  messages = 0;
  tokens = 0;
  sessions = 0;
  inputTokens = 0;
  outputTokens = 0;
  cachedInputTokens = 0;
  reasoningTokens = 0;
  readonly cost = new Map<string, number>();

  add(row: SumsRow, sessions = 0): void {
    this.sessions += sessions;
    this.messages += Number(row.messages ?? 0);
    this.tokens += Number(row.tokens ?? 0);
    this.inputTokens += Number(row.input ?? 0);
    this.outputTokens += Number(row.output ?? 0);
    this.cachedInputTokens += Number(row.cached ?? 0);
    this.reasoningTokens += Number(row.reasoning ?? 0);
    if (row.currency !== null) {
      this.cost.set(row.currency, (this.cost.get(row.currency) ?? 0) + Number(row.cost ?? 0));
    }
  }

  usage(): UsageSums {
    return {
      inputTokens: this.inputTokens,
      outputTokens: this.outputTokens,
      cachedInputTokens: this.cachedInputTokens,
      reasoningTokens: this.reasoningTokens,
      cost: [...this.cost.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([currency, micros]) => ({ currency, micros })),
    };
  }

  group(): StatsGroup {
    return {
      sessions: this.sessions,
      messages: this.messages,
      tokens: this.tokens,
      usage: this.usage(),
    };
  }

  windowGroup(): WindowGroup {
    return { messages: this.messages, tokens: this.tokens, usage: this.usage() };
  }
}

/** Adds `row` to the entry of `key` in `groups`. */
function addTo<K>(groups: Map<K, Sums>, key: K, row: SumsRow, sessions = 0): void {
  let sums = groups.get(key);
  if (!sums) {
    sums = new Sums();
    groups.set(key, sums);
  }
  sums.add(row, sessions);
}

const byMessagesThenName = (
  a: { messages: number; name: string | null },
  b: { messages: number; name: string | null },
) => b.messages - a.messages || String(a.name).localeCompare(String(b.name));

/** The scope's tenant filter on `sessions` aliased `s`. */
function tenantWhere(ctx: StoreContext): { sql: string; params: string[] } {
  return ctx.scope.tenantId === null
    ? { sql: "", params: [] }
    : { sql: "s.tenant_id = ?", params: [tenantToDb(ctx.scope.tenantId)] };
}

/**
 * Usage for the scope (a tenant view: its tenant; the root store: every
 * tenant): sessions by status, messages, tokens and usage, per model and per
 * tenant. Read from the session counters (kept by triggers), never the
 * messages table, in the order of the `sessions_for_stats` index (no sort):
 * a tenant view reads its own sessions' rows, the root store every row.
 */
export async function readStats(ctx: StoreContext): Promise<StoreStats> {
  const tenant = tenantWhere(ctx);
  const rows = await ctx.db.read((q) =>
    q.all<SessionStatsRow>(
      `SELECT tenant_id, model, status, cost_currency AS currency, count(*) AS sessions,
         sum(message_count) AS messages, sum(token_count) AS tokens,
         sum(input_tokens) AS input, sum(output_tokens) AS output,
         sum(cached_input_tokens) AS cached, sum(reasoning_tokens) AS reasoning,
         sum(cost_micros) AS cost
       FROM sessions ${tenant.sql ? `WHERE ${tenant.sql.replace("s.", "")}` : ""}
       GROUP BY tenant_id, model, status, cost_currency`,
      tenant.params,
    ),
  );
  const sessions = { total: 0, active: 0, idle: 0, archived: 0 };
  const all = new Sums();
  const byModel = new Map<string | null, Sums>();
  const byTenant = new Map<string, Sums>();
  for (const row of rows) {
    const n = Number(row.sessions);
    sessions.total += n;
    sessions[row.status] += n;
    all.add(row, n);
    addTo(byModel, row.model, row, n);
    addTo(byTenant, row.tenant_id, row, n);
  }
  return {
    sessions,
    messages: all.messages,
    tokens: all.tokens,
    usage: all.usage(),
    byModel: [...byModel.entries()]
      .map(([model, v]) => ({ model, ...v.group() }))
      .sort((a, b) => byMessagesThenName({ ...a, name: a.model }, { ...b, name: b.model })),
    byTenant: [...byTenant.entries()]
      .map(([tenant, v]) => ({ tenantId: tenantFromDb(tenant), ...v.group() }))
      .sort((a, b) => byMessagesThenName({ ...a, name: a.tenantId }, { ...b, name: b.tenantId })),
  };
}

/**
 * The messages a time window counts: those with usage or tokens. The same
 * expression as the `messages_metered_by_time` index's WHERE, so that the
 * planner can use that partial index.
 */
const METERED = `(m.tokens IS NOT NULL OR m.input_tokens IS NOT NULL OR m.output_tokens IS NOT NULL
      OR m.cached_input_tokens IS NOT NULL OR m.reasoning_tokens IS NOT NULL OR m.cost_micros IS NOT NULL)`;

/**
 * The usage of the metered messages appended in `[since, until)`, per model
 * and per tenant: a range read of the `messages_metered_by_time` index, each
 * message's session found by its key.
 */
export async function readWindowStats(
  ctx: StoreContext,
  window: StatsWindow,
): Promise<WindowStats> {
  const w = parse("stats", ctx.schemas.statsWindow, window);
  const since = w.since ?? 0;
  const until = w.until ?? null;
  const tenant = tenantWhere(ctx);
  const where = [METERED, "m.created_at >= ?"];
  const params: (string | number)[] = [since];
  if (until !== null) {
    where.push("m.created_at < ?");
    params.push(until);
  }
  if (tenant.sql) {
    where.push(tenant.sql);
    params.push(...tenant.params);
  }
  const rows = await ctx.db.read((q) =>
    q.all<SumsRow>(
      `SELECT s.tenant_id, coalesce(m.model, s.model) AS model, m.cost_currency AS currency,
         count(*) AS messages, sum(m.tokens) AS tokens, sum(m.input_tokens) AS input,
         sum(m.output_tokens) AS output, sum(m.cached_input_tokens) AS cached,
         sum(m.reasoning_tokens) AS reasoning, sum(m.cost_micros) AS cost
       FROM messages AS m INDEXED BY messages_metered_by_time
         CROSS JOIN sessions AS s ON s.pk = m.session_pk
       WHERE ${where.join(" AND ")}
       GROUP BY s.tenant_id, coalesce(m.model, s.model), m.cost_currency`,
      params,
    ),
  );
  const all = new Sums();
  const byModel = new Map<string | null, Sums>();
  const byTenant = new Map<string, Sums>();
  for (const row of rows) {
    all.add(row);
    addTo(byModel, row.model, row);
    addTo(byTenant, row.tenant_id, row);
  }
  return {
    since,
    until,
    ...all.windowGroup(),
    byModel: [...byModel.entries()]
      .map(([model, v]) => ({ model, ...v.windowGroup() }))
      .sort((a, b) => byMessagesThenName({ ...a, name: a.model }, { ...b, name: b.model })),
    byTenant: [...byTenant.entries()]
      .map(([tenant, v]) => ({ tenantId: tenantFromDb(tenant), ...v.windowGroup() }))
      .sort((a, b) => byMessagesThenName({ ...a, name: a.tenantId }, { ...b, name: b.tenantId })),
  };
}
