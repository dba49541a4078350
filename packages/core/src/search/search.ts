import type { Transaction } from "../driver/index.js";
import { ConflictError, ValidationError } from "../errors.js";
import {
  loadSession,
  type StoreContext,
  scopeFilter,
  sessionPkParams,
  sessionPkSql,
} from "../sessions/context.js";
import { decodeCursor, encodeCursor } from "../sessions/cursor.js";
import {
  compactedSql,
  MESSAGE_COLUMN_COUNT,
  type MessageRow,
  messageColumns,
  tenantFromDb,
  toMessage,
} from "../sessions/rows.js";
import type { Message, MessageRole, Page } from "../sessions/types.js";
import { parse } from "../sessions/validation.js";
import { checkSearchBounds, SEARCH_BOUNDS } from "./bounds.js";
import { ftsQueryOf, searchTerms } from "./fts-query.js";
import { ANY_QUEUED_SQL } from "./index-queue.js";
import { clearQueued, loadQueued, QUEUE_FTS, QueueNotLoadable } from "./queued-index.js";
import {
  joinSnippet,
  newSnippetMarkers,
  type SnippetMarkers,
  type SnippetPart,
  splitSnippet,
} from "./snippet.js";

export type { SnippetPart } from "./snippet.js";

/** Options of `store.search`. */
export interface SearchOptions {
  /** Only this session's messages. */
  sessionId?: string;
  /** Only messages with this role. */
  role?: MessageRole;
  /** Only messages written by this model. */
  model?: string;
  /**
   * Results per page, 1..200 (and at most the store's `maxPageSize`).
   * Default: the store's default page size, capped the same way.
   */
  limit?: number;
  /** The previous page's `nextCursor`. */
  cursor?: string | null;
  /** The markers placed around matches in `snippet`. Default `["«", "»"]`. */
  mark?: [open: string, close: string];
}

/** One search result; newest match first. */
export interface SearchHit {
  /** The matching message. */
  readonly message: Message;
  /**
   * The tenant of the message's session (`null`: the default tenant). On the
   * root store it tells apart two tenants' sessions with the same id.
   */
  readonly tenantId: string | null;
  /**
   * This hit's position in the whole result, from 1 (the newest match),
   * counted across pages: lower is newer.
   */
  readonly rank: number;
  /** An excerpt with the matches between the `mark` markers. */
  readonly snippet: string;
  /** The same excerpt as parts, for rendering without parsing markers. */
  readonly snippetParts: SnippetPart[];
}

interface HitRow extends MessageRow {
  pk: number;
  tenant_id: string;
  snippet: string;
}

/**
 * Full-text search over message content: every message that has all the
 * words, newest first, keyset-paged.
 *
 * Why newest first, not BM25: BM25 weighs a word by how many documents of
 * the whole index hold it, so a tenant's ranks (and the order of its hits)
 * would change when another tenant writes that word, telling it what others
 * wrote. Every ranking statistic would have to be the tenant's own; ordering
 * by the message's age uses none, so what a tenant (or one session, role or
 * model filter) sees depends only on the messages it can see. It also bounds
 * the work: FTS5 walks its matches newest first and the query stops after
 * the page, where a ranking must score every match before the first row.
 * The cursor names the last message by its tenant, session id and message
 * id (not its row number, which counts every tenant's messages).
 *
 * Never writes: messages still queued for the index are matched in a
 * connection-private temp index (see `queued-index.ts`), in the same
 * snapshot, and merged in order. Any string is safe (see `toFtsQuery`); an
 * empty one, or one over `SEARCH_BOUNDS`, is a `ValidationError`.
 */
export async function search(
  ctx: StoreContext,
  text: string,
  options: SearchOptions = {},
): Promise<Page<SearchHit>> {
  const query = parse("search", ctx.schemas.query, text);
  const opts = parse("search", ctx.schemas.search, options);
  if (query.trim() === "") {
    throw new ValidationError("search", [{ path: "text", message: "must not be empty" }]);
  }
  const terms = searchTerms(query);
  const limit = opts.limit ?? Math.min(ctx.limits.defaultPageSize, SEARCH_BOUNDS.maxPageSize);
  checkSearchBounds(terms, limit);
  const after = opts.cursor ? decodeSearchCursor(opts.cursor) : undefined;
  const fts = ftsQueryOf(terms);
  if (fts === null) return { items: [], nextCursor: null };
  const [open, close] = opts.mark ?? ["«", "»"];
  const markers = newSnippetMarkers();
  const plan = { ctx, opts, fts, markers, limit, after };
  if (opts.sessionId !== undefined && ctx.scope.tenantId === null) {
    await refuseAmbiguousSession(ctx, opts.sessionId);
  }

  let rows: HitRow[];
  if (ctx.roundTrips) {
    rows = await pageInOneRequest(plan);
  } else {
    try {
      rows = await ctx.db.readSnapshot((tx) => findPage(tx, plan, true));
    } catch (error) {
      if (!(error instanceof QueueNotLoadable)) throw error;
      // A connection that may not even write its temp database: index the
      // queue (a write), then read the index alone.
      await ctx.searchIndex.catchUp();
      rows = await ctx.db.readSnapshot((tx) => findPage(tx, plan, false));
    }
  }

  const first = after?.position ?? 0;
  const page = rows.slice(0, limit);
  const items = page.map((row, i): SearchHit => {
    const parts = splitSnippet(row.snippet, markers);
    return {
      message: toMessage(row, row.session_id),
      tenantId: tenantFromDb(row.tenant_id),
      rank: first + i + 1,
      snippetParts: parts,
      snippet: joinSnippet(parts, open, close),
    };
  });
  const last = page.at(-1);
  return {
    items,
    nextCursor:
      rows.length > limit && last
        ? encodeCursor([first + page.length, last.tenant_id, last.session_id, last.id])
        : null,
  };
}

interface PagePlan {
  readonly ctx: StoreContext;
  readonly opts: Pick<SearchOptions, "sessionId" | "role" | "model">;
  readonly fts: string;
  readonly markers: SnippetMarkers;
  readonly limit: number;
  readonly after: SearchCursor | undefined;
}

/** Up to `limit + 1` hits, newest first, from the index and (with `withQueue`) the queue. */
async function findPage(tx: Transaction, plan: PagePlan, withQueue: boolean): Promise<HitRow[]> {
  const before = plan.after ? await boundaryPk(tx, plan.ctx, plan.after) : undefined;
  const indexed = await tx.all<HitRow>(...pageQuery("messages_fts", plan, before));
  if (!withQueue || !(await loadQueued(tx))) return indexed;
  try {
    const queued = await tx.all<HitRow>(...pageQuery(`temp.${QUEUE_FTS}`, plan, before));
    // A message is in the index or in the queue, never both (one snapshot).
    return [...indexed, ...queued]
      .sort((a, b) => Number(b.pk) - Number(a.pk))
      .slice(0, plan.limit + 1);
  } finally {
    await clearQueued(tx);
  }
}

/**
 * A page on a server, in one request (two with a cursor): the index's page
 * query and, in the same statement (one snapshot), a marker row when
 * messages wait in the queue. A server has no TEMP tables to match them in,
 * so then the queue is indexed (a write) and the page read again.
 */
async function pageInOneRequest(plan: PagePlan): Promise<HitRow[]> {
  const read = () =>
    plan.ctx.db.read(async (q) => {
      const before = plan.after ? await boundaryPk(q, plan.ctx, plan.after) : undefined;
      const [sql, params] = pageQuery("messages_fts", plan, before);
      return q.all<HitRow>(
        `SELECT * FROM (${sql})
         UNION ALL SELECT ${QUEUED_MARKER} WHERE ${ANY_QUEUED_SQL}`,
        params,
      );
    });
  let rows = await read();
  if (rows.some(isMarker)) {
    await plan.ctx.searchIndex.catchUp();
    rows = await read();
  }
  // Newest first, as the page query gave them (a compound select keeps no order of its own).
  return rows.filter((r) => !isMarker(r)).sort((a, b) => Number(b.pk) - Number(a.pk));
}

const isMarker = (row: HitRow): boolean => (row.pk as number | null) === null;

/** The marker row: every column of `pageQuery`'s rows NULL, `pk` included. */
const QUEUED_MARKER = Array.from({ length: MESSAGE_COLUMN_COUNT + 5 }, () => "NULL").join(", ");

/**
 * One statement per source: FTS5 is the outer loop (CROSS JOIN keeps the
 * planner from driving it from `messages`, which would re-run the MATCH,
 * prefix expansion included, once per row), walking its rowids newest first,
 * so the ORDER BY needs no sort and LIMIT stops the walk; the snippet is
 * computed only for the rows returned.
 */
function pageQuery(
  source: string,
  plan: PagePlan,
  before: number | undefined,
): [string, (string | number)[]] {
  const fts = source.replace(/^temp\./, "");
  const where = [`${fts} MATCH ?`];
  const params: (string | number)[] = [plan.markers.open, plan.markers.close, plan.fts];
  const scope = scopeFilter(plan.ctx.scope, "s");
  if (scope.sql !== "") {
    where.push(scope.sql.replace(/^ AND /, ""));
    params.push(...scope.params);
  }
  if (plan.opts.sessionId !== undefined) {
    where.push(`m.session_pk = ${sessionPkSql(plan.ctx.scope)}`);
    params.push(...sessionPkParams(plan.ctx.scope, plan.opts.sessionId));
  }
  if (plan.opts.role !== undefined) {
    where.push("m.role = ?");
    params.push(plan.opts.role);
  }
  if (plan.opts.model !== undefined) {
    where.push("m.model = ?");
    params.push(plan.opts.model);
  }
  if (before !== undefined) {
    where.push(`${fts}.rowid < ?`);
    params.push(before);
  }
  params.push(plan.limit + 1);
  // Compacted messages are found too, marked (compaction deletes nothing).
  const columns = `${messageColumns("m")}, ${compactedSql("m", "s.compacted_through")}`;
  return [
    `SELECT ${columns}, s.id AS session_id, s.tenant_id AS tenant_id, m.pk AS pk,
       snippet(${fts}, 0, ?, ?, '…', 16) AS snippet
     FROM ${source} CROSS JOIN messages AS m ON m.pk = ${fts}.rowid
       CROSS JOIN sessions AS s ON s.pk = m.session_pk
     WHERE ${where.join(" AND ")}
     ORDER BY ${fts}.rowid DESC LIMIT ?`,
    params,
  ];
}

/** The row number of the cursor's message, if this scope still sees it. */
async function boundaryPk(
  tx: Transaction,
  ctx: StoreContext,
  after: SearchCursor,
): Promise<number> {
  const scope = scopeFilter(ctx.scope, "s");
  const row = await tx.get<{ pk: number }>(
    `SELECT m.pk AS pk FROM sessions AS s JOIN messages AS m ON m.session_pk = s.pk
     WHERE s.id = ? AND s.tenant_id = ? AND m.id = ?${scope.sql}`,
    [after.sessionId, after.tenant, after.messageId, ...scope.params],
  );
  if (row === undefined) {
    // Popped, deleted or archived since the previous page (or not this
    // tenant's): the page cannot continue from it.
    throw new ConflictError(
      "search: the message this cursor continues after no longer exists; search again from the first page",
    );
  }
  return Number(row.pk);
}

/**
 * On the root store, a `sessionId` filter that several tenants hold names
 * no one session: `AmbiguousSessionIdError` (an id held by none matches
 * nothing, as on a tenant view).
 */
async function refuseAmbiguousSession(ctx: StoreContext, sessionId: string): Promise<void> {
  await ctx.db.read(async (q) => {
    const held = await q.get<{ n: number }>(
      "SELECT count(*) AS n FROM (SELECT 1 FROM sessions WHERE id = ? LIMIT 2)",
      [sessionId],
    );
    if (Number(held?.n ?? 0) > 1) await loadSession(q, ctx.scope, sessionId);
  });
}

/** Where a search page continues: after this message, at this position. */
interface SearchCursor {
  readonly position: number;
  /** The stored tenant of the message's session. */
  readonly tenant: string;
  readonly sessionId: string;
  readonly messageId: string;
}

function decodeSearchCursor(cursor: string): SearchCursor {
  const [position, tenant, sessionId, messageId] = decodeCursor("search", cursor, [
    "number",
    "string",
    "string",
    "string",
  ] as const);
  if (!Number.isSafeInteger(position) || position < 0) {
    throw new ValidationError("search", [
      { path: "cursor", message: "is not a cursor this store issued" },
    ]);
  }
  return { position, tenant, sessionId, messageId };
}
