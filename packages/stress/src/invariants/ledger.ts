import { type BatchMark, parseContent } from "./tags.js";

/** A stored message as the ledger sees it. */
export interface LedgerMessage {
  /** The message id the store assigned. */
  readonly id: string;
  /** The stored content; the ledger tracks messages by the tag (and batch mark) at its start. */
  readonly content: string;
}

/** What the ledger knows of one session. */
export interface LedgerSession {
  /** Made by `fork`: its history holds copies of another session's messages. */
  readonly fork: boolean;
  deleted: boolean;
  /** Tag → ids an acknowledged append stored it under (a retry after a pop stores it again). */
  readonly acked: Map<string, Set<string>>;
  /** Batch tokens appended to this session directly (not copied by a fork). */
  readonly batches: Set<string>;
  /** Ids `pop` removed, with their tag and batch. */
  readonly popped: Map<string, { readonly tag: string; readonly batch: BatchMark | null }>;
}

/** Where writers record what the store acknowledged: a `Ledger`, or a child's `LedgerRecord`. */
export interface LedgerSink {
  /** A session whose `create` (or `fork`) resolved. */
  created(sessionId: string, options?: { fork?: boolean }): void;
  /** The messages an `append` resolved with. */
  appended(sessionId: string, messages: readonly LedgerMessage[]): void;
  /** The message `pop` removed and returned. */
  popped(sessionId: string, message: LedgerMessage): void;
  /** A session whose `delete` resolved (or that a purge removed). */
  deleted(sessionId: string): void;
}

/**
 * What the store acknowledged: sessions created, messages whose append
 * resolved, messages `pop` returned, sessions deleted. The invariant check
 * holds the store to it: every acknowledged message that was not popped or
 * deleted is present exactly once. Recording is order-independent (ids, not
 * order, decide), so concurrent writers and child processes can record in
 * any order.
 */
export class Ledger implements LedgerSink {
  /** What is known of each session, by session id. */
  readonly sessions = new Map<string, LedgerSession>();

  created(sessionId: string, options: { fork?: boolean } = {}): void {
    this.#session(sessionId, options.fork ?? false);
  }

  appended(sessionId: string, messages: readonly LedgerMessage[]): void {
    const session = this.#session(sessionId, false);
    if (session.deleted) return;
    for (const m of messages) {
      const parsed = parseContent(m.content);
      if (!parsed) continue;
      let ids = session.acked.get(parsed.tag);
      if (!ids) {
        ids = new Set();
        session.acked.set(parsed.tag, ids);
      }
      ids.add(m.id);
      if (parsed.batch) session.batches.add(parsed.batch.token);
    }
  }

  popped(sessionId: string, message: LedgerMessage): void {
    const parsed = parseContent(message.content);
    const session = this.#session(sessionId, false);
    if (parsed && !session.deleted) {
      session.popped.set(message.id, { tag: parsed.tag, batch: parsed.batch });
    }
  }

  deleted(sessionId: string): void {
    const session = this.#session(sessionId, false);
    session.deleted = true;
    session.acked.clear();
    session.batches.clear();
    session.popped.clear();
  }

  /** Forgets a deleted session altogether (keeps a long soak's ledger bounded). */
  forget(sessionId: string): void {
    this.sessions.delete(sessionId);
  }

  /** Acknowledged messages of live sessions. */
  get ackedCount(): number {
    let n = 0;
    for (const s of this.sessions.values()) n += s.acked.size;
    return n;
  }

  /** Applies what another writer (a child process) recorded. */
  merge(record: LedgerRecord): void {
    for (const s of record.created) this.created(s.id, { fork: s.fork });
    for (const a of record.appended) {
      this.appended(
        a.sessionId,
        a.messages.map(([id, content]) => ({ id, content })),
      );
    }
    for (const p of record.popped) this.popped(p.sessionId, { id: p.id, content: p.content });
    for (const id of record.deleted) this.deleted(id);
  }

  #session(id: string, fork: boolean): LedgerSession {
    let session = this.sessions.get(id);
    if (!session) {
      session = { fork, deleted: false, acked: new Map(), batches: new Set(), popped: new Map() };
      this.sessions.set(id, session);
    }
    return session;
  }
}

/** A ledger as JSON: what a child process was acknowledged, for the parent to merge. */
export interface LedgerRecord {
  /** Sessions whose `create` (or `fork`) resolved. */
  created: {
    /** The session's id. */
    id: string;
    /** True when it was made by `fork`. */
    fork: boolean;
  }[];
  /** Appends that resolved, one entry per call. */
  appended: {
    /** The session appended to. */
    sessionId: string;
    /** The stored messages, as `[id, content]` pairs. */
    messages: [id: string, content: string][];
  }[];
  /** Messages `pop` removed and returned. */
  popped: {
    /** The session popped from. */
    sessionId: string;
    /** The removed message's id. */
    id: string;
    /** The removed message's content. */
    content: string;
  }[];
  /** Ids of sessions whose `delete` resolved (or that a purge removed). */
  deleted: string[];
}

/** A `LedgerSink` that fills a `LedgerRecord` (in a child process). */
export class RecordingSink implements LedgerSink {
  /** What was recorded so far; sent to the parent, which merges it into its `Ledger`. */
  readonly record: LedgerRecord = { created: [], appended: [], popped: [], deleted: [] };

  created(sessionId: string, options: { fork?: boolean } = {}): void {
    this.record.created.push({ id: sessionId, fork: options.fork ?? false });
  }

  appended(sessionId: string, messages: readonly LedgerMessage[]): void {
    this.record.appended.push({ sessionId, messages: messages.map((m) => [m.id, m.content]) });
  }

  popped(sessionId: string, message: LedgerMessage): void {
    this.record.popped.push({ sessionId, id: message.id, content: message.content });
  }

  deleted(sessionId: string): void {
    this.record.deleted.push(sessionId);
  }
}
