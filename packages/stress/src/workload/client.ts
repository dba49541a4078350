import {
  type Message,
  type NewMessage,
  SessionNotFoundError,
  type SessionStore,
  ValidationError,
} from "@llm-sessions/core";
import { describe, type LedgerSink, TagMaker, taggedContent } from "../invariants/index.js";
import type { LatencyRecorder } from "../suite/latency.js";
import type { Rng } from "../suite/rng.js";
import { type Operation, type OperationMix, WORDS } from "./mix.js";
import type { SessionSet } from "./session-set.js";

/** What a workload client needs. */
export interface ClientOptions {
  readonly store: SessionStore;
  /** Unique among the writers of one database, `[0-9a-z]+` (tags are made from it). */
  readonly writer: string;
  readonly rng: Rng;
  readonly sink: LedgerSink;
  readonly sessions: SessionSet;
  readonly mix: OperationMix;
  readonly latency: LatencyRecorder;
  /** A violation: the store broke a promise. */
  readonly fail: (message: string) => void;
  /** Errors the caller expects for this operation (e.g. archived sessions under a timeout policy). */
  readonly tolerate?: (error: unknown, op: Operation, sessionId: string | undefined) => boolean;
  /** Keep at least this many sessions (create first). Default 4. */
  readonly minSessions?: number;
  /** Keep at most this many sessions (delete first). Default unbounded. */
  readonly maxSessions?: number;
}

/** Counts of what a client did. */
export interface ClientStats {
  operations: number;
  /** Operations that failed in an expected way (a session deleted by another client). */
  expectedErrors: number;
  byOperation: Partial<Record<Operation, number>>;
}

/**
 * One simulated caller: each `step()` runs one operation of the mix against
 * the store, checks what it can check on the spot (seq order of reads, batch
 * sizes, search hits, retries returning the stored messages), and records
 * what the store acknowledged in the ledger sink. Errors it does not expect —
 * `SQLITE_BUSY` reaching it among them — are violations.
 */
export class WorkloadClient {
  readonly stats: ClientStats = { operations: 0, expectedErrors: 0, byOperation: {} };
  readonly #o: ClientOptions;
  readonly #tags: TagMaker;

  constructor(options: ClientOptions) {
    this.#o = options;
    this.#tags = new TagMaker(options.writer);
  }

  /** Runs one operation. Never throws: problems become violations. */
  async step(): Promise<void> {
    const { rng, sessions } = this.#o;
    let op: Operation = rng.weighted(this.#o.mix);
    if (sessions.size < (this.#o.minSessions ?? 4)) op = "create";
    else if (sessions.size > (this.#o.maxSessions ?? Number.POSITIVE_INFINITY)) op = "delete";
    const target = op === "create" ? undefined : sessions.pick(rng, { deletable: op === "delete" });
    if (op !== "create" && target === undefined) op = "create";
    this.stats.operations += 1;
    this.stats.byOperation[op] = (this.stats.byOperation[op] ?? 0) + 1;
    try {
      await this.#o.latency.time(() => this.#run(op, target as string));
    } catch (error) {
      if (this.#expected(error, op, target)) {
        this.stats.expectedErrors += 1;
        if (error instanceof SessionNotFoundError && target) sessions.remove(target);
      } else {
        this.#o.fail(`${op}${target ? ` on ${target}` : ""} failed: ${describe(error)}`);
      }
    }
  }

  #expected(error: unknown, op: Operation, target: string | undefined): boolean {
    if (this.#o.tolerate?.(error, op, target)) return true;
    if (error instanceof SessionNotFoundError && target !== undefined) {
      return this.#o.sessions.deletable(target);
    }
    // A fork at a seq read a moment ago, after a concurrent pop shortened the session.
    return op === "fork" && error instanceof ValidationError;
  }

  async #run(op: Operation, id: string): Promise<void> {
    const { store, sink, sessions, rng } = this.#o;
    switch (op) {
      case "create": {
        const s = await store.sessions.create({
          title: `client ${this.#o.writer}`,
          model: rng.pick(["gpt", "claude", "llama"]),
        });
        sink.created(s.id);
        sessions.add(s.id);
        return;
      }
      case "append":
        await this.#append(id, this.#messages(1, rng.chance(0.5) ? "some" : "none"));
        return;
      case "batch":
        await this.#append(id, this.#messages(rng.int(2, 5), rng.chance(0.5) ? "some" : "none"));
        return;
      case "retry": {
        const input = this.#messages(rng.int(1, 4), "all");
        const pops = sessions.pops(id);
        const first = await this.#append(id, input);
        const again = await store.messages.append(id, input);
        sink.appended(id, again);
        const popsKnown = sessions.popsKnown(id) && sessions.pops(id) === pops;
        if (popsKnown && !sameIds(first, again)) {
          this.#o.fail(
            `retry on ${id}: the retried append stored new messages (${ids(first)} then ${ids(again)})`,
          );
        }
        return;
      }
      case "last": {
        const n = rng.int(1, 60);
        const got = await store.messages.last(id, n);
        this.#expectRun(got, null, `last(${n}) on ${id}`);
        if (got.length > n) this.#o.fail(`last(${n}) on ${id} returned ${got.length} messages`);
        return;
      }
      case "list": {
        const afterSeq = rng.int(0, 20);
        const page = await store.messages.list(id, { afterSeq, limit: rng.int(1, 100) });
        this.#expectRun(page.items, afterSeq + 1, `list(afterSeq ${afterSeq}) on ${id}`);
        return;
      }
      case "search": {
        const word = rng.pick(WORDS);
        const hits = await store.search(word, { limit: 20 });
        for (const hit of hits.items) {
          if (!hit.message.content.split(" ").includes(word)) {
            this.#o.fail(`search ${word}: hit ${hit.message.id} does not contain it`);
          }
        }
        return;
      }
      case "pop": {
        const popped = await store.messages.pop(id);
        if (popped) {
          sessions.popped(id);
          sink.popped(id, popped);
        }
        return;
      }
      case "fork": {
        const last = await store.messages.last(id, 1);
        const top = last[0]?.seq ?? 0;
        const atSeq = rng.chance(0.5) ? rng.int(0, top) : undefined;
        const fork = await store.sessions.fork(id, atSeq === undefined ? {} : { atSeq });
        sink.created(fork.id, { fork: true });
        sessions.add(fork.id);
        if (atSeq !== undefined && (fork.messageCount !== atSeq || fork.lastSeq !== atSeq)) {
          this.#o.fail(
            `fork of ${id} at ${atSeq}: ${fork.messageCount} messages, lastSeq ${fork.lastSeq}`,
          );
        }
        return;
      }
      case "delete":
        await store.sessions.delete(id);
        sink.deleted(id);
        sessions.remove(id);
        return;
    }
  }

  async #append(id: string, input: NewMessage[]): Promise<Message[]> {
    const stored = await this.#o.store.messages.append(id, input);
    this.#o.sink.appended(id, stored);
    if (stored.length !== input.length) {
      this.#o.fail(`append of ${input.length} to ${id} returned ${stored.length} messages`);
    } else if (stored.some((m, i) => m.content !== input[i]?.content)) {
      this.#o.fail(`append to ${id} returned messages in another order or with other content`);
    } else if (stored.some((m, i) => i > 0 && m.seq !== (stored[i - 1]?.seq ?? 0) + 1)) {
      this.#o.fail(`append to ${id}: a batch got seqs ${stored.map((m) => m.seq).join(",")}`);
    }
    return stored;
  }

  #messages(count: number, keys: "none" | "some" | "all"): NewMessage[] {
    const rng = this.#o.rng;
    const batch = count > 1 ? this.#tags.batch(count) : null;
    return Array.from({ length: count }, () => {
      const tag = this.#tags.tag();
      return {
        role: rng.pick(["user", "assistant", "tool"] as const),
        content: taggedContent(tag, batch, `${rng.pick(WORDS)} ${rng.pick(WORDS)}`),
        tokens: rng.int(0, 200),
        ...(keys === "all" || (keys === "some" && rng.chance(0.7))
          ? { idempotencyKey: `k${tag}` }
          : {}),
      };
    });
  }

  /** Messages a read returned must have consecutive seqs (from `from`, when given). */
  #expectRun(messages: readonly Message[], from: number | null, what: string): void {
    const seqs = messages.map((m) => m.seq);
    const start = from ?? seqs[0] ?? 0;
    if (seqs.some((seq, i) => seq !== start + i)) {
      this.#o.fail(`${what}: seqs are not consecutive: ${seqs.slice(0, 20).join(",")}`);
    }
  }
}

function sameIds(a: readonly Message[], b: readonly Message[]): boolean {
  return a.length === b.length && a.every((m, i) => m.id === b[i]?.id);
}

function ids(messages: readonly Message[]): string {
  return messages.map((m) => m.id).join(",");
}
