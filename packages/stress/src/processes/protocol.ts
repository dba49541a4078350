import type { WorkerInput } from "../child/worker.js";
import type { LedgerRecord } from "../invariants/index.js";

/** What the parent gives each worker process. */
export interface ProcessWorkerInput extends WorkerInput {
  readonly path: string;
  /** `[0-9a-z]+`, unique per worker: its messages' tags are made from it. */
  readonly writer: string;
  readonly seed: number;
  readonly operations: number;
  /** Sessions every worker appends to (none deletes them). */
  readonly shared: readonly string[];
}

/** Messages a worker sends. */
export type ProcessWorkerMessage =
  | { readonly type: "ready" }
  | { readonly type: "progress"; readonly done: number }
  | {
      readonly type: "done";
      readonly record: LedgerRecord;
      readonly operations: number;
      readonly violations: string[];
      readonly busyErrors: number;
      readonly latencies: number[];
    }
  | { readonly type: "failed"; readonly message: string };

/** What the parent sends a worker once every worker is ready. */
export interface GoMessage {
  readonly type: "go";
}
