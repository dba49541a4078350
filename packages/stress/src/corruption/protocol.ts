import type { WorkerInput } from "../child/worker.js";
import type { Detection } from "./detect.js";

/** What the detecting process gets: the damaged file. */
export interface DetectWorkerInput extends WorkerInput {
  readonly path: string;
}

/** What it reports. */
export type DetectWorkerMessage =
  | { readonly type: "detection"; readonly detection: Detection }
  | { readonly type: "failed"; readonly message: string };
