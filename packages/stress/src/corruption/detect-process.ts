import { spawnWorker, workerFile } from "../child/spawn.js";
import type { SuiteContext } from "../suite/context.js";
import type { Detection } from "./detect.js";
import type { DetectWorkerInput, DetectWorkerMessage } from "./protocol.js";

/**
 * Runs the detection in a child process: the application that meets the
 * damage is not the process that restores the backup (the operator stops it
 * first), and a process that met damage may hold the file until it exits.
 */
export async function detectElsewhere(ctx: SuiteContext, path: string): Promise<Detection> {
  const worker = spawnWorker<DetectWorkerMessage, DetectWorkerInput>(
    workerFile(import.meta.url, "./worker.js"),
    { adapter: ctx.adapter, path },
  );
  try {
    const message = await worker.waitFor(
      (m): m is Extract<DetectWorkerMessage, { type: "detection" }> => m.type === "detection",
      120_000,
    );
    await worker.exited;
    return message.detection;
  } finally {
    await worker.kill();
  }
}
