import { ValidationError } from "../errors.js";
import type { WaitPercentiles } from "../pool/index.js";
import type { StoreMetrics } from "./types.js";

/** Options of `toPrometheus`. */
export interface PrometheusOptions {
  /** Prefix of every metric name. Default `llm_sessions`. */
  readonly prefix?: string;
  /** Labels added to every sample, e.g. `{ store: "router" }` when one process has several stores. */
  readonly labels?: Readonly<Record<string, string>>;
}

type Labels = Readonly<Record<string, string>>;
type MetricType = "counter" | "gauge" | "summary";

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const QUANTILES: readonly (readonly [string, keyof WaitPercentiles])[] = [
  ["0.5", "p50"],
  ["0.95", "p95"],
  ["0.99", "p99"],
];

/** Accumulates metric families in the text exposition format (version 0.0.4). */
class Exposition {
  readonly #lines: string[] = [];
  readonly #prefix: string;
  readonly #common: Labels;

  constructor(prefix: string, common: Labels) {
    this.#prefix = prefix;
    this.#common = common;
  }

  family(
    name: string,
    type: MetricType,
    help: string,
  ): (value: number, labels?: Labels, suffix?: string) => void {
    const full = `${this.#prefix}_${name}`;
    this.#lines.push(`# HELP ${full} ${help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`);
    this.#lines.push(`# TYPE ${full} ${type}`);
    return (value, labels = {}, suffix = "") => {
      this.#lines.push(
        `${full}${suffix}${renderLabels({ ...this.#common, ...labels })} ${renderValue(value)}`,
      );
    };
  }

  text(): string {
    return `${this.#lines.join("\n")}\n`;
  }
}

/**
 * Renders `store.metrics()` in Prometheus' text exposition format, ready to
 * serve at `/metrics` (content type `text/plain; version=0.0.4`). Durations
 * are in seconds and sizes in bytes, as Prometheus names them. Operation
 * latencies are a summary: quantiles over the last 1024 calls, `_sum` and
 * `_count` since the store opened.
 *
 * @throws ValidationError for a prefix or label name Prometheus would reject.
 */
export function toPrometheus(metrics: StoreMetrics, options: PrometheusOptions = {}): string {
  const prefix = options.prefix ?? "llm_sessions";
  const labels = options.labels ?? {};
  if (!METRIC_NAME.test(prefix)) {
    throw new ValidationError("toPrometheus", [
      { path: "prefix", message: "must match [a-zA-Z_:][a-zA-Z0-9_:]*" },
    ]);
  }
  for (const name of Object.keys(labels)) {
    if (!LABEL_NAME.test(name) || name.startsWith("__")) {
      throw new ValidationError("toPrometheus", [
        {
          path: `labels.${name}`,
          message: "must match [a-zA-Z_][a-zA-Z0-9_]* and not start with __",
        },
      ]);
    }
  }
  const out = new Exposition(prefix, labels);
  const ops = Object.entries(metrics.operations);

  const calls = out.family(
    "operations_total",
    "counter",
    "Store operations completed, by operation and outcome.",
  );
  for (const [operation, m] of ops) {
    calls(m.count, { operation, outcome: "ok" });
    calls(m.errors, { operation, outcome: "error" });
  }
  const latency = out.family(
    "operation_duration_seconds",
    "summary",
    "Store operation latency: quantiles over the last 1024 calls, sum and count since open.",
  );
  for (const [operation, m] of ops) {
    for (const [quantile, key] of QUANTILES)
      latency(m.latencyMs[key] / 1000, { operation, quantile });
    latency(m.totalMs / 1000, { operation }, "_sum");
    latency(m.count + m.errors, { operation }, "_count");
  }

  const pool = metrics.pool;
  const connections = out.family(
    "pool_connections",
    "gauge",
    "Open pool connections, by lane and state.",
  );
  for (const [lane, s] of [
    ["writer", pool.writer],
    ["readers", pool.readers],
  ] as const) {
    connections(s.idle, { lane, state: "idle" });
    connections(s.busy, { lane, state: "busy" });
  }
  out.family("pool_waiting", "gauge", "Callers queued for a connection.")(pool.waiting);
  const wait = out.family(
    "pool_wait_seconds",
    "gauge",
    "Wait for a connection over the last 1024 acquisitions, by quantile.",
  );
  for (const [quantile, key] of QUANTILES) wait(pool.waitMs[key] / 1000, { quantile });
  const poolCounters: readonly (readonly [string, number, string])[] = [
    ["pool_acquired_total", pool.acquired, "Connections handed out."],
    ["pool_timeouts_total", pool.timedOut, "Callers that gave up after acquireTimeoutMs."],
    ["pool_overloaded_total", pool.overloaded, "Callers refused because maxWaiting were queued."],
    ["pool_replaced_total", pool.replaced, "Connections discarded and replaced."],
    ["pool_busy_retries_total", pool.busyRetries, "BEGIN IMMEDIATE retries after SQLITE_BUSY."],
    ["pool_checkpoints_total", pool.checkpoints, "Draining WAL checkpoints run."],
  ];
  for (const [name, value, help] of poolCounters) out.family(name, "counter", help)(value);

  const db = metrics.database;
  const pages = out.family("database_pages", "gauge", "Database pages, all and free.");
  pages(db.pageCount, { kind: "all" });
  pages(db.freelistCount, { kind: "free" });
  out.family("database_page_size_bytes", "gauge", "Bytes per database page.")(db.pageSize);
  out.family("database_file_bytes", "gauge", "Bytes of the database file.")(db.fileBytes);
  if (db.walBytes !== undefined) {
    out.family("database_wal_bytes", "gauge", "Bytes of the write-ahead log.")(db.walBytes);
  }

  const sessions = out.family("sessions", "gauge", "Sessions by status.");
  for (const status of ["active", "idle", "archived"] as const)
    sessions(metrics.sessions[status], { status });

  const lc = metrics.lifecycle;
  if (lc) {
    const moved = out.family(
      "lifecycle_sessions_total",
      "counter",
      "Sessions moved by the lifecycle, by action.",
    );
    for (const action of ["idled", "archived", "restored", "purged"] as const)
      moved(lc[action], { action });
    const sweeps = out.family("lifecycle_sweeps_total", "counter", "Lifecycle sweeps, by outcome.");
    sweeps(lc.sweeps, { outcome: "done" });
    sweeps(lc.sweepsSkipped, { outcome: "skipped" });
    sweeps(lc.sweepFailures, { outcome: "failed" });
    if (lc.lastSweepDurationMs !== null) {
      out.family(
        "lifecycle_last_sweep_duration_seconds",
        "gauge",
        "Duration of the last sweep.",
      )(lc.lastSweepDurationMs / 1000);
    }
  }
  out.family("uptime_seconds", "gauge", "Seconds since the store opened.")(metrics.uptimeMs / 1000);
  return out.text();
}

function renderLabels(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return "";
  return `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}`;
}

/** Label values escape backslash, double quote and line feed. */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function renderValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}
