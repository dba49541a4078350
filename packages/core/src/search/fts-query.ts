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
  const words = input
    // NUL and other control characters would end or break the query string.
    .replace(/[\p{Cc}\p{Cs}]/gu, " ")
    .normalize("NFC")
    .split(/\s+/u);
  const phrases: string[] = [];
  for (const word of words) {
    const prefix = /[^*]\*+$/u.test(word);
    const core = word.replace(/\*+$/u, "");
    // The unicode61 tokenizer keeps letters, numbers and private-use marks; a
    // word without any of them would become an empty phrase.
    if (!/[\p{L}\p{N}\p{Co}]/u.test(core)) continue;
    phrases.push(`"${core.replaceAll('"', '""')}"${prefix ? "*" : ""}`);
  }
  return phrases.length > 0 ? phrases.join(" ") : null;
}
