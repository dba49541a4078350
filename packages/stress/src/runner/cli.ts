#!/usr/bin/env node
import { selectSuites } from "../suite/registry.js";
import { formatFailure, reproCommand } from "../suite/repro.js";
import { randomSeed } from "../suite/rng.js";
import { runSuite } from "../suite/run.js";
import type { SuiteResult } from "../suite/types.js";
import { parseRunnerArgs, type RunnerArgs, USAGE } from "./args.js";
import { ProgressBar } from "./progress.js";
import { writeReport } from "./report.js";
import { formatTable } from "./table.js";

/**
 * `llm-sessions-stress`: runs the chosen suites on the chosen adapters, one
 * after the other, with a progress bar; prints the table and each failure
 * with the command that repeats it; writes the JSON report. Exit code 0 when
 * every suite passed (or was skipped), 1 on any violation, 2 on bad usage.
 */
async function main(argv: readonly string[]): Promise<number> {
  let args: RunnerArgs;
  try {
    args = parseRunnerArgs(argv);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const seed = args.seed ?? randomSeed();
  const suites = selectSuites(args.suites);
  const bar = new ProgressBar(process.stderr, args.progress);
  const startedAt = new Date().toISOString();
  process.stderr.write(
    `llm-sessions-stress: profile ${args.profile}, seed ${seed}, ${suites.length} suite(s) × ${args.adapters.length} adapter(s)\n`,
  );
  const results: { result: SuiteResult; spec: (typeof args.adapters)[number] }[] = [];
  for (const spec of args.adapters) {
    for (const suite of suites) {
      bar.start(`${suite.id} on ${spec.name}`);
      const result = await runSuite(suite, {
        adapter: spec,
        profile: args.profile,
        seed,
        ...(args.durationMs === undefined ? {} : { durationMs: args.durationMs }),
        ...(args.writers === undefined ? {} : { writers: args.writers }),
        ...(args.kills === undefined ? {} : { kills: args.kills }),
        ...(args.tempDir === undefined ? {} : { tempDir: args.tempDir }),
        keepFiles: args.keepFiles,
        onProgress: (done, total) => bar.update(done, total),
        log: (line) => bar.log(`  ${line}`),
      });
      bar.finish();
      const mark =
        result.status === "passed" ? "ok" : result.status === "skipped" ? "skipped" : "FAILED";
      bar.log(
        `${mark.padEnd(7)} ${suite.id} on ${spec.name}: ${result.operations} operations, ${result.failures} failures, ${(result.durationMs / 1000).toFixed(1)}s${result.skipReason ? ` (${result.skipReason})` : ""}`,
      );
      results.push({ result, spec });
    }
  }
  process.stdout.write(`\n${formatTable(results.map((r) => r.result))}\n`);
  const failed = results.filter((r) => r.result.status === "failed");
  for (const { result, spec } of failed) process.stdout.write(`\n${formatFailure(result, spec)}\n`);
  const file = await writeReport(args.report, {
    ok: failed.length === 0,
    startedAt,
    finishedAt: new Date().toISOString(),
    profile: args.profile,
    seed,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    argv: [...argv],
    adapters: args.adapters,
    results: results.map(({ result, spec }) => ({ ...result, repeat: reproCommand(result, spec) })),
  });
  process.stdout.write(
    `\n${failed.length === 0 ? "all suites passed" : `${failed.length} suite run(s) failed`} (seed ${seed}); report: ${file}\n`,
  );
  return failed.length === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `llm-sessions-stress: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 2;
  },
);
