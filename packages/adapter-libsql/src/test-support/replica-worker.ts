/**
 * A child process of embedded-processes.test.ts: one store on an embedded
 * replica file of its own, appending `<writer>:<n>` (n = 1..appends, the
 * text also its idempotency key) to one session shared with the other
 * workers, through the primary. After every acknowledged append it reads
 * that message back at once, through `messages.list` and `last`'s session
 * counters (read-your-writes); every `retryEvery`-th append is sent again
 * with the same key, as a caller does whose acknowledgement was lost, and
 * must answer with the message already stored. Reports the counts and exits.
 */
import { openStore } from "@llm-sessions/core";
import { libsql } from "../index.js";

/** What the worker is started with (JSON, its only argument). */
export interface ReplicaWorkerInput {
  /** The worker's own replica file, as a `file:` URL. */
  readonly url: string;
  /** The primary's HTTP URL. */
  readonly syncUrl: string;
  readonly sessionId: string;
  readonly writer: string;
  readonly appends: number;
  readonly retryEvery: number;
}

/** The worker's one message to the parent. */
export interface ReplicaWorkerReport {
  readonly type: "done";
  readonly writer: string;
  readonly acked: number;
  /** Retried appends (same key again). */
  readonly retried: number;
  /** Acknowledged appends the worker could not read back at once. */
  readonly unreadAfterAck: string[];
  /** Retries that answered with another message than the first append stored. */
  readonly retryMismatches: string[];
}

const input = JSON.parse(process.argv[2] ?? "{}") as ReplicaWorkerInput;
const store = await openStore({
  driver: libsql({ url: input.url, syncUrl: input.syncUrl }),
  // Three processes queue on one primary: a call may wait for the others' transactions.
  pool: { acquireTimeoutMs: 60_000 },
});
const unreadAfterAck: string[] = [];
const retryMismatches: string[] = [];
let acked = 0;
let retried = 0;
try {
  for (let n = 1; n <= input.appends; n++) {
    const content = `${input.writer}:${n}`;
    const message = { role: "user" as const, content, idempotencyKey: content };
    const [stored] = await store.messages.append(input.sessionId, [message]);
    if (stored === undefined) throw new Error(`append of ${content} answered nothing`);
    acked += 1;
    // Read-your-writes: the acknowledged message, read at once (a reader connection).
    const page = await store.messages.list(input.sessionId, {
      afterSeq: stored.seq - 1,
      limit: 1,
    });
    const session = await store.sessions.get(input.sessionId);
    if (page.items[0]?.id !== stored.id || session.lastSeq < stored.seq) {
      unreadAfterAck.push(content);
    }
    if (n % input.retryEvery === 0) {
      retried += 1;
      const [again] = await store.messages.append(input.sessionId, [message]);
      if (again?.id !== stored.id || again.seq !== stored.seq) retryMismatches.push(content);
    }
  }
} finally {
  await store.close();
}
const report: ReplicaWorkerReport = {
  type: "done",
  writer: input.writer,
  acked,
  retried,
  unreadAfterAck,
  retryMismatches,
};
process.send?.(report);
process.disconnect?.();
