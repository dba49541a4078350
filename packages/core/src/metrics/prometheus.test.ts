import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.js";
import { toPrometheus } from "./prometheus.js";
import { sampleMetrics } from "./test-support/sample-metrics.js";

/** Every line is a HELP, a TYPE or `name{labels} value`. */
const LINE =
  /^(# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*|[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*",?)*\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf))$/;

describe("toPrometheus", () => {
  it("writes only valid lines, HELP and TYPE before each family, ending with a line feed", () => {
    const text = toPrometheus(sampleMetrics());
    expect(text.endsWith("\n")).toBe(true);
    const lines = text.slice(0, -1).split("\n");
    for (const line of lines) expect(line).toMatch(LINE);
    const types = lines.filter((l) => l.startsWith("# TYPE ")).map((l) => l.split(" ")[2]);
    expect(new Set(types).size).toBe(types.length);
  });

  it("renders counters, the latency summary in seconds, and gauges with their values", () => {
    const text = toPrometheus(sampleMetrics());
    expect(text).toContain(
      'llm_sessions_operations_total{operation="messages.append",outcome="ok"} 1\n',
    );
    expect(text).toContain(
      'llm_sessions_operations_total{operation="messages.append",outcome="error"} 1\n',
    );
    expect(text).toContain(
      'llm_sessions_operation_duration_seconds{operation="messages.append",quantile="0.99"} 0.004\n',
    );
    expect(text).toContain(
      'llm_sessions_operation_duration_seconds_sum{operation="messages.append"} 0.006\n',
    );
    expect(text).toContain(
      'llm_sessions_operation_duration_seconds_count{operation="messages.append"} 2\n',
    );
    expect(text).toContain("# TYPE llm_sessions_operation_duration_seconds summary\n");
    expect(text).toContain('llm_sessions_database_pages{kind="free"} 100\n');
    expect(text).toContain("llm_sessions_database_wal_bytes 8192\n");
    expect(text).toContain('llm_sessions_sessions{status="archived"} 1\n');
    expect(text).toContain("llm_sessions_uptime_seconds 12.5\n");
    expect(text).not.toContain("llm_sessions_lifecycle_");
  });

  it("adds lifecycle figures when present, and leaves out what is unknown", () => {
    const text = toPrometheus(
      sampleMetrics({
        database: { walBytes: undefined },
        lifecycle: {
          sweeps: 2,
          sweepsSkipped: 1,
          sweepFailures: 0,
          idled: 3,
          archived: 4,
          restored: 5,
          purged: 6,
          lastSweepDurationMs: 250,
          lastSweepAt: 1,
        },
      }),
    );
    expect(text).toContain('llm_sessions_lifecycle_sessions_total{action="purged"} 6\n');
    expect(text).toContain('llm_sessions_lifecycle_sweeps_total{outcome="skipped"} 1\n');
    expect(text).toContain("llm_sessions_lifecycle_last_sweep_duration_seconds 0.25\n");
    expect(text).not.toContain("wal_bytes");
  });

  it("escapes label values and applies the prefix and common labels", () => {
    const text = toPrometheus(sampleMetrics(), {
      prefix: "app_store",
      labels: { db: 'a"b\\c\nd' },
    });
    expect(text).toContain('app_store_pool_waiting{db="a\\"b\\\\c\\nd"} 0\n');
    expect(text).not.toContain("llm_sessions_");
  });

  it("refuses a prefix or label name Prometheus would reject", () => {
    expect(() => toPrometheus(sampleMetrics(), { prefix: "9bad" })).toThrow(ValidationError);
    expect(() => toPrometheus(sampleMetrics(), { labels: { "bad-name": "x" } })).toThrow(
      ValidationError,
    );
    expect(() => toPrometheus(sampleMetrics(), { labels: { __reserved: "x" } })).toThrow(
      ValidationError,
    );
  });
});
