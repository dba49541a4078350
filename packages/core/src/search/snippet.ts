import { randomBytes } from "node:crypto";

/** A part of a snippet: matched text or the text around it. */
export interface SnippetPart {
  /** The text of this part. */
  readonly text: string;
  /** Whether this part matched the query. */
  readonly match: boolean;
}

/** The strings SQLite's `snippet()` puts around each match, for one search. */
export interface SnippetMarkers {
  readonly open: string;
  readonly close: string;
}

/**
 * Fresh markers for one search. Content may hold any character (the
 * private-use ones included), so a fixed marker could be forged by a message
 * and would make its own characters vanish. These carry 128 random bits,
 * never shown to anyone: a message holds them only by guessing them.
 */
export function newSnippetMarkers(): SnippetMarkers {
  const nonce = randomBytes(16).toString("hex");
  return { open: `\u{F0001}${nonce}<`, close: `\u{F0001}${nonce}>` };
}

/** Splits `snippet()` output made with `markers` into parts; other text is kept as it is. */
export function splitSnippet(snippet: string, markers: SnippetMarkers): SnippetPart[] {
  const parts: SnippetPart[] = [];
  const push = (text: string, match: boolean) => {
    if (text) parts.push({ text, match });
  };
  let at = 0;
  for (;;) {
    const open = snippet.indexOf(markers.open, at);
    if (open === -1) break;
    const start = open + markers.open.length;
    const close = snippet.indexOf(markers.close, start);
    if (close === -1) break;
    push(snippet.slice(at, open), false);
    push(snippet.slice(start, close), true);
    at = close + markers.close.length;
  }
  push(snippet.slice(at), false);
  return parts;
}

/** The snippet as one string, each match between the caller's `open` and `close`. */
export function joinSnippet(parts: readonly SnippetPart[], open: string, close: string): string {
  return parts.map((p) => (p.match ? `${open}${p.text}${close}` : p.text)).join("");
}
