/**
 * One process of the memory case (forked by memory.ts with --expose-gc):
 * opens a store with `readers` reader connections and the default cache
 * size, keeps every reader busy with the same read workload whatever their
 * number (last 50 of sessions spread over the file, session reads, a
 * rare-word search), collects garbage and reports its resident set size.
 */
import { openStore, POOL_DEFAULTS } from "@llm-sessions/core";
import { hash32, layoutOf, QUERIES, sessionIdOf } from "./data.js";
import { type Driver, defaultDriver } from "./targets.js";

export interface MemoryConfig {
  readonly driver: Driver;
  readonly file: string;
  readonly messages: number;
  readonly readers: number;
  /**
   * Reads in all, whatever the number of readers (so that the slope measures
   * connections, not garbage from more work): rounds of one read per reader
   * at once, until this many ran.
   */
  readonly reads: number;
}

export interface MemoryResult {
  readonly rssBytes: number;
  /** Committed V8 heap: JavaScript objects, which garbage collection makes noisy. */
  readonly heapTotalBytes: number;
  readonly heapUsedBytes: number;
  readonly externalBytes: number;
  readonly readersOpen: number;
  readonly cacheSize: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function settle(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await sleep(50);
  }
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? "{}") as MemoryConfig;
  const layout = layoutOf(config.messages);
  const driver = defaultDriver(config.driver, config.file);
  // The cache size the pool gives its readers by default.
  const probe = await driver.connect({ cacheSizeKiB: POOL_DEFAULTS.readerCacheKiB });
  const cache = await probe.get<{ cache_size: number }>("PRAGMA cache_size");
  await probe.close();
  // BENCH_POOL (JSON) adds pool options, for experiments (e.g. {"readerCacheKiB":0}).
  const extra = process.env.BENCH_POOL ? JSON.parse(process.env.BENCH_POOL) : {};
  const store = await openStore({
    driver,
    pool: { readers: config.readers, idleTimeoutMs: 600_000, maxReaderAgeMs: 600_000, ...extra },
  });
  const read = async (round: number, k: number): Promise<unknown> => {
    const h = hash32(round, k);
    const id = sessionIdOf(h % layout.sessions);
    if (h % 20 === 0) return store.search(QUERIES.rare, { limit: 20 });
    if (h % 7 === 0) return store.sessions.get(id);
    return store.messages.last(id, 50);
  };
  const rounds = Math.ceil(config.reads / config.readers);
  for (let round = 0; round < rounds; round++) {
    await Promise.all(Array.from({ length: config.readers }, (_, k) => read(round, k)));
  }
  await settle();
  const usage = process.memoryUsage();
  const result: MemoryResult = {
    rssBytes: usage.rss,
    heapTotalBytes: usage.heapTotal,
    heapUsedBytes: usage.heapUsed,
    externalBytes: usage.external,
    readersOpen: store.poolStats().readers.size,
    cacheSize: Number(cache?.cache_size ?? Number.NaN),
  };
  await store.close();
  process.send?.({ result }, () => process.exit(0));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
