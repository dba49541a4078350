import { ValidationError } from "../errors.js";
import { decodeCursor, encodeCursor } from "../sessions/cursor.js";
import type { StoreContext } from "../sessions/index.js";
import { MESSAGE_COLUMNS, type MessageRow, toMessage } from "../sessions/rows.js";
import type { Message, MessageRole, Page } from "../sessions/types.js";
import { parse } from "../sessions/validation.js";
import { toFtsQuery } from "./fts-query.js";

/** Options of `store.search`. */
export interface SearchOptions {
  /** Only this session's messages. */
  sessionId?: string;
  /** Only messages with this role. */
  role?: MessageRole;
  /** Only messages written by this model. */
  model?: string;
  /** Results per page, 1..maxPageSize. Default: the store's default page size. */
  limit?: number;
  /** The previous page's `nextCursor`. */
  cursor?: string | null;
  /** The markers placed around matches in `snippet`. Default `["«", "»"]`. */
  mark?: [open: string, close: string];
}

/** A part of a snippet: matched text or the text around it. */
export interface SnippetPart {
  /** The text of this part. */
  readonly text: string;
  /** Whether this part matched the query. */
  readonly match: boolean;
}

/** One search result, best first. */
export interface SearchHit {
  /** The matching message. */
  readonly message: Message;
  /** BM25 rank: lower is better. */
  readonly rank: number;
  /** An excerpt with the matches between the `mark` markers. */
  readonly snippet: string;
  /** The same excerpt as parts, for rendering without parsing markers. */
  readonly snippetParts: SnippetPart[];
}

// Private-use characters delimit matches inside SQLite; user text cannot fake
// them because they are replaced in the parts (see splitSnippet).
const OPEN = "\u{F0001}";
const CLOSE = "\u{F0002}";

interface HitRow extends MessageRow {
  pk: number;
  snippet: string;
}

/**
 * Full-text search over message content, ranked by BM25, keyset-paged by
 * (rank, message). Any string is safe (see `toFtsQuery`); an empty one is a
 * `ValidationError`.
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
  const fts = toFtsQuery(query);
  if (fts === null) return { items: [], nextCursor: null };
  const limit = opts.limit ?? ctx.limits.defaultPageSize;
  const [open, close] = opts.mark ?? ["«", "»"];

  // Two steps, in one snapshot. Ranking has to look at every match, but the
  // snippets (which re-read and re-tokenize each message) and the message
  // rows are needed only for the page: one statement doing all of it computes
  // a snippet for every match before sorting (18 ms instead of 7 ms for a
  // two-word query matching 2,500 of 1M messages).
  const where = ["messages_fts MATCH ?"];
  const params: (string | number)[] = [fts];
  if (ctx.scope.tenantId !== null) {
    where.push("EXISTS (SELECT 1 FROM sessions s WHERE s.id = m.session_id AND s.tenant_id = ?)");
    params.push(ctx.scope.tenantId);
  }
  if (opts.sessionId !== undefined) {
    where.push("m.session_id = ?");
    params.push(opts.sessionId);
  }
  if (opts.role !== undefined) {
    where.push("m.role = ?");
    params.push(opts.role);
  }
  if (opts.model !== undefined) {
    where.push("m.model = ?");
    params.push(opts.model);
  }
  // Without a filter on the message the index alone ranks (no row lookups).
  const join = where.length > 1 ? " JOIN messages AS m ON m.pk = messages_fts.rowid" : "";
  if (opts.cursor) {
    const [rank, pk] = decodeCursor("search", opts.cursor, ["number", "number"] as const);
    where.push("(messages_fts.rank, messages_fts.rowid) > (?, ?)");
    params.push(rank, pk);
  }
  // Messages committed before this call may still be queued for the index
  // (schema v3): index them first, so that search misses none of them.
  await ctx.searchIndex.catchUp();
  const columns = MESSAGE_COLUMNS.split(", ")
    .map((c) => `m.${c}`)
    .join(", ");
  const { ranked, rows } = await ctx.db.readSnapshot(async (q) => {
    const ranked = await q.all<{ pk: number; rank: number }>(
      `SELECT messages_fts.rowid AS pk, messages_fts.rank AS rank FROM messages_fts${join}
       WHERE ${where.join(" AND ")}
       ORDER BY messages_fts.rank, messages_fts.rowid LIMIT ?`,
      [...params, limit + 1],
    );
    const page = ranked.slice(0, limit);
    const rows =
      page.length === 0
        ? []
        : await q.all<HitRow>(
            `SELECT ${columns}, m.pk AS pk, snippet(messages_fts, 0, ?, ?, '…', 16) AS snippet
             FROM messages_fts JOIN messages AS m ON m.pk = messages_fts.rowid
             WHERE messages_fts MATCH ? AND messages_fts.rowid IN (SELECT value FROM json_each(?))`,
            [OPEN, CLOSE, fts, JSON.stringify(page.map((r) => Number(r.pk)))],
          );
    return { ranked, rows };
  });
  const byPk = new Map(rows.map((row) => [Number(row.pk), row]));
  const items: SearchHit[] = [];
  for (const hit of ranked.slice(0, limit)) {
    const row = byPk.get(Number(hit.pk));
    if (!row) continue;
    const parts = splitSnippet(row.snippet);
    items.push({
      message: toMessage(row),
      rank: Number(hit.rank),
      snippetParts: parts,
      snippet: parts.map((p) => (p.match ? `${open}${p.text}${close}` : p.text)).join(""),
    });
  }
  const last = ranked[Math.min(ranked.length, limit) - 1];
  return {
    items,
    nextCursor:
      ranked.length > limit && last ? encodeCursor([Number(last.rank), Number(last.pk)]) : null,
  };
}

function splitSnippet(snippet: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  for (const [i, chunk] of snippet.split(OPEN).entries()) {
    if (i === 0) {
      if (chunk) parts.push({ text: chunk, match: false });
      continue;
    }
    const end = chunk.indexOf(CLOSE);
    const matched = end === -1 ? chunk : chunk.slice(0, end);
    const rest = end === -1 ? "" : chunk.slice(end + CLOSE.length);
    if (matched) parts.push({ text: matched, match: true });
    if (rest) parts.push({ text: rest, match: false });
  }
  return parts;
}
