/**
 * Write throughput with 1, 2 and 4 processes appending to one file at once
 * (each to its own session, one message per call, as fast as it can), on a
 * fresh copy of a template each time.
 */
import { fork } from "node:child_process";
import path from "node:path";
import { HERE, removeDb, workingCopy } from "./files.js";
import { progress } from "./progress.js";
import { middle } from "./runner.js";
import type { Driver } from "./targets.js";
import type { WriterConfig, WriterMode, WriterResult } from "./writer-worker.js";

export interface ConcurrencyRow {
  readonly label: string;
  readonly mode: WriterMode;
  readonly driver: Driver;
  readonly processes: number;
  /** Successful appends per second, all processes together (median over the repeats). */
  readonly opsPerSec: number;
  /** Over all repeats. */
  readonly ok: number;
  readonly errors: number;
  readonly errorCodes: Record<string, number>;
  /** Appends of the slowest and the fastest process, over all repeats. */
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
  repeats = 1,
): Promise<ConcurrencyRow[]> {
  const runs = new Map<string, WriterResult[][]>();
  for (let r = 0; r < repeats; r++) {
    for (const setup of WRITER_SETUPS) {
      // Every other repeat runs the counts in the opposite order, so that drift in the machine's load is shared.
      for (const processes of r % 2 === 0 ? counts : [...counts].reverse()) {
        progress(
          `concurrency: ${setup.label}, ${processes} process(es)${repeats > 1 ? `, run ${r + 1}/${repeats}` : ""}…`,
        );
        const file = workingCopy(templateFile, path.join(workDir, "concurrency.db"));
        const results = await runWriters(setup.mode, setup.driver, file, processes, durationMs);
        removeDb(file);
        const key = `${setup.label}|${processes}`;
        runs.set(key, [...(runs.get(key) ?? []), results]);
      }
    }
  }
  const rows: ConcurrencyRow[] = [];
  for (const setup of WRITER_SETUPS) {
    for (const processes of counts) {
      const all = runs.get(`${setup.label}|${processes}`) ?? [];
      const rates = all.map(
        (results) =>
          (results.reduce((n, x) => n + x.ok, 0) * 1000) /
          Math.max(...results.map((x) => x.elapsedMs)),
      );
      const flat = all.flat();
      const errorCodes: Record<string, number> = {};
      for (const x of flat) {
        for (const [code, n] of Object.entries(x.errors))
          errorCodes[code] = (errorCodes[code] ?? 0) + n;
      }
      const row: ConcurrencyRow = {
        ...setup,
        processes,
        opsPerSec: middle(rates),
        ok: flat.reduce((n, x) => n + x.ok, 0),
        errors: Object.values(errorCodes).reduce((a, b) => a + b, 0),
        errorCodes,
        minOk: Math.min(...flat.map((x) => x.ok)),
        maxOk: Math.max(...flat.map((x) => x.ok)),
        p99Ms: Math.max(...flat.map((x) => x.p99Ms)),
        maxMs: Math.max(...flat.map((x) => x.maxMs)),
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
        child.on("exit", (code) =>
          reject(new Error(`writer exited with ${code} before it was ready`)),
        );
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
