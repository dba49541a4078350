/** One word of a search string: the text to match, and whether it is a prefix (`pass*`). */
export interface SearchTerm {
  readonly text: string;
  readonly prefix: boolean;
}

/**
 * Splits a search string into the words FTS5 will match. NUL and other
 * control characters become spaces (they would end or break the query
 * string); a trailing `*` makes a prefix; a word with no letter, number or
 * private-use mark is dropped (the unicode61 tokenizer would make it an empty
 * phrase).
 */
export function searchTerms(input: string): SearchTerm[] {
  const words = input
    .replace(/[\p{Cc}\p{Cs}]/gu, " ")
    .normalize("NFC")
    .split(/\s+/u);
  const terms: SearchTerm[] = [];
  for (const word of words) {
    const prefix = /[^*]\*+$/u.test(word);
    const text = word.replace(/\*+$/u, "");
    if (!/[\p{L}\p{N}\p{Co}]/u.test(text)) continue;
    terms.push({ text, prefix });
  }
  return terms;
}

/** The FTS5 query for `terms`: every word a quoted phrase, all of them required. */
export function ftsQueryOf(terms: readonly SearchTerm[]): string | null {
  if (terms.length === 0) return null;
  return terms.map((t) => `"${t.text.replaceAll('"', '""')}"${t.prefix ? "*" : ""}`).join(" ");
}

/**
 * Turns any user string into a valid FTS5 query that means "all of these
 * words". User text never reaches FTS5 as syntax: every word becomes a quoted
 * phrase (inner quotes doubled), so `AND`, `OR`, `NOT`, `NEAR(`, `:`, `-`,
 * `^` and parentheses are just words. A trailing `*` on a word is kept as a
 * prefix search (`pass*` finds "password").
 *
 * Returns `null` when nothing searchable is left (only punctuation), which
 * the caller answers with an empty result.
 */
export function toFtsQuery(input: string): string | null {
  return ftsQueryOf(searchTerms(input));
}
