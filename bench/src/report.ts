/**
 * The tables (Markdown, printed and written to RESULTS.md) and the targets,
 * each marked met or not from the figures of this run.
 */
import type { ConcurrencyRow } from "./concurrency.js";
import { sizeLabel } from "./data.js";
import type { StudyRow } from "./fts-study.js";
import type { MemoryRow } from "./memory.js";
import { RAW_WAY, type RemoteRow } from "./remote.js";
import type { Timing } from "./runner.js";
import type { SqlCheck } from "./sql-check.js";
import type { Driver, Op } from "./targets.js";

export interface CaseResult {
  readonly size: number;
  readonly op: Op;
  readonly timings: ReadonlyMap<string, Timing>;
}

export interface Results {
  readonly cases: readonly CaseResult[];
  readonly sizes: readonly number[];
  readonly concurrency: readonly ConcurrencyRow[];
  readonly memory: readonly MemoryRow[];
  readonly sqlCheck: readonly SqlCheck[];
  readonly study: readonly StudyRow[];
  readonly remote: readonly RemoteRow[];
}

const DRIVERS: readonly { driver: Driver; short: string }[] = [
  { driver: "better-sqlite3", short: "bs3" },
  { driver: "libsql", short: "libsql" },
  { driver: "node:sqlite", short: "node" },
];

/** Operations the peer has, under our names. */
const PEER_OPS: ReadonlySet<Op> = new Set<Op>(["sessions.create", "append 1", "last(50)"]);

/** Microseconds, three significant figures, from milliseconds. */
export function us(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return "—";
  const v = ms * 1000;
  if (v >= 10_000) return Math.round(v).toLocaleString("en-US");
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

const ops = (n: number | undefined): string =>
  n === undefined || !Number.isFinite(n) ? "—" : Math.round(n).toLocaleString("en-US");
const ratio = (n: number | undefined, digits = 2): string =>
  n === undefined || !Number.isFinite(n) ? "—" : n.toFixed(digits);

function table(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  align?: string,
): string {
  const sep = align ?? head.map((_, i) => (i < 2 ? "---" : "---:")).join(" | ");
  return [`| ${head.join(" | ")} |`, `| ${sep} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join(
    "\n",
  );
}

function timing(r: Results, size: number, op: Op, label: string): Timing | undefined {
  const t = r.cases.find((c) => c.size === size && c.op === op)?.timings.get(label);
  return t && !t.error ? t : undefined;
}

/** The main table of one size: store and raw side by side, per operation and driver. */
export function sizeTable(r: Results, size: number): string {
  const rows: string[][] = [];
  for (const c of r.cases.filter((x) => x.size === size)) {
    for (const { driver, short } of DRIVERS) {
      const store = c.timings.get(`store/${short}`);
      const raw = c.timings.get(`raw/${short}`);
      if (!store && !raw) continue;
      const peer = PEER_OPS.has(c.op) ? c.timings.get("mastra") : undefined;
      const err = store?.error ?? raw?.error;
      rows.push([
        c.op,
        driver,
        us(store?.median),
        us(store?.p95),
        ops(store?.opsPerSec),
        us(raw?.median),
        us(raw?.p95),
        ops(raw?.opsPerSec),
        ratio(store && raw ? store.median / raw.median : undefined),
        us(peer?.median),
        peer && store ? `${ratio(peer.median / store.median, 1)}×` : "—",
        ...(err ? [`error: ${err}`] : []),
      ]);
    }
  }
  return table(
    [
      "case",
      "driver",
      "store median µs",
      "store p95 µs",
      "store ops/s",
      "raw median µs",
      "raw p95 µs",
      "raw ops/s",
      "store ÷ raw",
      "peer median µs",
      "peer ÷ store",
    ],
    rows,
  );
}

/** The peer's own figures, and how the store compares on each driver. */
export function peerTable(r: Results): string {
  const rows: string[][] = [];
  for (const size of r.sizes) {
    for (const c of r.cases.filter((x) => x.size === size && PEER_OPS.has(x.op))) {
      const peer = c.timings.get("mastra");
      if (!peer) continue;
      const cells = [sizeLabel(size), c.op, us(peer.median), us(peer.p95), ops(peer.opsPerSec)];
      for (const { short } of DRIVERS) {
        const store = c.timings.get(`store/${short}`);
        cells.push(
          us(store?.median),
          store && !peer.error ? `${ratio(peer.median / store.median, 1)}×` : "—",
          store && !peer.error ? `${ratio(store.opsPerSec / peer.opsPerSec, 1)}×` : "—",
        );
      }
      rows.push(cells);
    }
  }
  return table(
    [
      "size",
      "case",
      "peer median µs",
      "peer p95 µs",
      "peer ops/s",
      "store/bs3 median µs",
      "bs3 speed-up (median)",
      "bs3 speed-up (ops/s)",
      "store/libsql median µs",
      "libsql speed-up (median)",
      "libsql speed-up (ops/s)",
    ],
    rows,
  );
}

/** Store medians per size, and the largest over the smallest. */
export function growthTable(r: Results): string {
  const rows: string[][] = [];
  const ordered = [...r.sizes].sort((a, b) => a - b);
  const first = ordered[0];
  const last = ordered[ordered.length - 1];
  const opsSeen = [...new Set(r.cases.map((c) => c.op))];
  for (const op of opsSeen) {
    for (const { driver, short } of DRIVERS) {
      const cells = ordered.map((s) => us(timing(r, s, op, `store/${short}`)?.median));
      const a = first === undefined ? undefined : timing(r, first, op, `store/${short}`);
      const b = last === undefined ? undefined : timing(r, last, op, `store/${short}`);
      rows.push([op, driver, ...cells, ratio(a && b ? b.median / a.median : undefined)]);
    }
  }
  return table(
    [
      "case",
      "driver",
      ...ordered.map((s) => `${sizeLabel(s)} µs`),
      `${sizeLabel(last ?? 0)} ÷ ${sizeLabel(first ?? 0)}`,
    ],
    rows,
  );
}

export function concurrencyTable(r: Results): string {
  const rows = r.concurrency.map((c) => {
    const one = r.concurrency.find((x) => x.label === c.label && x.processes === 1);
    const codes = Object.entries(c.errorCodes)
      .map(([code, n]) => `${code} ${n}`)
      .join(", ");
    return [
      c.label,
      String(c.processes),
      ops(c.opsPerSec),
      one ? `${Math.round((100 * c.opsPerSec) / one.opsPerSec)}%` : "—",
      c.errors === 0 ? "0" : `${c.errors} (${codes})`,
      c.processes > 1 ? `${ops(c.minOk)}–${ops(c.maxOk)}` : ops(c.ok),
      c.p99Ms.toFixed(2),
      c.maxMs.toFixed(1),
    ];
  });
  return table(
    [
      "writer",
      "processes",
      "appends/s (all)",
      "of 1 process",
      "errors",
      "appends per process",
      "p99 ms",
      "max ms",
    ],
    rows,
  );
}

export function studyTable(r: Results): string {
  const base = r.study.find((s) => s.variant === "v1");
  return table(
    [
      "variant",
      "median µs",
      "p95 µs",
      "mean µs",
      "mean ÷ v1",
      "WAL pages per append",
      "what it is",
      "what search sees",
    ],
    r.study.map((s) => [
      s.variant,
      us(s.median),
      us(s.p95),
      us(s.mean),
      ratio(base ? s.mean / base.mean : undefined),
      Number.isFinite(s.framesPerAppend) ? s.framesPerAppend.toFixed(1) : "—",
      s.what,
      s.search,
    ]),
    "--- | ---: | ---: | ---: | ---: | ---: | --- | ---",
  );
}

const mb = (bytes: number): string => (Number.isFinite(bytes) ? (bytes / 1e6).toFixed(1) : "—");

/**
 * Resident memory by reader count. PSS is the target's figure: the readers
 * map the file (`mmapSizeBytes`), and RSS counts a mapped page of the OS's
 * file cache once per reader that touched it; PSS counts it once. anon is
 * private memory (heaps, SQLite's page caches).
 */
export function memoryTable(r: Results): string {
  const rows = r.memory.map((m) => [
    m.driver,
    String(m.cacheSize),
    ...m.rss.map(
      (p) =>
        `${mb(p.pssBytes)} / ${mb(p.rssBytes)} / ${mb(p.anonBytes)}${p.readersOpen === p.readers ? "" : ` (${p.readersOpen} open)`}`,
    ),
    (m.pssBytesPerReader / 1e6).toFixed(2),
    (m.rssBytesPerReader / 1e6).toFixed(2),
    (m.anonBytesPerReader / 1e6).toFixed(2),
  ]);
  const counts = r.memory[0]?.rss.map((p) => p.readers) ?? [];
  return table(
    [
      "driver",
      "reader cache_size",
      ...counts.map((n) => `${n} reader${n === 1 ? "" : "s"}: PSS / RSS / anon, MB`),
      "MB per extra reader (PSS)",
      "MB per extra reader (RSS)",
      "MB per extra reader (anon)",
    ],
    rows,
  );
}

export interface Target {
  readonly name: string;
  readonly met: boolean | undefined;
  readonly detail: string;
}

export function evaluateTargets(r: Results): Target[] {
  const out: Target[] = [];
  const sizes = [...r.sizes].sort((a, b) => a - b);
  const perSize = (op: Op, label: string, other: string, f: (a: Timing, b: Timing) => number) =>
    sizes.map((s) => {
      const a = timing(r, s, op, label);
      const b = timing(r, s, op, other);
      return { size: s, value: a && b ? f(a, b) : Number.NaN };
    });
  const judge = (
    name: string,
    values: { size: number; value: number }[],
    ok: (v: number) => boolean,
  ) => {
    const known = values.filter((v) => Number.isFinite(v.value));
    out.push({
      name,
      met: known.length === 0 ? undefined : known.every((v) => ok(v.value)),
      detail: known.length
        ? known.map((v) => `${ratio(v.value)} at ${sizeLabel(v.size)}`).join(", ")
        : "not measured",
    });
  };
  for (const [short, limit] of [
    ["bs3", 1.3],
    ["libsql", 1.5],
  ] as const) {
    for (const op of ["append 1", "last(50)"] as const) {
      judge(
        `${op} on ${short}: store ÷ raw ≤ ${limit}`,
        perSize(op, `store/${short}`, `raw/${short}`, (a, b) => a.median / b.median),
        (v) => v <= limit,
      );
    }
  }
  for (const [short, append, last] of [
    ["bs3", 2.5, 4],
    ["libsql", 1.5, 1.5],
  ] as const) {
    judge(
      `append 1 on ${short}: ≥ ${append}× faster than the peer (median)`,
      perSize("append 1", "mastra", `store/${short}`, (a, b) => a.median / b.median),
      (v) => v >= append,
    );
    judge(
      `last(50) on ${short}: ≥ ${last}× faster than the peer (median)`,
      perSize("last(50)", "mastra", `store/${short}`, (a, b) => a.median / b.median),
      (v) => v >= last,
    );
  }
  {
    // Issue 16: the append against Mastra's saveMessages at 100k stored, better-sqlite3.
    const store = timing(r, 100_000, "append 1", "store/bs3");
    const peer = timing(r, 100_000, "append 1", "mastra");
    out.push({
      name: "append 1 on bs3 at 100k: ≥ 1.6× faster than the peer's saveMessages (median)",
      met: store && peer ? peer.median / store.median >= 1.6 : undefined,
      detail:
        store && peer
          ? `${ratio(peer.median / store.median)} (${us(peer.median)} µs vs ${us(store.median)} µs; by ops/s ${ratio(store.opsPerSec / peer.opsPerSec)})`
          : "not measured (needs 100k)",
    });
  }
  for (const { short } of DRIVERS) {
    for (const op of ["search rare", "search common"] as const) {
      const t = timing(r, 1_000_000, op, `store/${short}`);
      out.push({
        name: `${op} on ${short}: p95 ≤ 10 ms with 1M messages`,
        met: t ? t.p95 <= 10 : undefined,
        detail: t
          ? `p95 ${us(t.p95)} µs (median ${us(t.median)} µs)`
          : "not measured (needs --full)",
      });
    }
  }
  for (const { short } of DRIVERS) {
    const a = timing(r, 10_000, "append 1", `store/${short}`);
    const b = timing(r, 1_000_000, "append 1", `store/${short}`);
    out.push({
      name: `append 1 on ${short}: median at 1M ≤ 1.5 × median at 10k`,
      met: a && b ? b.median <= 1.5 * a.median : undefined,
      detail:
        a && b
          ? `${us(b.median)} µs vs ${us(a.median)} µs: ${ratio(b.median / a.median)}`
          : "not measured (needs --full)",
    });
  }
  for (const label of ["store/bs3", "store/libsql"]) {
    const one = r.concurrency.find((c) => c.label === label && c.processes === 1);
    const four = r.concurrency.find((c) => c.label === label && c.processes === 4);
    out.push({
      name: `4 processes writing (${label}): 0 errors, ≥ 70% of 1 process`,
      met: one && four ? four.errors === 0 && four.opsPerSec >= 0.7 * one.opsPerSec : undefined,
      detail:
        one && four
          ? `${four.errors} errors, ${Math.round((100 * four.opsPerSec) / one.opsPerSec)}% (${ops(four.opsPerSec)} vs ${ops(one.opsPerSec)} appends/s)`
          : "not measured",
    });
  }
  for (const op of ["append", "last(50)"] as const) {
    const rows = r.remote.filter((x) => x.op === op && !x.store.error && !x.raw.error);
    out.push({
      name: `remote ${op}: store ÷ raw client ≤ 1.3 (sqld on loopback)`,
      met: rows.length === 0 ? undefined : rows.every((x) => x.store.median / x.raw.median <= 1.3),
      detail: rows.length
        ? rows.map((x) => `${ratio(x.store.median / x.raw.median)} over ${x.scheme}`).join(", ")
        : "not measured",
    });
  }
  for (const m of r.memory) {
    out.push({
      name: `memory per extra reader (${m.driver}): ≤ 0.8 MB`,
      met: Number.isFinite(m.pssBytesPerReader) ? m.pssBytesPerReader <= 0.8e6 : undefined,
      detail: `${(m.pssBytesPerReader / 1e6).toFixed(2)} MB of PSS (${(m.anonBytesPerReader / 1e6).toFixed(2)} MB private; RSS ${(m.rssBytesPerReader / 1e6).toFixed(2)} MB, which counts the mapped file once per reader), reader cache_size ${m.cacheSize}`,
    });
  }
  return out;
}

/** The remote section: store and raw client per scheme and case, medians and their ratio. */
export function remoteTable(r: Results): string {
  const ms = (t: Timing) => (t.error ? `error (${t.error})` : `${t.median.toFixed(2)} ms`);
  return table(
    [
      "case",
      "scheme",
      "store",
      "raw client",
      "store ÷ raw",
      "without index passes ÷ raw",
      "raw client sends",
    ],
    r.remote.map((x) => [
      x.op,
      x.scheme,
      ms(x.store),
      ms(x.raw),
      x.store.error || x.raw.error ? "—" : ratio(x.store.median / x.raw.median),
      x.storeNoPasses && !x.storeNoPasses.error && !x.raw.error
        ? ratio(x.storeNoPasses.median / x.raw.median)
        : "—",
      RAW_WAY[x.op],
    ]),
  );
}

export function targetsTable(targets: readonly Target[]): string {
  return table(
    ["target", "met", "this run"],
    targets.map((t) => [t.name, t.met === undefined ? "n/a" : t.met ? "yes" : "**no**", t.detail]),
    "--- | :---: | ---",
  );
}

export function sqlCheckLine(checks: readonly SqlCheck[]): string {
  if (checks.length === 0) return "Raw SQL check: skipped.";
  const bad = checks.filter((c) => !c.same);
  if (bad.length === 0) {
    return `Raw SQL check: for all ${checks.length} cases the raw contestants send exactly the statements the store sends (better-sqlite3 \`verbose\`, pragmas aside).`;
  }
  return [
    `Raw SQL check: **${bad.length} case(s) differ** — the raw figures of these do not run the store's SQL; update src/sql.ts:`,
    ...bad.map((c) => {
      // The first statement that differs, whole (the difference is often past any excerpt).
      const at = c.store.findIndex((s, i) => s !== c.raw[i]);
      const i = at === -1 ? c.store.length : at;
      return `- ${c.op}, statement ${i + 1} of ${c.store.length} (raw: ${c.raw.length})\n  - store: \`${c.store[i] ?? "(none)"}\`\n  - raw: \`${c.raw[i] ?? "(none)"}\``;
    }),
  ].join("\n");
}
