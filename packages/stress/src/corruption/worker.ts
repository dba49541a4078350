import { createDriver } from "../adapters/index.js";
import { runWorker } from "../child/worker.js";
import { detect } from "./detect.js";
import type { DetectWorkerInput, DetectWorkerMessage } from "./protocol.js";

/**
 * Opens a damaged database in a process of its own, as the application that
 * meets the damage would, reports what the store said, and exits — as that
 * application would before an operator restores the backup.
 */
runWorker<DetectWorkerInput, DetectWorkerMessage>(async (input, send) => {
  const detection = await detect(await createDriver(input.adapter, input.path));
  await send({ type: "detection", detection });
});
