import { ValidationError, type ValidationIssue } from "../errors.js";
import type { SearchTerm } from "./fts-query.js";

/**
 * The most work one `search` call may ask for. Each bound is a
 * `ValidationError` when exceeded, before any SQL runs.
 *
 * - Words: FTS5 reads one list of documents per word; a thousand one-letter
 *   words would read the whole index a thousand times.
 * - Prefix words (`pass*`): FTS5 expands a prefix to every indexed word that
 *   starts with it and merges their lists before it can return the first row,
 *   whatever the page size: a one-letter prefix reads a large share of the
 *   index. So prefixes have a minimum length, and only a few per query.
 * - Page size: every hit of a page costs a row read and a snippet (which
 *   re-tokenizes the message), so a page is capped below `maxPageSize`.
 */
export const SEARCH_BOUNDS = {
  /** Words in one query. */
  maxTerms: 16,
  /** Prefix words (`word*`) in one query. */
  maxPrefixTerms: 2,
  /** Characters (code points) before a prefix's `*`. */
  minPrefixLength: 3,
  /** Hits per page (the store's `maxPageSize` applies too, when smaller). */
  maxPageSize: 200,
} as const;

/** The tokens FTS5's unicode61 tokenizer makes of `text`: runs of letters, numbers and private-use characters. */
function tokensOf(text: string): string[] {
  return text.match(/[\p{L}\p{N}\p{Co}]+/gu) ?? [];
}

/** Throws a `ValidationError` when `terms` or `limit` ask for more than `SEARCH_BOUNDS` allows. */
export function checkSearchBounds(terms: readonly SearchTerm[], limit: number): void {
  const issues: ValidationIssue[] = [];
  const b = SEARCH_BOUNDS;
  // FTS5 reads a list per token, and `a-b-c` is one quoted word of three tokens.
  const tokens = terms.reduce((n, t) => n + tokensOf(t.text).length, 0);
  if (tokens > b.maxTerms) {
    issues.push({ path: "text", message: `must have at most ${b.maxTerms} words` });
  }
  const prefixes = terms.filter((t) => t.prefix);
  if (prefixes.length > b.maxPrefixTerms) {
    issues.push({
      path: "text",
      message: `must have at most ${b.maxPrefixTerms} prefix words (word*)`,
    });
  }
  // The prefix is the last token: `x-l*` is a one-letter prefix.
  const short = prefixes.find(
    (t) => [...(tokensOf(t.text).at(-1) ?? "")].length < b.minPrefixLength,
  );
  if (short) {
    issues.push({
      path: "text",
      message: `a prefix word needs at least ${b.minPrefixLength} characters before * (got "${short.text}*")`,
    });
  }
  if (limit > b.maxPageSize) {
    issues.push({ path: "limit", message: `must be at most ${b.maxPageSize} for search` });
  }
  if (issues.length > 0) throw new ValidationError("search", issues);
}
