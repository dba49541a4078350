// Two builds of the store in one process, timed alternately: the same operation (default: the
// text append of one 400-byte user message) on build A and on build B, in blocks of calls that
// alternate A, B, B, A, … so that the load of a shared machine falls on both alike.
//
//   node --expose-gc bench/scripts/ab-append.mjs --a <root> --b <root> --template-a <db> --template-b <db>
//        [--driver better-sqlite3|libsql] [--op append|append10|last|get|list] [--rounds 80] [--block 40]
//
// A root is a folder holding built `packages/core/dist` and `packages/adapter-*/dist` (this
// repository, or an archive of an earlier commit), so each build uses its own core, adapter and
// driver. The templates are the bench's (`bench/.data/templates/store-10k-*.db`, one per
// schema): each build works on its own copy. Prints each side's median and mean latency over all
// calls, and B ÷ A of the medians with the spread of the per-round ratios.
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    a: { type: "string" },
    b: { type: "string" },
    "template-a": { type: "string" },
    "template-b": { type: "string" },
    driver: { type: "string", default: "better-sqlite3" },
    op: { type: "string", default: "append" },
    rounds: { type: "string", default: "80" },
    block: { type: "string", default: "40" },
  },
});
for (const k of ["a", "b", "template-a", "template-b"]) {
  if (!values[k]) throw new Error(`--${k} is required`);
}
const here = new URL("..", import.meta.url).pathname;
const { contentOf } = await import(pathToFileURL(join(here, "dist/data.js")).href);
const dir = mkdtempSync(join(tmpdir(), "ab-append-"));

async function open(root, template, name) {
  const load = (p) => import(pathToFileURL(join(resolve(root), p, "dist/index.js")).href);
  const { openStore, SCHEMA_VERSION } = await load("packages/core");
  const file = join(dir, `${name}.db`);
  copyFileSync(template, file);
  const driver =
    values.driver === "libsql"
      ? (await load("packages/adapter-libsql")).libsql({ url: `file:${file}` })
      : (await load("packages/adapter-better-sqlite")).betterSqlite({ filename: file });
  const store = await openStore({ driver });
  // 32 sessions spread over the file, as the bench's hot sessions are.
  const all = (await store.sessions.list({ tenantId: null, limit: 1000 })).items.map((s) => s.id);
  const hot = all.filter((_, i) => i % Math.max(1, Math.floor(all.length / 32)) === 0).slice(0, 32);
  return { store, hot, n: 0, schema: SCHEMA_VERSION };
}

const sides = {
  A: await open(values.a, values["template-a"], "a"),
  B: await open(values.b, values["template-b"], "b"),
};
const ops = {
  append: (s) =>
    s.store.messages.append(s.hot[s.n % s.hot.length], {
      role: "user",
      content: contentOf(10_000 + (s.n % 1024)),
    }),
  append10: (s) =>
    s.store.messages.append(
      s.hot[s.n % s.hot.length],
      Array.from({ length: 10 }, (_, k) => ({
        role: "user",
        content: contentOf(10_000 + ((s.n + k) % 1024)),
      })),
    ),
  last: (s) => s.store.messages.last(s.hot[s.n % s.hot.length], 50),
  get: (s) => s.store.sessions.get(s.hot[s.n % s.hot.length]),
  list: (s) => s.store.sessions.list({ tenantId: null, limit: 50 }),
};
const op = ops[values.op];
if (!op) throw new Error(`--op: one of ${Object.keys(ops).join(", ")}`);

const rounds = Number(values.rounds);
const block = Number(values.block);
const times = { A: [], B: [] };
const roundRatios = [];
async function runBlock(name) {
  const s = sides[name];
  const xs = [];
  for (let i = 0; i < block; i++) {
    const t0 = performance.now();
    await op(s);
    xs.push(performance.now() - t0);
    s.n++;
  }
  times[name].push(...xs);
  return median(xs);
}
try {
  // Warm-up, untimed.
  for (const name of ["A", "B"])
    for (let i = 0; i < 100; i++) {
      await op(sides[name]);
      sides[name].n++;
    }
  for (let r = 0; r < rounds; r++) {
    globalThis.gc?.();
    const order = r % 2 === 0 ? ["A", "B"] : ["B", "A"];
    const m = {};
    for (const name of order) m[name] = await runBlock(name);
    roundRatios.push(m.B / m.A);
  }
} finally {
  for (const s of Object.values(sides)) await s.store.close();
  rmSync(dir, { recursive: true, force: true });
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))];
const us = (ms) => (ms * 1000).toFixed(1);
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log(
  JSON.stringify({
    driver: values.driver,
    op: values.op,
    calls: times.A.length,
    A: { schema: sides.A.schema, medianUs: us(median(times.A)), meanUs: us(mean(times.A)) },
    B: { schema: sides.B.schema, medianUs: us(median(times.B)), meanUs: us(mean(times.B)) },
    bOverAMedian: (median(times.B) / median(times.A)).toFixed(3),
    bOverAMean: (mean(times.B) / mean(times.A)).toFixed(3),
    roundRatios: {
      median: median(roundRatios).toFixed(3),
      p25: quantile(roundRatios, 0.25).toFixed(3),
      p75: quantile(roundRatios, 0.75).toFixed(3),
    },
  }),
);
