#!/usr/bin/env node
/**
 * Compares the store ÷ raw ratios of two sets of bench reports (the files
 * `npm run bench -- --out F` writes): for example the commit before a change
 * and the commit after it, run alternately on one machine.
 *
 *   node bench/scripts/compare.mjs --before b1.md,b2.md --after a1.md,a2.md
 *
 * Why ratios and medians of runs: on a shared machine the absolute figures of
 * one run swing with the load, but store and raw of the same run see the same
 * load, and alternating before/after runs spreads the rest over both sides.
 * Prints, per case and driver, the median ratio of each side, the spread of
 * the runs, and after ÷ before.
 *
 * `--column "store median µs"` (any column of the size table) compares that
 * column instead: absolute figures, which carry the load of each run.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    before: { type: "string" },
    after: { type: "string" },
    column: { type: "string", default: "store ÷ raw" },
  },
});
if (!values.before || !values.after) {
  console.error("usage: compare.mjs --before a.md,b.md --after c.md,d.md");
  process.exit(2);
}

/** `case|driver` → store ÷ raw, from the first size table of one report. */
function ratios(file) {
  const lines = readFileSync(file, "utf8").split("\n");
  const header = lines.findIndex((l) => l.startsWith("| case | driver | store median"));
  if (header < 0) throw new Error(`${file}: no store/raw table`);
  const columns = lines[header].split("|").map((c) => c.trim());
  const at = columns.indexOf(values.column);
  if (at < 0) throw new Error(`${file}: no column "${values.column}"`);
  const found = new Map();
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith("|")) break;
    const cells = line.split("|").map((c) => c.trim());
    const value = Number(cells[at].replace(/,/g, ""));
    if (Number.isFinite(value)) found.set(`${cells[1]}|${cells[2]}`, value);
  }
  return found;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

function side(list) {
  const runs = list.split(",").map(ratios);
  const keys = new Set(runs.flatMap((r) => [...r.keys()]));
  const out = new Map();
  for (const key of keys) {
    const xs = runs.map((r) => r.get(key)).filter((x) => x !== undefined);
    out.set(key, { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length });
  }
  return out;
}

const before = side(values.before);
const after = side(values.after);
const fmt = (x) => x.toFixed(2);
console.log(
  `| case | driver | before ${values.column} (min–max) | after ${values.column} (min–max) | after ÷ before |`,
);
console.log("| --- | --- | ---: | ---: | ---: |");
for (const [key, a] of after) {
  const b = before.get(key);
  const [op, driver] = key.split("|");
  const was = b ? `${fmt(b.median)} (${fmt(b.min)}–${fmt(b.max)})` : "—";
  const change = b ? fmt(a.median / b.median) : "new";
  console.log(
    `| ${op} | ${driver} | ${was} | ${fmt(a.median)} (${fmt(a.min)}–${fmt(a.max)}) | ${change} |`,
  );
}
console.log(
  `\n${values.before.split(",").length} runs before, ${values.after.split(",").length} after.`,
);
