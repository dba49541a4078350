import type { AdapterSpec } from "../adapters/index.js";

/** What every worker receives: the adapter to build its driver from, and its own input. */
export interface WorkerInput {
  readonly adapter: AdapterSpec;
}

/** What a worker reports when its body throws. */
export interface WorkerFailure {
  readonly type: "failed";
  readonly message: string;
}

/**
 * The body of a worker script: reads the input from argv, runs `body` with a
 * `send` that posts messages to the parent, and exits 0 when it resolves
 * (1 after posting a `failed` message when it throws). A worker whose parent
 * goes away exits too.
 */
export function runWorker<In extends WorkerInput, Out>(
  body: (input: In, send: (message: Out) => Promise<void>) => Promise<void>,
): void {
  const send = (message: Out | WorkerFailure) =>
    new Promise<void>((resolve, reject) => {
      if (!process.send) return reject(new Error("a worker must be started with an IPC channel"));
      process.send(message, undefined, undefined, (error) => (error ? reject(error) : resolve()));
    });
  process.on("disconnect", () => process.exit(2));
  const input = JSON.parse(process.argv[2] ?? "null") as In;
  body(input, send).then(
    () => process.exit(0),
    async (error: unknown) => {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      await send({ type: "failed", message }).catch(() => {});
      process.exit(1);
    },
  );
}
