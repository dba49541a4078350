import { type Message, SessionNotFoundError, type Store } from "@llm-sessions/core";
import type { Rng } from "../suite/rng.js";
import type { Ledger, LedgerSession } from "./ledger.js";
import { parseContent } from "./tags.js";

/** Options of {@link checkInvariants}. */
export interface InvariantOptions {
  /** Acknowledged messages to look up through search (FTS seen from the API). Default 20. */
  readonly searchSample?: number;
  /** Picks the search sample; default: the first ones. */
  readonly rng?: Rng;
  /** Stop listing problems after this many. Default 50. */
  readonly maxProblems?: number;
}

/**
 * The invariant check every suite ends with (and the crash suite runs after
 * every kill): the store's integrity check in full — SQLite's
 * `integrity_check`, foreign keys, counters equal rows, gap-free seq, no
 * orphans, the FTS index equal to the table — and, against the ledger, every
 * acknowledged message present exactly once, every batch all or nothing,
 * popped and deleted things gone, and each session's counters as the API
 * shows them equal to the messages it lists. Returns the problems found
 * (empty when sound); never throws for a finding.
 */
export async function checkInvariants(
  store: Store,
  ledger?: Ledger,
  options: InvariantOptions = {},
): Promise<string[]> {
  const problems: string[] = [];
  const max = options.maxProblems ?? 50;
  const report = await store.integrity.check({ full: true });
  for (const f of report.findings) {
    problems.push(`integrity ${f.check}: ${f.message} (${f.count}): ${f.sample.join("; ")}`);
  }
  if (!ledger) return problems;
  const searchable: { sessionId: string; tag: string }[] = [];
  for (const [id, session] of ledger.sessions) {
    if (problems.length >= max) break;
    if (session.deleted) {
      await expectGone(store, id, problems);
      continue;
    }
    await checkSession(store, id, session, problems, searchable);
  }
  await checkSearch(store, pickSample(searchable, options), problems);
  return problems.slice(0, max);
}

async function expectGone(store: Store, id: string, problems: string[]): Promise<void> {
  try {
    await store.sessions.get(id);
    problems.push(`session ${id} was deleted but can still be read`);
  } catch (error) {
    if (!(error instanceof SessionNotFoundError)) {
      problems.push(`session ${id}: reading a deleted session failed with ${describe(error)}`);
    }
  }
}

async function checkSession(
  store: Store,
  id: string,
  session: LedgerSession,
  problems: string[],
  searchable: { sessionId: string; tag: string }[],
): Promise<void> {
  let info: Awaited<ReturnType<Store["sessions"]["get"]>>;
  let messages: Message[];
  try {
    info = await store.sessions.get(id);
    messages = await listAll(store, id);
  } catch (error) {
    problems.push(`session ${id} (acknowledged, not deleted) cannot be read: ${describe(error)}`);
    return;
  }
  const where = `session ${id}${info.status === "archived" ? " (archived)" : ""}`;
  // Counters and seq as the API shows them (archived sessions included).
  const seqs = messages.map((m) => m.seq);
  if (seqs.some((seq, i) => seq !== i + 1)) {
    problems.push(`${where}: seq is not 1..n: ${seqs.slice(0, 20).join(",")}`);
  }
  const tokens = messages.reduce((sum, m) => sum + (m.tokens ?? 0), 0);
  if (
    info.messageCount !== messages.length ||
    info.lastSeq !== (seqs[seqs.length - 1] ?? 0) ||
    info.tokenCount !== tokens
  ) {
    problems.push(
      `${where}: counters (messages ${info.messageCount}, lastSeq ${info.lastSeq}, tokens ${info.tokenCount}) differ from its messages (${messages.length}, ${seqs[seqs.length - 1] ?? 0}, ${tokens})`,
    );
  }
  // Exactly once; popped gone; batches whole.
  const present = new Map<string, string[]>();
  const batchTags = new Map<string, { size: number; tags: Set<string> }>();
  for (const m of messages) {
    const parsed = parseContent(m.content);
    if (!parsed) continue;
    present.set(parsed.tag, [...(present.get(parsed.tag) ?? []), m.id]);
    const batch = parsed.batch;
    if (batch && (!session.fork || session.batches.has(batch.token))) {
      const b = batchTags.get(batch.token) ?? { size: batch.size, tags: new Set<string>() };
      b.tags.add(parsed.tag);
      batchTags.set(batch.token, b);
    }
  }
  for (const [tag, ids] of present) {
    if (ids.length > 1) problems.push(`${where}: message ${tag} is stored ${ids.length} times`);
  }
  for (const [tag, ids] of session.acked) {
    const live = [...ids].filter((id) => !session.popped.has(id));
    const found = present.get(tag) ?? [];
    if (live.length === 0) continue; // every copy was popped: checked below
    if (found.length !== 1 || !live.includes(found[0] as string)) {
      problems.push(
        `${where}: acknowledged message ${tag} (id ${live.join("/")}) is present ${found.length} times${found.length ? ` as ${found.join("/")}` : ""}`,
      );
    } else if (info.status !== "archived") {
      searchable.push({ sessionId: id, tag });
    }
  }
  for (const [messageId, { tag }] of session.popped) {
    if ((present.get(tag) ?? []).includes(messageId)) {
      problems.push(`${where}: popped message ${tag} (id ${messageId}) is still present`);
    }
  }
  for (const { batch, tag } of session.popped.values()) {
    if (!batch || (session.fork && !session.batches.has(batch.token))) continue;
    const b = batchTags.get(batch.token) ?? { size: batch.size, tags: new Set<string>() };
    b.tags.add(tag);
    batchTags.set(batch.token, b);
  }
  for (const [token, b] of batchTags) {
    if (b.tags.size !== b.size) {
      problems.push(
        `${where}: batch ${token} is partial: ${b.tags.size} of ${b.size} messages present or popped`,
      );
    }
  }
}

async function checkSearch(
  store: Store,
  sample: { sessionId: string; tag: string }[],
  problems: string[],
): Promise<void> {
  for (const { sessionId, tag } of sample) {
    try {
      const hits = await store.search(tag, { sessionId, limit: 10 });
      const found = hits.items.filter((h) => parseContent(h.message.content)?.tag === tag);
      if (found.length !== 1) {
        problems.push(`search for ${tag} in session ${sessionId} found it ${found.length} times`);
      }
    } catch (error) {
      // The session may have been archived or deleted by a sweep since it was listed.
      if (!(error instanceof SessionNotFoundError)) {
        problems.push(`search for ${tag} failed: ${describe(error)}`);
      }
    }
  }
}

function pickSample<T>(items: T[], options: InvariantOptions): T[] {
  const n = Math.min(items.length, options.searchSample ?? 20);
  if (!options.rng) return items.slice(0, n);
  const rng = options.rng;
  return Array.from({ length: n }, () => rng.pick(items));
}

/** Every message of a session, in seq order, through the public API. */
export async function listAll(store: Store, sessionId: string): Promise<Message[]> {
  const all: Message[] = [];
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<Store["messages"]["list"]>> = await store.messages.list(
      sessionId,
      { limit: 1000, cursor },
    );
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

/** An error in one line: class, code and message. */
export function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.name}${typeof code === "string" ? ` [${code}]` : ""}: ${error.message}`;
  }
  return String(error);
}
