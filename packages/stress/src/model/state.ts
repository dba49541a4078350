import type { MessageRole } from "@llm-sessions/core";

/** The lifecycle policy the model test opens its stores with. */
export const MODEL_POLICY = {
  idleAfterMs: 1_000,
  archiveAfterMs: 5_000,
  purgeAfterMs: 20_000,
} as const;

/** A message as the model holds it. `id` is `null` for fork copies (their ids are new and unknown). */
export interface ModelMessage {
  id: string | null;
  readonly seq: number;
  readonly role: MessageRole;
  readonly content: string;
  readonly tokens: number | null;
  readonly idempotencyKey: string | null;
  readonly createdAt: number;
}

/** A session as the model holds it. */
export interface ModelSession {
  readonly id: string;
  title: string | null;
  status: "active" | "idle" | "archived";
  messages: ModelMessage[];
  readonly createdAt: number;
  updatedAt: number;
  lastActivityAt: number;
  archivedAt: number | null;
  parentId: string | null;
  readonly parentSeq: number | null;
}

/** What the model predicts an operation fails with. */
export type ModelFailure = "not-found" | "archived" | "validation" | "idempotency-conflict";

/** Thrown by the model to predict a failure; the state is unchanged. */
export class Predicted extends Error {
  readonly kind: ModelFailure;
  constructor(kind: ModelFailure) {
    super(`predicted ${kind}`);
    this.kind = kind;
  }
}

/** A message to append, as the command generated it. */
export interface ModelInput {
  readonly role: MessageRole;
  readonly content: string;
  readonly tokens: number | null;
  readonly idempotencyKey: string | null;
}

/**
 * A plain in-memory model of the store's rules: sessions, messages with
 * gap-free seq, idempotency keys, pop, fork, update, delete (forks lose
 * their parent), archive/restore, and the idle/archive/purge policy at the
 * model's clock. Every method either changes the state and returns what the
 * store should return, or throws `Predicted` and changes nothing.
 */
export class StoreModel {
  now: number;
  readonly sessions = new Map<string, ModelSession>();
  /** Ids in creation order (deleted ones removed): commands pick sessions by index. */
  readonly order: string[] = [];
  /** Deleted or purged ids: the store must answer them with SessionNotFoundError. */
  readonly gone: string[] = [];

  constructor(now: number) {
    this.now = now;
  }

  /** The live session at `pick` (modulo the count); undefined when there is none. */
  at(pick: number): ModelSession | undefined {
    const id = this.order[pick % Math.max(1, this.order.length)];
    return id === undefined ? undefined : this.sessions.get(id);
  }

  #get(id: string): ModelSession {
    const s = this.sessions.get(id);
    if (!s) throw new Predicted("not-found");
    return s;
  }

  #writable(id: string): ModelSession {
    const s = this.#get(id);
    if (s.status === "archived") throw new Predicted("archived");
    return s;
  }

  create(id: string, title: string | null): ModelSession {
    const s: ModelSession = {
      id,
      title,
      status: "active",
      messages: [],
      createdAt: this.now,
      updatedAt: this.now,
      lastActivityAt: this.now,
      archivedAt: null,
      parentId: null,
      parentSeq: null,
    };
    this.sessions.set(id, s);
    this.order.push(id);
    return s;
  }

  /**
   * Appends in order, all or nothing; a key the session has (or this batch
   * stored) returns the stored message when the message is the same, and
   * refuses the whole batch when it differs.
   */
  append(id: string, input: readonly ModelInput[]): ModelMessage[] {
    const s = this.#writable(id);
    const keyed = [...s.messages];
    for (const m of input) {
      const existing =
        m.idempotencyKey === null
          ? undefined
          : keyed.find((x) => x.idempotencyKey === m.idempotencyKey);
      if (!existing) {
        keyed.push({ ...m, id: null, seq: 0, createdAt: 0 });
        continue;
      }
      const same =
        existing.role === m.role && existing.content === m.content && existing.tokens === m.tokens;
      if (!same) throw new Predicted("idempotency-conflict");
    }
    const out: ModelMessage[] = [];
    for (const m of input) {
      const existing =
        m.idempotencyKey === null
          ? undefined
          : s.messages.find((x) => x.idempotencyKey === m.idempotencyKey);
      if (existing) {
        out.push(existing);
        continue;
      }
      const stored: ModelMessage = {
        id: null,
        seq: lastSeq(s) + 1,
        role: m.role,
        content: m.content,
        tokens: m.tokens,
        idempotencyKey: m.idempotencyKey,
        createdAt: this.now,
      };
      s.messages.push(stored);
      s.lastActivityAt = Math.max(s.lastActivityAt, this.now);
      if (s.status === "idle") s.status = "active";
      out.push(stored);
    }
    return out;
  }

  pop(id: string): ModelMessage | null {
    const s = this.#writable(id);
    const last = s.messages.pop();
    if (!last) return null;
    s.updatedAt = this.now;
    return last;
  }

  /** A fork with copies of the first `atSeq` messages; `undefined` means all. */
  fork(id: string, newId: string, atSeq: number | undefined): ModelSession {
    const parent = this.#writable(id);
    const at = atSeq ?? lastSeq(parent);
    if (at > lastSeq(parent)) throw new Predicted("validation");
    const s: ModelSession = {
      ...this.create(newId, parent.title),
      parentId: parent.id,
      parentSeq: at,
    };
    s.messages = parent.messages.filter((m) => m.seq <= at).map((m) => ({ ...m, id: null }));
    this.sessions.set(newId, s);
    return s;
  }

  update(id: string, title: string | null): ModelSession {
    const s = this.#writable(id);
    s.title = title;
    s.updatedAt = this.now;
    return s;
  }

  delete(id: string): void {
    this.#get(id);
    this.#remove(id);
  }

  /** Archives now (whatever the inactivity); archiving an archived session changes nothing. */
  archive(id: string): ModelSession {
    const s = this.#get(id);
    if (s.status !== "archived") {
      s.status = "archived";
      s.archivedAt = this.now;
    }
    return s;
  }

  /** Restores an archived session (its fields as they were); others are unchanged. */
  restore(id: string): ModelSession {
    const s = this.#get(id);
    if (s.status === "archived") {
      s.status = "active";
      s.archivedAt = null;
    }
    return s;
  }

  touch(id: string): ModelSession {
    const s = this.#writable(id);
    s.status = "active";
    s.lastActivityAt = Math.max(s.lastActivityAt, this.now);
    return s;
  }

  /** The policy at the model's clock: purge, then archive, then idle. */
  sweep(): { idled: number; archived: number; purged: number } {
    const since = (s: ModelSession) => this.now - s.lastActivityAt;
    let purged = 0;
    let archived = 0;
    let idled = 0;
    for (const s of [...this.sessions.values()]) {
      if (since(s) >= MODEL_POLICY.purgeAfterMs) {
        this.#remove(s.id);
        purged += 1;
      }
    }
    for (const s of this.sessions.values()) {
      if (s.status !== "archived" && since(s) >= MODEL_POLICY.archiveAfterMs) {
        s.status = "archived";
        s.archivedAt = this.now;
        archived += 1;
      }
    }
    for (const s of this.sessions.values()) {
      if (s.status === "active" && since(s) >= MODEL_POLICY.idleAfterMs) {
        s.status = "idle";
        idled += 1;
      }
    }
    return { idled, archived, purged };
  }

  /** Messages of non-archived sessions whose content has `word` as a word. */
  search(word: string): { sessionId: string; seq: number }[] {
    const hits: { sessionId: string; seq: number }[] = [];
    for (const s of this.sessions.values()) {
      if (s.status === "archived") continue;
      for (const m of s.messages) {
        if (
          m.content
            .toLowerCase()
            .split(/[^\p{L}\p{N}]+/u)
            .includes(word.toLowerCase())
        ) {
          hits.push({ sessionId: s.id, seq: m.seq });
        }
      }
    }
    return hits;
  }

  #remove(id: string): void {
    this.sessions.delete(id);
    this.order.splice(this.order.indexOf(id), 1);
    this.gone.push(id);
    for (const other of this.sessions.values()) {
      if (other.parentId === id) other.parentId = null;
    }
  }
}

/** The seq of a session's newest message (0 when empty). */
export function lastSeq(s: ModelSession): number {
  return s.messages[s.messages.length - 1]?.seq ?? 0;
}
