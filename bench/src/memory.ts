/**
 * Resident memory per extra reader connection: one fresh process per reader
 * count, each running the same read workload; the slope of resident bytes
 * (outside the V8 heap, see `MemoryRow.bytesPerReader`) over the number of
 * readers (least squares) is the cost of one more reader.
 */
import { fork } from "node:child_process";
import path from "node:path";
import { HERE } from "./files.js";
import type { MemoryConfig, MemoryResult } from "./memory-worker.js";
import { progress } from "./progress.js";
import { middle } from "./runner.js";
import type { Driver } from "./targets.js";

export interface MemoryRow {
  readonly driver: Driver;
  /** Reader count -> median resident bytes after the workload, and those outside the V8 heap. */
  readonly rss: readonly {
    readers: number;
    rssBytes: number;
    nativeBytes: number;
    pssBytes: number;
    anonBytes: number;
    readersOpen: number;
  }[];
  /** Slope of the proportional set size (a mapped file page counted once): the memory target's figure. */
  readonly pssBytesPerReader: number;
  /** Slope of anonymous (private) memory. */
  readonly anonBytesPerReader: number;
  /**
   * Least-squares slope of the resident set over the number of readers. The
   * workers run with a 1 MB young generation (--max-semi-space-size=1) so
   * that the V8 heap does not grow in steps of several MB with garbage
   * collection whatever the number of readers.
   */
  readonly rssBytesPerReader: number;
  /** The same slope over resident bytes outside the V8 heap (SQLite's page cache, schema, statements). */
  readonly bytesPerReader: number;
  /** `PRAGMA cache_size` of a connection with the adapter's defaults. */
  readonly cacheSize: number;
}

export async function runMemory(
  files: Record<"better-sqlite3" | "libsql", string>,
  messages: number,
  readerCounts: readonly number[],
  repeats: number,
  reads: number,
): Promise<MemoryRow[]> {
  const rows: MemoryRow[] = [];
  for (const driver of ["better-sqlite3", "libsql"] as const) {
    const points: MemoryRow["rss"][number][] = [];
    let cacheSize = Number.NaN;
    for (const readers of readerCounts) {
      const samples: MemoryResult[] = [];
      for (let r = 0; r < repeats; r++) {
        progress(`memory: ${driver}, ${readers} reader(s), run ${r + 1}/${repeats}…`);
        samples.push(await runOne({ driver, file: files[driver], messages, readers, reads }));
      }
      cacheSize = samples[0]?.cacheSize ?? cacheSize;
      points.push({
        readers,
        rssBytes: middle(samples.map((s) => s.rssBytes)),
        nativeBytes: middle(samples.map((s) => s.rssBytes - s.heapTotalBytes)),
        pssBytes: middle(samples.map((s) => s.pssBytes)),
        anonBytes: middle(samples.map((s) => s.anonBytes)),
        readersOpen: Math.min(...samples.map((s) => s.readersOpen)),
      });
    }
    const row: MemoryRow = {
      driver,
      rss: points,
      bytesPerReader: slope(points.map((p) => ({ readers: p.readers, bytes: p.nativeBytes }))),
      rssBytesPerReader: slope(points.map((p) => ({ readers: p.readers, bytes: p.rssBytes }))),
      pssBytesPerReader: slope(points.map((p) => ({ readers: p.readers, bytes: p.pssBytes }))),
      anonBytesPerReader: slope(points.map((p) => ({ readers: p.readers, bytes: p.anonBytes }))),
      cacheSize,
    };
    rows.push(row);
    progress(
      `memory: ${driver}: ${(row.pssBytesPerReader / 1e6).toFixed(2)} MB (PSS), ${(row.rssBytesPerReader / 1e6).toFixed(2)} MB (RSS) per extra reader (cache_size ${cacheSize})`,
      true,
    );
  }
  return rows;
}

function runOne(config: MemoryConfig): Promise<MemoryResult> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(HERE, "memory-worker.js"), [JSON.stringify(config)], {
      execArgv: ["--expose-gc", "--max-semi-space-size=1"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    child.on("message", (m: { result?: MemoryResult }) => {
      if (m.result) resolve(m.result);
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) reject(new Error(`memory worker exited with ${code}`));
    });
  });
}

function slope(points: readonly { readers: number; bytes: number }[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((s, p) => s + p.readers, 0) / n;
  const my = points.reduce((s, p) => s + p.bytes, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.readers - mx) * (p.bytes - my);
    den += (p.readers - mx) ** 2;
  }
  return num / den;
}
