/**
 * One process of the memory case (forked by memory.ts with --expose-gc):
 * opens a store with `readers` reader connections and the default cache
 * size, keeps every reader busy with the same read workload whatever their
 * number (last 50 of sessions spread over the file, session reads, a
 * rare-word search), collects garbage and reports its resident set size.
 */
import { readFileSync } from "node:fs";
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
  /**
   * Proportional set size (Linux, /proc/self/smaps_rollup): resident pages,
   * a page mapped N times counting 1/N. The readers map the database file
   * (the pool's `mmapSizeBytes`): RSS counts a file page once per reader that
   * touched it, although it is one page of the OS's file cache; PSS counts it
   * once. NaN where there is no smaps_rollup.
   */
  readonly pssBytes: number;
  /** Anonymous (private) resident memory: what the process allocated itself. */
  readonly anonBytes: number;
  /** Committed V8 heap: JavaScript objects, which garbage collection makes noisy. */
  readonly heapTotalBytes: number;
  readonly heapUsedBytes: number;
  readonly externalBytes: number;
  readonly readersOpen: number;
  readonly cacheSize: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Pss and Anonymous from /proc/self/smaps_rollup, in bytes (NaN when unavailable). */
function smapsRollup(): { pss: number; anon: number } {
  try {
    const text = readFileSync("/proc/self/smaps_rollup", "utf8");
    const kb = (key: string) => {
      const m = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text);
      return m ? Number(m[1]) * 1024 : Number.NaN;
    };
    return { pss: kb("Pss"), anon: kb("Anonymous") };
  } catch {
    return { pss: Number.NaN, anon: Number.NaN };
  }
}

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
  const smaps = smapsRollup();
  const result: MemoryResult = {
    rssBytes: usage.rss,
    pssBytes: smaps.pss,
    anonBytes: smaps.anon,
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
