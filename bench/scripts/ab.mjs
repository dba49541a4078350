// Two builds of the bench in one process, timed alternately: one case of the bench (its store
// contestant and its raw contestant) on build A and on build B, in blocks of calls whose order
// is reversed every round, so that the load of a shared machine falls on all four alike. The
// store ÷ raw ratio says how the store's own share changed; store B ÷ store A says how the
// operation as a whole did; raw B ÷ raw A how the SQL (schema, triggers, statements) did.
//
//   node --expose-gc bench/scripts/ab.mjs --a <root> --b <root> --data-a <dir> --data-b <dir>
//        [--driver better-sqlite3|libsql] [--op "append 1"] [--size 10k] [--rounds 60] [--block 40]
//
// A root is a checkout with the packages and `bench/dist` built (this repository, or an archive
// of an earlier commit: `git archive <commit> | tar -x -C dir`, with node_modules); each build
// runs its own core, adapter, driver and bench code (the raw statements of its schema). The
// data directories hold each build's templates (`--data-dir` of a bench run; built if missing).
// Prints the median latency of each contestant over all calls and the ratios, with the spread
// of the per-round ratios.
import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    a: { type: "string" },
    b: { type: "string" },
    "data-a": { type: "string" },
    "data-b": { type: "string" },
    driver: { type: "string", default: "better-sqlite3" },
    op: { type: "string", default: "append 1" },
    size: { type: "string", default: "10000" },
    rounds: { type: "string", default: "60" },
    block: { type: "string", default: "40" },
  },
});
for (const k of ["a", "b", "data-a", "data-b"]) {
  if (!values[k]) throw new Error(`--${k} is required`);
}
const size = Number(values.size.replace(/k$/i, "000").replace(/m$/i, "000000"));

/** One build: its store and raw contestants for the case, on a copy of its template. */
async function build(name, root, dataDir) {
  const dist = (f) => import(pathToFileURL(join(resolve(root), "bench/dist", f)).href);
  const { storeTarget, rawBetterSqlite, rawLibsqlNative } = await dist("targets.js");
  const { template, workingCopy } = await dist("files.js");
  const { layoutOf, spread, sessionIdOf, contentOf } = await dist("data.js");
  const { SCHEMA_VERSION } = await import(
    pathToFileURL(join(resolve(root), "packages/core/dist/index.js")).href
  );
  const run = join(resolve(dataDir), "ab");
  mkdirSync(run, { recursive: true });
  const file = workingCopy(
    await template(resolve(dataDir), "store", size),
    join(run, `${name}.db`),
  );
  // The bench's workload (main.ts workloadFor).
  const refs = spread(layoutOf(size), 64, 0.25).map((index) => ({ index, id: sessionIdOf(index) }));
  const w = {
    hot: refs.filter((_, i) => i % 2 === 0),
    forkSources: refs.filter((_, i) => i % 2 === 1),
    texts: Array.from({ length: 1024 }, (_, k) => contentOf(size + k)),
  };
  const store = await storeTarget(values.driver, file, w);
  const raw =
    values.driver === "libsql" ? await rawLibsqlNative(file, w) : rawBetterSqlite(file, w);
  return { schema: SCHEMA_VERSION, store, raw, run };
}

const builds = {
  A: await build("a", values.a, values["data-a"]),
  B: await build("b", values.b, values["data-b"]),
};
const contestants = [];
for (const [b, x] of Object.entries(builds)) {
  for (const kind of ["store", "raw"]) {
    const t = x[kind];
    const fn = t.ops[values.op];
    if (!fn) throw new Error(`${t.label} of build ${b} has no case "${values.op}"`);
    contestants.push({ key: `${kind} ${b}`, fn, sync: t.sync, settle: t.settle });
  }
}

const rounds = Number(values.rounds);
const block = Number(values.block);
const times = Object.fromEntries(contestants.map((c) => [c.key, []]));
const perRound = [];
async function runBlock(c, timed) {
  const xs = [];
  for (let i = 0; i < block; i++) {
    const t0 = performance.now();
    if (c.sync) c.fn();
    else await c.fn();
    xs.push(performance.now() - t0);
  }
  await c.settle?.();
  if (timed) times[c.key].push(...xs);
  return median(xs);
}
try {
  for (const c of contestants) await runBlock(c, false);
  for (let r = 0; r < rounds; r++) {
    globalThis.gc?.();
    const order = r % 2 === 0 ? contestants : [...contestants].reverse();
    const m = {};
    for (const c of order) m[c.key] = await runBlock(c, true);
    perRound.push(m);
  }
} finally {
  for (const x of Object.values(builds)) {
    await x.store.close();
    await x.raw.close();
    rmSync(x.run, { recursive: true, force: true });
  }
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))];
const med = Object.fromEntries(Object.entries(times).map(([k, xs]) => [k, median(xs)]));
const spreadOf = (f) => {
  const xs = perRound.map(f);
  return `${median(xs).toFixed(3)} (p25 ${quantile(xs, 0.25).toFixed(3)}, p75 ${quantile(xs, 0.75).toFixed(3)})`;
};
console.log(
  JSON.stringify(
    {
      op: values.op,
      driver: values.driver,
      size,
      schemas: { A: builds.A.schema, B: builds.B.schema },
      callsEach: times["store A"].length,
      medianUs: Object.fromEntries(
        Object.entries(med).map(([k, v]) => [k, +(v * 1000).toFixed(1)]),
      ),
      storeOverRaw: {
        A: +(med["store A"] / med["raw A"]).toFixed(3),
        B: +(med["store B"] / med["raw B"]).toFixed(3),
      },
      storeBOverA: +(med["store B"] / med["store A"]).toFixed(3),
      rawBOverA: +(med["raw B"] / med["raw A"]).toFixed(3),
      storeOwnUs: {
        A: +((med["store A"] - med["raw A"]) * 1000).toFixed(1),
        B: +((med["store B"] - med["raw B"]) * 1000).toFixed(1),
      },
      perRound: {
        storeBOverA: spreadOf((m) => m["store B"] / m["store A"]),
        rawBOverA: spreadOf((m) => m["raw B"] / m["raw A"]),
      },
    },
    null,
    1,
  ),
);
