/**
 * The synthetic corpus every case reads and writes: deterministic, so the
 * store, the raw drivers and the peer see the same data, and a template built
 * once can be reused by later runs.
 *
 * - Sessions hold 200 messages each. Sessions are created in groups of 64
 *   that are active at the same time, so the messages of one session are
 *   interleaved with 63 others in the table (as in a router serving many
 *   conversations at once): reading one session's last 50 touches ~50 pages.
 * - Every message is 400 bytes of ASCII text made of filler words (a
 *   Zipf-like draw from 3,000 made-up words of consonant-vowel syllables) and
 *   marker words that never occur in the filler (each has a doubled
 *   consonant or a consonant cluster, which the syllables cannot produce):
 *   - `kettle` and `gossip`: each in 5% of messages, independently (the
 *     "common words" query matches ~0.25%);
 *   - `lantern` and `harbor`: both in the same 5% of messages (an
 *     informational worst case: the query matches 5%);
 *   - `quokka` and `zeppelin`: both in the same 0.05% (the "rare words" query).
 */

export const MESSAGES_PER_SESSION = 200;
/** Sessions active at the same time while seeding (their messages interleave). */
export const ACTIVE_SESSIONS = 64;
export const CONTENT_BYTES = 400;
/** The first message's time; one message per second after it. */
export const BASE_TIME = Date.UTC(2025, 0, 1);

export const QUERIES = {
  rare: "quokka zeppelin",
  common: "kettle gossip",
  cooccurring: "lantern harbor",
} as const;
export type QueryName = keyof typeof QUERIES;

/** How a template with `messages` messages is laid out. */
export interface Layout {
  readonly messages: number;
  readonly sessions: number;
}

export function layoutOf(messages: number): Layout {
  return { messages, sessions: Math.max(1, Math.ceil(messages / MESSAGES_PER_SESSION)) };
}

/** Which session, and which seq in it, the `j`-th seeded message belongs to. */
export function placeMessage(layout: Layout, j: number): { session: number; seq: number } {
  const group = Math.floor(j / (ACTIVE_SESSIONS * MESSAGES_PER_SESSION));
  const inGroup = j % (ACTIVE_SESSIONS * MESSAGES_PER_SESSION);
  const groupStart = group * ACTIVE_SESSIONS;
  const groupSize = Math.min(ACTIVE_SESSIONS, layout.sessions - groupStart);
  return {
    session: groupStart + (inGroup % groupSize),
    seq: Math.floor(inGroup / groupSize) + 1,
  };
}

/** A 32-bit integer hash (splitmix-like), the source of every "random" choice here. */
export function hash32(a: number, b = 0): number {
  let h = (Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

const CONSONANTS = "bdfgklmnprstvz";
const VOWELS = "aeiou";
const FILLER: readonly string[] = Array.from({ length: 3000 }, (_, i) => {
  const syllables = 1 + (hash32(i, 1) % 3);
  let word = "";
  for (let s = 0; s < syllables; s++) {
    const h = hash32(i, 10 + s);
    word += CONSONANTS[h % CONSONANTS.length];
    word += VOWELS[(h >>> 8) % VOWELS.length];
  }
  return word;
});

/** The content of message number `j` (seeded or appended later): 400 ASCII bytes. */
export function contentOf(j: number): string {
  const words: string[] = [];
  if (hash32(j, 101) % 20 === 0) words.push("kettle");
  if (hash32(j, 102) % 20 === 0) words.push("gossip");
  if (hash32(j, 103) % 20 === 0) words.push("lantern", "harbor");
  if (hash32(j, 104) % 2000 === 0) words.push("quokka", "zeppelin");
  let text = words.join(" ");
  for (let k = 0; text.length < CONTENT_BYTES; k++) {
    // Zipf-like: small indexes (frequent words) far more often than large ones.
    const u = hash32(j, 1000 + k) / 0x1_0000_0000;
    const word = FILLER[Math.floor(u * u * u * FILLER.length)] as string;
    text = text.length === 0 ? word : `${text} ${word}`;
  }
  return text.slice(0, CONTENT_BYTES);
}

/** A UUIDv7-shaped id for time `ms`, deterministic in (`ms`, `salt`). */
export function idAt(ms: number, salt: number): string {
  const hex = ms.toString(16).padStart(12, "0");
  const r1 = hash32(salt, 7).toString(16).padStart(8, "0");
  const r2 = hash32(salt, 8).toString(16).padStart(8, "0");
  const r3 = hash32(salt, 9).toString(16).padStart(8, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${r1.slice(0, 3)}-${((Number.parseInt(r1.slice(3, 4), 16) & 0x3) | 0x8).toString(16)}${r1.slice(4, 7)}-${r2}${r3.slice(0, 4)}`;
}

/** The time of seeded message `j`. */
export const messageTime = (j: number): number => BASE_TIME + j * 1000;

/** The id of seeded session `i` (created at the time of its first message). */
export function sessionIdOf(i: number): string {
  return idAt(messageTime(firstMessageOf(i)), 1_000_000_000 + i);
}

/** The index of the first seeded message of session `i`. */
export function firstMessageOf(i: number): number {
  const group = Math.floor(i / ACTIVE_SESSIONS);
  return group * ACTIVE_SESSIONS * MESSAGES_PER_SESSION + (i % ACTIVE_SESSIONS);
}

export const MODELS = ["gpt-4o", "claude-sonnet", "llama-3-70b", "mistral-large"] as const;

/** `count` session indexes spread evenly over the layout, offset by `phase` (0..1). */
export function spread(layout: Layout, count: number, phase: number): number[] {
  const n = Math.min(count, layout.sessions);
  const out: number[] = [];
  for (let k = 0; k < n; k++) {
    out.push(Math.floor(((k + phase) * layout.sessions) / n) % layout.sessions);
  }
  return [...new Set(out)];
}

/** Human form of a message count: 10k, 1M. */
export function sizeLabel(n: number): string {
  if (n >= 1_000_000 && n % 1_000_000 === 0) return `${n / 1_000_000}M`;
  if (n >= 1000 && n % 1000 === 0) return `${n / 1000}k`;
  return String(n);
}

/** Mastra keeps a message as its v2 JSON: the text is one part. */
export function mastraContent(text: string): string {
  return JSON.stringify({ format: 2, parts: [{ type: "text", text }] });
}

/** Mastra threads belong to a resource (a user); one per 10 sessions here. */
export const resourceOf = (session: number): string => `user-${Math.floor(session / 10)}`;
