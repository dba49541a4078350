import type { SuiteResult } from "../suite/types.js";

const HEADERS = [
  "suite",
  "adapter",
  "result",
  "operations",
  "failures",
  "p50 ms",
  "p95 ms",
  "p99 ms",
  "duration",
];

/** The final table: one row per suite and adapter. */
export function formatTable(results: readonly SuiteResult[]): string {
  const rows = results.map((r) => [
    r.suite,
    r.adapter,
    r.status === "skipped" ? "skipped" : r.status === "passed" ? "ok" : "FAILED",
    r.operations.toLocaleString("en-US"),
    String(r.failures),
    fixed(r.latency.p50),
    fixed(r.latency.p95),
    fixed(r.latency.p99),
    seconds(r.durationMs),
  ]);
  const widths = HEADERS.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)),
  );
  const right = new Set([3, 4, 5, 6, 7, 8]);
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (right.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (right.has(i) ? `${"-".repeat(w + 1)}:` : `:${"-".repeat(w + 1)}`)).join("|")}|`;
  return [line(HEADERS), rule, ...rows.map(line)].join("\n");
}

function fixed(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

function seconds(ms: number): string {
  return ms >= 60_000
    ? `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`
    : `${(ms / 1000).toFixed(1)}s`;
}
