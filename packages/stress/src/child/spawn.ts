import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { WorkerInput } from "./worker.js";

/** True when this package runs from its TypeScript sources (this repository's tests). */
const SOURCE_MODE = import.meta.url.endsWith(".ts");

/**
 * The file of a worker that sits next to the calling module: `name` is given
 * as `./worker.js` and becomes `./worker.ts` when the caller is a `.ts` source.
 */
export function workerFile(callerUrl: string, name: string): string {
  const file = callerUrl.endsWith(".ts") ? name.replace(/\.js$/, ".ts") : name;
  return fileURLToPath(new URL(file, callerUrl));
}

/** How a child process ended. */
export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A running worker: its messages, its end, and a way to stop it. */
export interface WorkerHandle<Out> {
  readonly process: ChildProcess;
  /** Settles when the process has exited (never rejects). */
  readonly exited: Promise<ChildExit>;
  /** Resolves with the first message `match` accepts; rejects if the process exits first. */
  waitFor<T extends Out>(match: (message: Out) => message is T, timeoutMs?: number): Promise<T>;
  /** Sends a signal (default SIGKILL) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<ChildExit>;
  /** What the process wrote to stderr (the last 64 KiB). */
  stderr(): string;
}

/**
 * Forks `file` with `input` (JSON) as its only argument and an IPC channel;
 * `onMessage` receives every message it sends. The child runs TypeScript
 * through `loader/register.mjs` when this package runs from sources or the
 * adapter module is a `.ts` file. It does not inherit the parent's
 * `execArgv` (vitest's flags are not for it).
 */
export function spawnWorker<Out, In extends WorkerInput = WorkerInput>(
  file: string,
  input: In,
  onMessage: (message: Out) => void = () => {},
): WorkerHandle<Out> {
  const needsTs = SOURCE_MODE || /\.[mc]?ts$/.test(input.adapter.module) || file.endsWith(".ts");
  const execArgv = needsTs
    ? [
        "--enable-source-maps",
        "--import",
        new URL("../../loader/register.mjs", import.meta.url).href,
      ]
    : [];
  const child = fork(file, [JSON.stringify(input)], {
    execArgv,
    stdio: ["ignore", "inherit", "pipe", "ipc"],
    serialization: "json",
  });
  let stderr = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-65_536);
  });
  const listeners = new Set<(message: Out) => void>();
  child.on("message", (message) => {
    onMessage(message as Out);
    for (const listener of listeners) listener(message as Out);
  });
  const exited = new Promise<ChildExit>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", () => resolve({ code: child.exitCode, signal: child.signalCode }));
  });
  return {
    process: child,
    exited,
    stderr: () => stderr,
    waitFor<T extends Out>(match: (message: Out) => message is T, timeoutMs = 60_000) {
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          done();
          reject(new Error(`worker ${file}: no expected message within ${timeoutMs} ms`));
        }, timeoutMs);
        const listener = (message: Out) => {
          if (!match(message)) return;
          done();
          resolve(message);
        };
        const done = () => {
          clearTimeout(timer);
          listeners.delete(listener);
        };
        listeners.add(listener);
        void exited.then((exit) => {
          if (!listeners.has(listener)) return;
          done();
          reject(
            new Error(
              `worker ${file} exited (code ${exit.code}, signal ${exit.signal}) before the expected message${stderr ? `:\n${stderr}` : ""}`,
            ),
          );
        });
      });
    },
    async kill(signal: NodeJS.Signals = "SIGKILL") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
