/**
 * npm run bench                 quick profile (10k and 100k messages; about two minutes)
 * npm run bench -- --full       10k, 100k and 1M messages, three rounds, longer runs
 * npm run bench -- --full --10m also 10M messages (builds a ~10 GB template once)
 *
 * See README.md for what each case measures and how to read the table.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { runConcurrency } from "./concurrency.js";
import { contentOf, layoutOf, sessionIdOf, sizeLabel, spread } from "./data.js";
import { HERE, removeDb, template, workingCopy } from "./files.js";
import { type ForkRow, forkScalingTable, runForkScaling } from "./fork-scaling.js";
import { runFtsStudy } from "./fts-study.js";
import { runMemory } from "./memory.js";
import { note, progress } from "./progress.js";
import { runRemote } from "./remote.js";
import {
  type CaseResult,
  concurrencyTable,
  evaluateTargets,
  growthTable,
  memoryTable,
  peerTable,
  type Results,
  remoteTable,
  sizeTable,
  sqlCheckLine,
  studyTable,
  targetsTable,
} from "./report.js";
import { type Contestant, measure, type RunProfile } from "./runner.js";
import { checkSql, type SqlCheck } from "./sql-check.js";
import {
  mastraTarget,
  OPS,
  type Op,
  rawBetterSqlite,
  rawLibsqlNative,
  rawNodeSqlite,
  storeTarget,
  type Target,
  type Workload,
} from "./targets.js";
import { packageVersion } from "./versions.js";

interface Profile {
  readonly name: string;
  readonly sizes: readonly number[];
  readonly run: RunProfile;
  readonly concurrencyMs: number;
  readonly concurrencyRepeats: number;
  readonly memoryRepeats: number;
  /** Reads of the memory workload (in all, over however many readers). */
  readonly memoryReads: number;
  /** Forks timed per session length in the fork-scaling case. */
  readonly forkRepeats: number;
}

/** Session lengths the fork-scaling case forks. */
const FORK_LENGTHS = [1_000, 10_000, 100_000];

const QUICK: Profile = {
  name: "quick",
  sizes: [10_000, 100_000],
  run: { time: 150, iterations: 10, warmupTime: 100, warmupIterations: 5, rounds: 2 },
  concurrencyMs: 1500,
  concurrencyRepeats: 1,
  memoryRepeats: 1,
  memoryReads: 2400,
  forkRepeats: 3,
};

const FULL: Profile = {
  name: "full",
  sizes: [10_000, 100_000, 1_000_000],
  run: { time: 700, iterations: 20, warmupTime: 400, warmupIterations: 10, rounds: 3 },
  concurrencyMs: 4000,
  concurrencyRepeats: 3,
  memoryRepeats: 3,
  memoryReads: 4800,
  forkRepeats: 5,
};

/** Slow operations need fewer calls to be measured well. */
const FEW_CALLS: ReadonlySet<Op> = new Set<Op>(["fork 200", "search co-occurring"]);

const BENCH_DIR = path.resolve(HERE, "..");

function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(s.trim());
  if (!m) throw new Error(`not a size: ${s}`);
  const n =
    Number(m[1]) * (m[2]?.toLowerCase() === "k" ? 1e3 : m[2]?.toLowerCase() === "m" ? 1e6 : 1);
  return Math.round(n / 200) * 200;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      full: { type: "boolean", default: false },
      "fts-study": { type: "boolean", default: false },
      "10m": { type: "boolean", default: false },
      sizes: { type: "string" },
      only: { type: "string" },
      skip: { type: "string", default: "" },
      rounds: { type: "string" },
      time: { type: "string" },
      "data-dir": { type: "string" },
      out: { type: "string" },
      "remote-only": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(`usage: npm run bench -- [--full] [--10m] [--fts-study] [--sizes 10k,100k] [--only <regex>]
       [--skip sql-check,cases,concurrency,memory,fork-scaling,fts-study,remote] [--rounds n] [--time ms]
       [--data-dir dir] [--out file] [--remote-only]
  --remote-only  only the remote section (the store on sqld over http:// and ws:// against the raw client)`);
    return;
  }
  const base = values.full || values["10m"] ? FULL : QUICK;
  const profile: Profile = {
    ...base,
    sizes: values.sizes
      ? values.sizes.split(",").map(parseSize)
      : values["10m"]
        ? [...base.sizes, 10_000_000]
        : base.sizes,
    run: {
      ...base.run,
      ...(values.rounds ? { rounds: Number(values.rounds) } : {}),
      ...(values.time ? { time: Number(values.time) } : {}),
    },
  };
  const skip = new Set(values.skip.split(",").filter(Boolean));
  if (values["remote-only"]) {
    for (const part of [
      "sql-check",
      "cases",
      "concurrency",
      "memory",
      "fork-scaling",
      "fts-study",
    ]) {
      skip.add(part);
    }
  }
  // The search index study runs in the full profile, or when asked for.
  if (!(values["fts-study"] || profile.name === "full")) skip.add("fts-study");
  const only = values.only ? new RegExp(values.only, "i") : undefined;
  const dataDir = path.resolve(
    values["data-dir"] ?? process.env.BENCH_DATA_DIR ?? path.join(BENCH_DIR, ".data"),
  );
  const workDir = path.join(dataDir, "run");
  const out = path.resolve(
    values.out ??
      path.join(
        BENCH_DIR,
        values["remote-only"]
          ? "RESULTS.remote.md"
          : profile.name === "full"
            ? "RESULTS.md"
            : "RESULTS.quick.md",
      ),
  );
  const started = Date.now();
  const loadBefore = os.loadavg()[0] ?? 0;
  note(
    `llm-sessions bench, ${profile.name} profile: ${profile.sizes.map(sizeLabel).join(", ")} messages; data in ${dataDir}`,
  );

  // Templates first, so that building them is not mixed into the timings.
  const templates = new Map<number, { store: string; mastra: string }>();
  const needed = new Set(skip.has("cases") ? [] : profile.sizes);
  if (!skip.has("memory") || !skip.has("fts-study")) needed.add(100_000);
  if (!skip.has("concurrency") || !skip.has("sql-check")) needed.add(10_000);
  for (const size of [...needed].sort((a, b) => a - b)) {
    templates.set(size, {
      store: await template(dataDir, "store", size),
      mastra:
        skip.has("cases") || !profile.sizes.includes(size)
          ? ""
          : await template(dataDir, "mastra", size),
    });
  }

  let sqlCheck: SqlCheck[] = [];
  if (!skip.has("sql-check")) {
    progress("checking that the raw contestants run the store's SQL…");
    const file = workingCopy(
      templates.get(10_000)?.store as string,
      path.join(workDir, "sql-check.db"),
    );
    sqlCheck = await checkSql(file, workloadFor(10_000));
    removeDb(file);
    note(sqlCheckLine(sqlCheck));
  }

  const cases: CaseResult[] = [];
  if (!skip.has("cases")) {
    for (const size of profile.sizes) {
      cases.push(...(await runSize(size, templates.get(size)!, workDir, profile, only)));
    }
  }

  const concurrency = skip.has("concurrency")
    ? []
    : await runConcurrency(
        templates.get(10_000)?.store as string,
        workDir,
        profile.concurrencyMs,
        [1, 2, 4],
        profile.concurrencyRepeats,
      );

  let memory: Results["memory"] = [];
  if (!skip.has("memory")) {
    const tpl = templates.get(100_000)?.store as string;
    const files = {
      "better-sqlite3": workingCopy(tpl, path.join(workDir, "memory-bs3.db")),
      libsql: workingCopy(tpl, path.join(workDir, "memory-libsql.db")),
    };
    memory = await runMemory(
      files,
      100_000,
      [1, 2, 4, 8, 16],
      profile.memoryRepeats,
      profile.memoryReads,
    );
    for (const f of Object.values(files)) removeDb(f);
  }

  const forkScaling: ForkRow[] = skip.has("fork-scaling")
    ? []
    : await runForkScaling(path.join(workDir, "fork"), FORK_LENGTHS, profile.forkRepeats);

  let study: Results["study"] = [];
  if (!skip.has("fts-study")) {
    const w = workloadFor(100_000);
    study = await runFtsStudy(
      templates.get(100_000)?.store as string,
      workDir,
      w.hot.map((s) => s.id),
      w.texts,
      profile.name === "full" ? 3000 : 1000,
      profile.name === "full" ? 3 : 1,
    );
    note("search index study: done");
  }

  const remote = skip.has("remote") ? [] : await runRemote(profile.run, only);

  const results: Results = {
    cases,
    sizes: profile.sizes,
    concurrency,
    memory,
    sqlCheck,
    study,
    remote,
  };
  const seconds = (Date.now() - started) / 1000;
  const doc = render(results, forkScaling, profile, seconds, loadBefore);
  console.log(doc.table);
  fs.writeFileSync(out, doc.file);
  note(`\nwrote ${path.relative(process.cwd(), out) || out} (${seconds.toFixed(0)} s)`);
}

/** 64 sessions spread over the file: every other one is read and appended to, the rest forked. */
function workloadFor(size: number): Workload {
  const layout = layoutOf(size);
  // Session ids are derived from the layout, as the seeder made them (see data.ts).
  const refs = spread(layout, 64, 0.25).map((index) => ({ index, id: sessionIdOf(index) }));
  return {
    hot: refs.filter((_, i) => i % 2 === 0),
    forkSources: refs.filter((_, i) => i % 2 === 1),
    texts: Array.from({ length: 1024 }, (_, k) => contentOf(size + k)),
  };
}

async function runSize(
  size: number,
  tpl: { store: string; mastra: string },
  workDir: string,
  profile: Profile,
  only: RegExp | undefined,
): Promise<CaseResult[]> {
  const label = sizeLabel(size);
  progress(`[${label}] copying the templates…`);
  const dir = path.join(workDir, label);
  const files = {
    bs3: workingCopy(tpl.store, path.join(dir, "bs3.db")),
    libsql: workingCopy(tpl.store, path.join(dir, "libsql.db")),
    node: workingCopy(tpl.store, path.join(dir, "node.db")),
    mastra: workingCopy(tpl.mastra, path.join(dir, "mastra.db")),
  };
  const w = workloadFor(size);
  progress(`[${label}] opening the store, the raw drivers and the peer…`);
  const targets: Target[] = [
    await storeTarget("better-sqlite3", files.bs3, w),
    rawBetterSqlite(files.bs3, w),
    await storeTarget("libsql", files.libsql, w),
    await rawLibsqlNative(files.libsql, w),
    await storeTarget("node:sqlite", files.node, w),
    await rawNodeSqlite(files.node, w),
    await mastraTarget(files.mastra, w),
  ];
  const results: CaseResult[] = [];
  const selected = OPS.filter((op) => !only || only.test(op));
  try {
    for (const [i, op] of selected.entries()) {
      const contestants: Contestant[] = [];
      for (const t of targets) {
        const fn = t.ops[op];
        if (!fn) continue;
        contestants.push({
          label: t.label,
          fn,
          sync: t.sync,
          ...(t.settle ? { settle: () => t.settle?.() ?? Promise.resolve() } : {}),
        });
      }
      const run = FEW_CALLS.has(op)
        ? { ...profile.run, iterations: 5, warmupIterations: 2 }
        : profile.run;
      const timings = await measure(contestants, run, (round) =>
        progress(`[${label} ${i + 1}/${selected.length}] ${op}: round ${round + 1}/${run.rounds}…`),
      );
      results.push({ size, op, timings });
      const summary = [...timings]
        .map(
          ([who, t]) =>
            `${who} ${t.error ? `error (${t.error})` : `${(t.median * 1000).toFixed(1)}µs`}`,
        )
        .join(", ");
      progress(`[${label} ${i + 1}/${selected.length}] ${op}: ${summary}`, true);
    }
  } finally {
    for (const t of targets) await t.close();
    for (const f of Object.values(files)) removeDb(f);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

function sqliteVersions(): { betterSqlite: string; libsql: string } {
  const db = new Database(":memory:");
  const betterSqlite = String(db.prepare("SELECT sqlite_version() AS v").pluck().get());
  db.close();
  return { betterSqlite, libsql: libsqlVersion };
}

let libsqlVersion = "?";
async function readLibsqlVersion(): Promise<void> {
  const { default: Libsql } = await import("libsql");
  const db = new Libsql(":memory:");
  libsqlVersion = String((db.prepare("SELECT sqlite_version() AS v").get() as { v: string }).v);
  db.close();
}

function render(
  r: Results,
  forkScaling: readonly ForkRow[],
  profile: Profile,
  seconds: number,
  loadBefore: number,
): { table: string; file: string } {
  const cpus = os.cpus();
  const sqlite = sqliteVersions();
  const packages = [
    "@llm-sessions/core",
    "@llm-sessions/adapter-better-sqlite",
    "@llm-sessions/adapter-libsql",
    "@llm-sessions/adapter-node-sqlite",
    "better-sqlite3",
    "@libsql/client",
    "libsql",
    "@mastra/libsql",
    "@mastra/core",
    "tinybench",
  ]
    .map((p) => `${p} ${packageVersion(p)}`)
    .join(", ");
  const sections: string[] = [];
  for (const size of r.sizes) {
    if (!r.cases.some((c) => c.size === size)) continue;
    sections.push(`### ${sizeLabel(size)} messages stored\n\n${sizeTable(r, size)}`);
  }
  if (r.cases.length > 0) {
    sections.push(
      `### The peer: Mastra's LibSQLStore (create a thread, save one message, read the last 50)\n\n${peerTable(r)}`,
    );
    sections.push(`### Growth: store medians by messages stored\n\n${growthTable(r)}`);
  }
  if (r.concurrency.length > 0) {
    sections.push(
      `### Concurrency: processes appending to one file (${(profile.concurrencyMs / 1000).toFixed(1)} s, median of ${profile.concurrencyRepeats} run(s))\n\n${concurrencyTable(r)}`,
    );
  }
  if (forkScaling.length > 0) {
    sections.push(
      `### Fork by session length (median of ${profile.forkRepeats} forks of the whole session)\n\n${forkScalingTable(forkScaling)}`,
    );
  }
  if (r.study.length > 0) {
    sections.push(
      `### Where append time goes: search index options (raw better-sqlite3, the store's append, 100k messages)\n\n${studyTable(r)}`,
    );
  }
  if (r.memory.length > 0) {
    sections.push(
      `### Memory: resident set after a read workload (100k messages)\n\n${memoryTable(r)}`,
    );
  }
  if (r.remote.length > 0) {
    sections.push(
      `### Remote: the store on sqld (loopback) against the raw @libsql/client doing the same work in the fewest requests\n\n${remoteTable(r)}`,
    );
  }
  const targets = targetsTable(evaluateTargets(r));
  const table = [...sections, `### Targets\n\n${targets}`].join("\n\n");
  const header = [
    "# Benchmark results",
    "",
    `Written by \`npm run bench${profile.name === "full" ? " -- --full" : ""}\` (${profile.name} profile) on ${new Date().toISOString()}, in ${seconds.toFixed(0)} s. How to read it: [README.md](README.md).`,
    "",
    `- Machine: ${cpus[0]?.model ?? "?"} × ${cpus.length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()}; load average ${loadBefore.toFixed(2)} at the start, ${(os.loadavg()[0] ?? 0).toFixed(2)} at the end`,
    `- Node ${process.version}; SQLite ${sqlite.betterSqlite} (better-sqlite3), ${sqlite.libsql} (libsql)`,
    `- Packages: ${packages}`,
    `- Timing: tinybench, ${profile.run.rounds} round(s) per case, order reversed every other round; per contestant and round ${profile.run.warmupTime} ms warm-up, then at least ${profile.run.time} ms and ${profile.run.iterations} calls (5 for fork and the co-occurring search). Medians and p95 are the medians of the rounds' figures; ops/s = calls ÷ time spent in them.`,
    `- Files: WAL, synchronous=NORMAL, each driver on its own copy of the same template (400-byte messages, 200 per session). "raw" is the driver running the store's statements (${r.sqlCheck.length ? (r.sqlCheck.every((c) => c.same) ? "checked statement by statement in this run" : "**not all equal in this run — see below**") : "not checked in this run"}); "peer" is Mastra's LibSQLStore (memory domain) on a file seeded with the same messages.`,
    "",
    sqlCheckLine(r.sqlCheck),
    "",
  ].join("\n");
  return { table, file: `${header}\n${table}\n` };
}

readLibsqlVersion()
  .then(main)
  .catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
