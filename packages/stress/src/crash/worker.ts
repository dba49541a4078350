import { openStore } from "@llm-sessions/core";
import { createDriver } from "../adapters/index.js";
import { runWorker } from "../child/worker.js";
import { TagMaker, taggedContent } from "../invariants/index.js";
import { Rng } from "../suite/rng.js";
import { WORDS } from "../workload/index.js";
import type { CrashWorkerInput, CrashWorkerMessage } from "./protocol.js";

/**
 * The writer the crash suite kills: appends single messages and batches in a
 * loop (two appends in flight, frequent checkpoints) and reports each one
 * after its append resolved. It never stops on its own.
 */
runWorker<CrashWorkerInput, CrashWorkerMessage>(async (input, send) => {
  const rng = new Rng(input.seed);
  const tags = new TagMaker(input.writer);
  const store = await openStore({
    driver: await createDriver(input.adapter, input.path),
    durability: input.durability,
    pool: { readers: 1, checkpoint: { walPages: 64, intervalMs: 20, drainTimeoutMs: 50 } },
  });
  const sessions = [...input.sessions];
  const created = await store.sessions.create({ title: `round ${input.writer}` });
  sessions.push(created.id);
  await send({ type: "created", id: created.id });
  await send({ type: "ready" });
  const writer = async () => {
    for (;;) {
      const sessionId = rng.pick(sessions.slice(-4));
      const size = rng.chance(0.5) ? 1 : rng.int(2, 6);
      const batch = size > 1 ? tags.batch(size) : null;
      const started = performance.now();
      const stored = await store.messages.append(
        sessionId,
        Array.from({ length: size }, () => {
          const tag = tags.tag();
          return {
            role: "user" as const,
            content: taggedContent(tag, batch, `${rng.pick(WORDS)} ${"x".repeat(rng.int(0, 400))}`),
            tokens: rng.int(1, 50),
            ...(rng.chance(0.3) ? { idempotencyKey: `k${tag}` } : {}),
          };
        }),
      );
      const ms = performance.now() - started;
      await send({ type: "ack", sessionId, messages: stored.map((m) => [m.id, m.content]), ms });
    }
  };
  await Promise.all([writer(), writer()]);
});
