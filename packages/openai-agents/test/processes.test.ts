import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { AgentInputItem, SessionHistoryTransactionArgs } from "@openai/agents-core";
import { describe, expect, it } from "vitest";
import { SessionStoreSession } from "../src/index.js";
import { ADAPTERS, tempStore } from "./adapters.js";

const WORKER = fileURLToPath(new URL("./worker.mjs", import.meta.url));
const PROCESSES = 4;
const REPLAYS = 100;

/** Runs the worker to its end; resolves with its exit code and what it wrote to stderr. */
function runWorker(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = fork(WORKER, args, { stdio: ["ignore", "ignore", "pipe", "ipc"] });
    let stderr = "";
    child.stderr?.on("data", (d) => {
      stderr += String(d);
    });
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, stderr }));
  });
}

const user = (content: string): AgentInputItem => ({ role: "user", content });
const said = (text: string): AgentInputItem => ({
  type: "message",
  role: "assistant",
  status: "completed",
  content: [{ type: "output_text", text }],
});
const call: AgentInputItem = {
  type: "function_call",
  callId: "call_1",
  name: "lookup",
  arguments: '{"q":"Paris"}',
};
const result: AgentInputItem = {
  type: "function_call_result",
  callId: "call_1",
  name: "lookup",
  status: "completed",
  output: "sunny",
};

const CASES: {
  name: string;
  before: AgentInputItem[];
  args: SessionHistoryTransactionArgs;
  after: AgentInputItem[];
}[] = [
  {
    name: "append_items",
    before: [user("weather Paris?")],
    args: {
      operationId: "turn-1",
      transaction: { type: "append_items", items: [call, result, said("sunny")] },
    },
    after: [user("weather Paris?"), call, result, said("sunny")],
  },
  {
    name: "replace_suffix",
    before: [user("weather Paris?"), said("no idea")],
    args: {
      operationId: "turn-1-retry",
      transaction: {
        type: "replace_suffix",
        expectedSuffix: [said("no idea")],
        replacement: [call, result, said("sunny")],
      },
    },
    after: [user("weather Paris?"), call, result, said("sunny")],
  },
];

// The workers import the built package (dist): `npm test` builds first (turbo).
// libSQL's file mode is left out here, as in the other packages' process tests.
for (const adapter of ADAPTERS.filter((a) => a.name !== "libsql (file)")) {
  describe(`${PROCESSES} processes on one file (${adapter.name})`, () => {
    for (const c of CASES) {
      it(`one ${c.name} replayed ${REPLAYS} times from each process is applied exactly once`, async () => {
        const { store, path, dispose } = await tempStore(adapter.driver);
        try {
          const sessionId = `proc-${c.name}`;
          const session = new SessionStoreSession(store, { sessionId });
          await session.addItems(c.before);
          const runs = Array.from({ length: PROCESSES }, (_, i) =>
            runWorker([
              path,
              adapter.name,
              sessionId,
              String(i),
              String(PROCESSES),
              String(REPLAYS),
              JSON.stringify(c.args),
            ]),
          );
          for (const { code, stderr } of await Promise.all(runs)) expect(code, stderr).toBe(0);
          expect(await session.getItems()).toStrictEqual(c.after);
          const stored = await store.sessions.get(sessionId);
          expect(stored.messageCount).toBe(c.after.length);
          // Replaying once more here is still a no-op; another change under the id is refused.
          await session.applyHistoryTransaction(c.args);
          await expect(
            session.applyHistoryTransaction({
              ...c.args,
              transaction: { type: "append_items", items: [] },
            }),
          ).rejects.toThrow("already applied with a different transaction");
          expect(await session.getItems()).toStrictEqual(c.after);
          expect((await store.integrity.check()).ok).toBe(true);
        } finally {
          await dispose();
        }
        // A hang detector, not a speed verdict: four child processes start
        // Node and the SDK, which on a loaded machine can take minutes.
      }, 300_000);
    }
  });
}
