/**
 * One writing process of the concurrency case (forked by concurrency.ts):
 * opens the file, creates a session of its own, says it is ready, and on
 * "go" appends one message at a time until the deadline, counting what
 * succeeded and what failed (by error code).
 */
import { contentOf } from "./data.js";
import { quantile } from "./runner.js";
import { SQL } from "./sql.js";
import { type Driver, defaultDriver, timeOrderedId } from "./targets.js";

export type WriterMode = "store" | "raw-immediate" | "raw-deferred";

export interface WriterConfig {
  readonly mode: WriterMode;
  readonly driver: Driver;
  readonly file: string;
  readonly durationMs: number;
  readonly worker: number;
}

export interface WriterResult {
  readonly ok: number;
  readonly errors: Record<string, number>;
  readonly elapsedMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

const TEXTS = Array.from({ length: 64 }, (_, i) => contentOf(50_000_000 + i));

function codeOf(error: unknown): string {
  const e = error as { code?: unknown; name?: unknown };
  return typeof e.code === "string" ? e.code : typeof e.name === "string" ? e.name : "Error";
}

async function storeWriter(config: WriterConfig): Promise<() => Promise<void>> {
  const { openStore } = await import("@llm-sessions/core");
  // BENCH_POOL (JSON) passes pool options, for experiments (e.g. {"checkpoint":false}).
  const pool = process.env.BENCH_POOL ? JSON.parse(process.env.BENCH_POOL) : undefined;
  // BENCH_STORE (JSON) passes other store options (e.g. {"searchIndexing":{"batch":64}}).
  const extra = process.env.BENCH_STORE ? JSON.parse(process.env.BENCH_STORE) : {};
  const store = await openStore({
    driver: defaultDriver(config.driver, config.file),
    pool,
    ...extra,
  });
  const session = await store.sessions.create({ title: `writer ${config.worker}` });
  let i = 0;
  append = () =>
    store.messages
      .append(session.id, { role: "user", content: TEXTS[i++ % TEXTS.length] as string })
      .then(() => undefined);
  return () => store.close();
}

async function rawWriter(config: WriterConfig): Promise<() => Promise<void>> {
  const { default: Database } = await import("better-sqlite3");
  const db = new Database(config.file, { timeout: 5000 });
  db.exec("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL");
  const id = timeOrderedId();
  const now = Date.now();
  db.prepare(SQL.createSession).get(
    id,
    "",
    `writer ${config.worker}`,
    null,
    "{}",
    now,
    now,
    now,
    null,
  );
  const begin = db.prepare(config.mode === "raw-immediate" ? "BEGIN IMMEDIATE" : "BEGIN");
  const load = db.prepare(SQL.loadSession);
  const insert = db.prepare(SQL.insertMessage);
  const commit = db.prepare("COMMIT");
  let i = 0;
  append = async () => {
    begin.run();
    try {
      load.get(id);
      insert.get(
        timeOrderedId(),
        id,
        id,
        "user",
        TEXTS[i++ % TEXTS.length],
        null,
        null,
        null,
        null,
        "{}",
        null,
        Date.now(),
      );
      commit.run();
    } catch (error) {
      if (db.inTransaction) db.exec("ROLLBACK");
      throw error;
    }
  };
  return async () => {
    db.close();
  };
}

let append: () => Promise<void> = async () => {};

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? "{}") as WriterConfig;
  const close = config.mode === "store" ? await storeWriter(config) : await rawWriter(config);
  await new Promise<void>((resolve) => {
    process.once("message", () => resolve());
    process.send?.({ ready: true });
  });
  const errors: Record<string, number> = {};
  const latencies: number[] = [];
  let ok = 0;
  const started = performance.now();
  const deadline = started + config.durationMs;
  for (;;) {
    const t0 = performance.now();
    if (t0 >= deadline) break;
    try {
      await append();
      ok++;
    } catch (error) {
      const code = codeOf(error);
      errors[code] = (errors[code] ?? 0) + 1;
    }
    latencies.push(performance.now() - t0);
  }
  const elapsedMs = performance.now() - started;
  await close();
  latencies.sort((a, b) => a - b);
  const result: WriterResult = {
    ok,
    errors,
    elapsedMs,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    maxMs: latencies[latencies.length - 1] ?? 0,
  };
  process.send?.({ result }, () => process.exit(0));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
