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
  role?: MessageRole;
  /** Only messages written by this model. */
  model?: string;
  /** Results per page, 1..maxPageSize. Default: the store's default page size. */
  limit?: number;
  cursor?: string | null;
  /** The markers placed around matches in `snippet`. Default `["«", "»"]`. */
  mark?: [open: string, close: string];
}

/** A part of a snippet: matched text or the text around it. */
export interface SnippetPart {
  readonly text: string;
  readonly match: boolean;
}

/** One search result, best first. */
export interface SearchHit {
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
  rank: number;
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

  const where = ["messages_fts MATCH ?"];
  const params: (string | number)[] = [OPEN, CLOSE, fts];
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
  if (opts.cursor) {
    const [rank, pk] = decodeCursor("search", opts.cursor, ["number", "number"] as const);
    where.push("(messages_fts.rank, m.pk) > (?, ?)");
    params.push(rank, pk);
  }
  const columns = MESSAGE_COLUMNS.split(", ")
    .map((c) => `m.${c}`)
    .join(", ");
  const rows = await ctx.db.read((q) =>
    q.all<HitRow>(
      `SELECT ${columns}, m.pk AS pk, messages_fts.rank AS rank,
              snippet(messages_fts, 0, ?, ?, '…', 16) AS snippet
       FROM messages_fts JOIN messages AS m ON m.pk = messages_fts.rowid
       WHERE ${where.join(" AND ")}
       ORDER BY messages_fts.rank, m.pk LIMIT ?`,
      [...params, limit + 1],
    ),
  );
  const items = rows.slice(0, limit).map((row) => {
    const parts = splitSnippet(row.snippet);
    return {
      message: toMessage(row),
      rank: Number(row.rank),
      snippetParts: parts,
      snippet: parts.map((p) => (p.match ? `${open}${p.text}${close}` : p.text)).join(""),
    };
  });
  const lastRow = rows[Math.min(rows.length, limit) - 1];
  return {
    items,
    nextCursor:
      rows.length > limit && lastRow
        ? encodeCursor([Number(lastRow.rank), Number(lastRow.pk)])
        : null,
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
