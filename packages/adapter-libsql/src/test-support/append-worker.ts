/**
 * A child process of remote-faults.test.ts: one store on a server, appending
 * `<writer>:<n>` (n = 1, 2, ...) to one session, each with that text as its
 * idempotency key, retrying a failed append with the same key until it is
 * acknowledged. Reports every acknowledgement and every failure (its error's
 * name and code, and how long the call took; a failed background indexing
 * pass as n 0) to the parent, and stops when
 * told, closing its store.
 */
import { LlmSessionsError, openStore, SqliteError } from "@llm-sessions/core";
import { libsql } from "../index.js";

/** What the worker is started with (JSON, its only argument). */
export interface AppendWorkerInput {
  readonly url: string;
  readonly sessionId: string;
  readonly writer: string;
  /** The store's pool acquire timeout: how long a call may wait for a connection. */
  readonly acquireTimeoutMs: number;
}

/** Messages to the parent. */
export type AppendWorkerMessage =
  | { type: "ready" }
  | { type: "acked"; n: number; ms: number }
  | { type: "failed"; n: number; ms: number; typed: boolean; name: string; code: string | null }
  | { type: "stopped"; last: number };

function failure(n: number, ms: number, error: unknown): AppendWorkerMessage {
  return {
    type: "failed",
    n,
    ms,
    typed: error instanceof LlmSessionsError,
    name: (error as Error | undefined)?.name ?? typeof error,
    code: error instanceof SqliteError ? error.code : null,
  };
}

const input = JSON.parse(process.argv[2] ?? "{}") as AppendWorkerInput;
const send = (message: AppendWorkerMessage) => process.send?.(message);
let stopping = false;
process.on("message", (message) => {
  if ((message as { type?: string }).type === "stop") stopping = true;
});

const store = await openStore({
  driver: libsql({ url: input.url }),
  pool: { acquireTimeoutMs: input.acquireTimeoutMs },
  // A background indexing pass that meets the outage: reported like a failed call (n 0).
  searchIndexing: { onError: (error) => send(failure(0, 0, error)) },
});
send({ type: "ready" });
let n = 1;
while (!stopping) {
  const content = `${input.writer}:${n}`;
  const started = performance.now();
  try {
    await store.messages.append(input.sessionId, [
      { role: "user", content, idempotencyKey: content },
    ]);
    send({ type: "acked", n, ms: performance.now() - started });
    n += 1;
  } catch (error) {
    send(failure(n, performance.now() - started, error));
    // The server is down: try again a moment later (same key, so never twice).
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
await store.close();
send({ type: "stopped", last: n - 1 });
process.disconnect?.();
