import type { Store } from "@llm-sessions/core";
import { MODELS, pick, reply, seededRandom, USER_TOPICS } from "./fake-models.js";

export interface SimulationOptions {
  readonly durationMs: number;
  readonly users: number;
  readonly seed: number;
  readonly log: (line: string) => void;
}

export interface SimulationResult {
  readonly turns: number;
  readonly sessions: number;
  readonly forks: number;
  readonly undos: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Each simulated user opens a conversation with a model, asks a few questions
 * (each answer stored with its model, tokens and latency), sometimes undoes
 * the last answer or forks the conversation, then starts a new one.
 */
export async function runSimulation(
  store: Store,
  options: SimulationOptions,
): Promise<SimulationResult> {
  const deadline = Date.now() + options.durationMs;
  const totals = { turns: 0, sessions: 0, forks: 0, undos: 0 };

  const user = async (n: number) => {
    const random = seededRandom(options.seed * 1000 + n);
    while (Date.now() < deadline) {
      const model = pick(random, MODELS);
      const session = await store.sessions.create({
        title: pick(random, USER_TOPICS),
        model: model.name,
        metadata: { user: `user-${n}` },
      });
      totals.sessions += 1;
      const turns = 2 + Math.floor(random() * 5);
      for (let t = 0; t < turns && Date.now() < deadline; t++) {
        const question = `${pick(random, USER_TOPICS)} (turn ${t + 1})`;
        const latency =
          model.latencyMs[0] + Math.floor(random() * (model.latencyMs[1] - model.latencyMs[0]));
        await store.messages.append(session.id, {
          role: "user",
          content: question,
          idempotencyKey: `u${n}-s${totals.sessions}-t${t}`,
        });
        const context = await store.messages.last(session.id, 50);
        await sleep(latency / 20); // a model answers (scaled down)
        const answer = reply(random, model, context[context.length - 1]?.content ?? question);
        await store.messages.append(session.id, {
          role: "assistant",
          content: answer,
          model: model.name,
          tokens: answer.split(" ").length,
          latencyMs: latency,
        });
        totals.turns += 1;
        if (random() < 0.05) {
          await store.messages.pop(session.id);
          totals.undos += 1;
        }
      }
      if (random() < 0.1) {
        await store.sessions.fork(session.id, { title: "branch" });
        totals.forks += 1;
      }
    }
  };

  const ticker = setInterval(() => {
    const p = store.poolStats();
    options.log(
      `  ${totals.turns} turns, ${totals.sessions} sessions, ${totals.forks} forks · pool waiting ${p.waiting}, wait p95 ${p.waitMs.p95.toFixed(1)} ms`,
    );
  }, 1000);
  try {
    await Promise.all(Array.from({ length: options.users }, (_, i) => user(i)));
  } finally {
    clearInterval(ticker);
  }

  const stats = await store.stats();
  options.log("\nUsage per model");
  console.table(
    stats.byModel.map((m) => ({
      model: m.model,
      sessions: m.sessions,
      messages: m.messages,
      tokens: m.tokens,
    })),
  );
  options.log(
    `Sessions: ${stats.sessions.total} (active ${stats.sessions.active}, idle ${stats.sessions.idle}, archived ${stats.sessions.archived}); messages ${stats.messages}`,
  );
  const hits = await store.search("sqlite wal", { limit: 3 });
  options.log('\nSearch "sqlite wal":');
  for (const hit of hits.items)
    options.log(`  ${hit.message.sessionId.slice(0, 8)}… #${hit.message.seq}: ${hit.snippet}`);
  const report = await store.integrity.check();
  options.log(`\nIntegrity: ${report.ok ? "ok" : JSON.stringify(report.findings)}`);
  return totals;
}
