import { describe, expect, it } from "vitest";
import { duration, parseRunnerArgs } from "./args.js";
import { formatTable } from "./table.js";

describe("llm-sessions-stress arguments", () => {
  it("defaults to every suite on every preset's file target, CI profile", () => {
    const args = parseRunnerArgs([]);
    expect(args.suites).toEqual([]);
    expect(args.adapters.map((a) => a.name)).toEqual([
      "better-sqlite3 (file)",
      "libsql (file)",
      "node:sqlite (file)",
    ]);
    expect(args.profile).toBe("ci");
  });

  it("reads suites, adapters, targets, seed and duration", () => {
    const args = parseRunnerArgs([
      "-s",
      "crash,model",
      "--adapter",
      "libsql",
      "--target",
      "all",
      "--seed",
      "7",
      "-d",
      "90s",
      "-p",
      "full",
    ]);
    expect(args.suites).toEqual(["crash", "model"]);
    expect(args.adapters.map((a) => a.name)).toEqual(["libsql (file)", "libsql (:memory:)"]);
    expect([args.seed, args.durationMs, args.profile]).toEqual([7, 90_000, "full"]);
  });

  it("reads writers and kills, and refuses them out of range", () => {
    const args = parseRunnerArgs(["-w", "8", "--kills", "500"]);
    expect([args.writers, args.kills]).toEqual([8, 500]);
    expect(parseRunnerArgs([]).writers).toBeUndefined();
    expect(() => parseRunnerArgs(["--writers", "0"])).toThrow(/--writers must be between 1 and 64/);
    expect(() => parseRunnerArgs(["--writers", "65"])).toThrow(/--writers/);
    expect(() => parseRunnerArgs(["--kills", "2.5"])).toThrow(/--kills must be an integer/);
  });

  it("takes a third-party adapter by module and export", () => {
    const [spec] = parseRunnerArgs([
      "--adapter-module",
      "my-sqlite",
      "--adapter-export",
      "mySqlite",
    ]).adapters;
    expect(spec).toEqual({
      name: "my-sqlite",
      module: "my-sqlite",
      export: "mySqlite",
      options: { filename: "{path}" },
    });
  });

  it("refuses what it does not know", () => {
    expect(() => parseRunnerArgs(["--suite", "nope"])).toThrow(/unknown suite/);
    expect(() => parseRunnerArgs(["--adapter", "nope"])).toThrow(/unknown adapter/);
    expect(() => parseRunnerArgs(["--profile", "huge"])).toThrow(/ci or full/);
    expect(() => parseRunnerArgs(["--frobnicate"])).toThrow();
    expect(() => duration("soon")).toThrow();
    expect(duration("2m")).toBe(120_000);
  });

  it("prints a table with one row per result", () => {
    const table = formatTable([
      {
        suite: "crash",
        adapter: "a",
        profile: "ci",
        seed: 1,
        status: "failed",
        operations: 1234,
        failures: 2,
        violations: [],
        latency: { count: 1, p50: 1.5, p95: 12.25, p99: 150, max: 200 },
        durationMs: 61_000,
        details: {},
      },
    ]);
    expect(table).toContain("| crash");
    expect(table).toContain("FAILED");
    expect(table).toContain("1,234");
    expect(table).toContain("1m1s");
  });
});
