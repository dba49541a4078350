import type { WorkerInput } from "../child/worker.js";

/** What the parent gives the writer it is going to kill. */
export interface CrashWorkerInput extends WorkerInput {
  readonly path: string;
  /** `[0-9a-z]+`, unique per round: tags are made from it. */
  readonly writer: string;
  readonly seed: number;
  /** Sessions of earlier rounds to keep appending to. */
  readonly sessions: readonly string[];
  readonly durability: "normal" | "full";
}

/** Messages the writer sends: each one only after the store acknowledged it. */
export type CrashWorkerMessage =
  | { readonly type: "created"; readonly id: string }
  | { readonly type: "ready" }
  | {
      readonly type: "ack";
      readonly sessionId: string;
      readonly messages: [id: string, content: string][];
      /** How long the append took, in ms. */
      readonly ms: number;
    }
  | { readonly type: "failed"; readonly message: string };
