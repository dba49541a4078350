/**
 * Write throughput with 1, 2 and 4 processes appending to one file at once
 * (each to its own session, one message per call, as fast as it can), on a
 * fresh copy of a template each time.
 */
import { fork } from "node:child_process";
import path from "node:path";
import { HERE, removeDb, workingCopy } from "./files.js";
import { progress } from "./progress.js";
import type { Driver } from "./targets.js";
import type { WriterConfig, WriterMode, WriterResult } from "./writer-worker.js";

export interface ConcurrencyRow {
  readonly label: string;
  readonly mode: WriterMode;
  readonly driver: Driver;
  readonly processes: number;
  /** Successful appends per second, all processes together. */
  readonly opsPerSec: number;
  readonly ok: number;
  readonly errors: number;
  readonly errorCodes: Record<string, number>;
  /** Appends of the slowest and the fastest process. */
  readonly minOk: number;
  readonly maxOk: number;
  /** The worst p99 and the longest single append over the processes, ms. */
  readonly p99Ms: number;
  readonly maxMs: number;
}

export const WRITER_SETUPS: readonly { label: string; mode: WriterMode; driver: Driver }[] = [
  { label: "store/bs3", mode: "store", driver: "better-sqlite3" },
  { label: "store/libsql", mode: "store", driver: "libsql" },
  { label: "raw/bs3 BEGIN IMMEDIATE", mode: "raw-immediate", driver: "better-sqlite3" },
  { label: "raw/bs3 BEGIN (deferred)", mode: "raw-deferred", driver: "better-sqlite3" },
];

export async function runConcurrency(
  templateFile: string,
  workDir: string,
  durationMs: number,
  counts: readonly number[],
): Promise<ConcurrencyRow[]> {
  const rows: ConcurrencyRow[] = [];
  for (const setup of WRITER_SETUPS) {
    for (const processes of counts) {
      progress(`concurrency: ${setup.label}, ${processes} process(es)…`);
      const file = workingCopy(templateFile, path.join(workDir, "concurrency.db"));
      const results = await runWriters(setup.mode, setup.driver, file, processes, durationMs);
      removeDb(file);
      const ok = results.reduce((n, r) => n + r.ok, 0);
      const errorCodes: Record<string, number> = {};
      for (const r of results) {
        for (const [code, n] of Object.entries(r.errors)) errorCodes[code] = (errorCodes[code] ?? 0) + n;
      }
      const elapsed = Math.max(...results.map((r) => r.elapsedMs));
      const row: ConcurrencyRow = {
        ...setup,
        processes,
        opsPerSec: (ok * 1000) / elapsed,
        ok,
        errors: Object.values(errorCodes).reduce((a, b) => a + b, 0),
        errorCodes,
        minOk: Math.min(...results.map((r) => r.ok)),
        maxOk: Math.max(...results.map((r) => r.ok)),
        p99Ms: Math.max(...results.map((r) => r.p99Ms)),
        maxMs: Math.max(...results.map((r) => r.maxMs)),
      };
      rows.push(row);
      progress(
        `concurrency: ${setup.label}, ${processes} process(es): ${Math.round(row.opsPerSec)} appends/s, ${row.errors} errors`,
        true,
      );
    }
  }
  return rows;
}

async function runWriters(
  mode: WriterMode,
  driver: Driver,
  file: string,
  processes: number,
  durationMs: number,
): Promise<WriterResult[]> {
  const children = Array.from({ length: processes }, (_, worker) => {
    const config: WriterConfig = { mode, driver, file, durationMs, worker };
    return fork(path.join(HERE, "writer-worker.js"), [JSON.stringify(config)], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
  });
  const ready = children.map(
    (child) =>
      new Promise<void>((resolve, reject) => {
        child.on("message", (m: { ready?: boolean }) => {
          if (m.ready) resolve();
        });
        child.on("exit", (code) => reject(new Error(`writer exited with ${code} before it was ready`)));
      }),
  );
  const done = children.map(
    (child) =>
      new Promise<WriterResult>((resolve, reject) => {
        child.on("message", (m: { result?: WriterResult }) => {
          if (m.result) resolve(m.result);
        });
        child.on("exit", (code) => {
          if (code !== 0) reject(new Error(`writer exited with ${code}`));
        });
      }),
  );
  await Promise.all(ready);
  for (const child of children) child.send("go");
  return Promise.all(done);
}
