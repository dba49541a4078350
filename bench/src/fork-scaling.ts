/**
 * Fork by session length: one session of 1k, 10k and 100k messages per
 * engine, forked whole a few times. A linear fork costs the same per message
 * at every length; a fork whose plan re-scanned its id list per message (as
 * it once did on better-sqlite3) costs per message in proportion to the
 * length. Also reported: the longest the event loop was blocked during a
 * fork (better-sqlite3 runs the copy synchronously).
 */
import fs from "node:fs";
import path from "node:path";
import { openStore, type SqliteDriver } from "@llm-sessions/core";
import { contentOf, sizeLabel } from "./data.js";
import { removeDb } from "./files.js";
import { progress } from "./progress.js";
import { type Driver, defaultDriver } from "./targets.js";

export interface ForkRow {
  /** `store/bs3`, `store/libsql`. */
  readonly label: string;
  /** Messages in the forked session. */
  readonly messages: number;
  /** Median time of one fork, ms. */
  readonly medianMs: number;
  /** Slowest fork, ms. */
  readonly maxMs: number;
  /** Median time per copied message, µs. */
  readonly usPerMessage: number;
  /** Longest event-loop block seen during the forks, ms. */
  readonly maxStallMs: number;
}

const ENGINES: readonly {
  label: string;
  driver: Driver;
  make: (driver: Driver, file: string) => SqliteDriver;
}[] = [
  { label: "store/bs3", driver: "better-sqlite3", make: defaultDriver },
  { label: "store/libsql", driver: "libsql", make: defaultDriver },
];

/** Appends per seeding call: the store's default `maxBatchSize`. */
const BATCH = 1000;

export async function runForkScaling(
  workDir: string,
  lengths: readonly number[],
  repeats: number,
): Promise<ForkRow[]> {
  fs.mkdirSync(workDir, { recursive: true });
  const rows: ForkRow[] = [];
  for (const engine of ENGINES) {
    for (const length of lengths) {
      const file = path.join(workDir, `fork-${engine.label.replace("/", "-")}-${length}.db`);
      removeDb(file);
      const store = await openStore({ driver: engine.make(engine.driver, file) });
      try {
        progress(`[fork ${sizeLabel(length)}] ${engine.label}: seeding…`);
        const source = await store.sessions.create({ title: "fork source" });
        for (let j = 0; j < length; j += BATCH) {
          const batch = Array.from({ length: Math.min(BATCH, length - j) }, (_, k) => ({
            role: (k % 2 ? "assistant" : "user") as "user" | "assistant",
            content: contentOf(j + k),
          }));
          await store.messages.append(source.id, batch);
        }
        await store.flushSearchIndex();
        const times: number[] = [];
        let maxStallMs = 0;
        for (let r = 0; r < repeats; r++) {
          progress(`[fork ${sizeLabel(length)}] ${engine.label}: fork ${r + 1}/${repeats}…`);
          const stalls = watchEventLoop();
          const started = performance.now();
          const fork = await store.sessions.fork(source.id);
          maxStallMs = Math.max(maxStallMs, stalls());
          times.push(performance.now() - started);
          if (fork.messageCount !== length) {
            throw new Error(`fork copied ${fork.messageCount} of ${length} messages`);
          }
          // Untimed: the copy's index entries and the copy itself go, so every fork starts alike.
          await store.sessions.delete(fork.id);
          await store.flushSearchIndex();
        }
        const sorted = [...times].sort((a, b) => a - b);
        const medianMs = sorted[Math.floor(sorted.length / 2)] as number;
        rows.push({
          label: engine.label,
          messages: length,
          medianMs,
          maxMs: sorted[sorted.length - 1] as number,
          usPerMessage: (medianMs * 1000) / length,
          maxStallMs,
        });
        progress(
          `[fork ${sizeLabel(length)}] ${engine.label}: ${medianMs.toFixed(1)} ms (${((medianMs * 1000) / length).toFixed(2)} µs/message)`,
          true,
        );
      } finally {
        await store.close();
        removeDb(file);
      }
    }
  }
  return rows;
}

/**
 * Watches a 1 ms timer: the longest gap between its ticks is the longest the
 * event loop was blocked. The returned function stops it and gives that gap
 * in ms, counting the gap still open (a fork that blocks until it resolves).
 * Called as soon as the fork resolves, so that the search-index pass the
 * fork's copies start afterwards is not counted.
 */
function watchEventLoop(): () => number {
  let last = performance.now();
  let max = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    max = Math.max(max, now - last);
    last = now;
  }, 1);
  return () => {
    clearInterval(timer);
    return Math.max(max, performance.now() - last);
  };
}

/** The table: per engine and length, and per-message cost at the longest over the shortest. */
export function forkScalingTable(rows: readonly ForkRow[]): string {
  const lines = [
    "| store | messages | median | slowest | µs per message | longest event-loop block | per message ÷ at the shortest |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const row of rows) {
    const first = rows.find((r) => r.label === row.label);
    const ratio = first ? row.usPerMessage / first.usPerMessage : Number.NaN;
    lines.push(
      `| ${row.label} | ${sizeLabel(row.messages)} | ${row.medianMs.toFixed(1)} ms | ${row.maxMs.toFixed(1)} ms | ${row.usPerMessage.toFixed(2)} | ${row.maxStallMs.toFixed(1)} ms | ${ratio.toFixed(2)} |`,
    );
  }
  return lines.join("\n");
}
