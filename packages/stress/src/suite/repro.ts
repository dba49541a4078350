import { ADAPTER_PRESETS, type AdapterSpec } from "../adapters/index.js";
import type { SuiteResult } from "./types.js";

/** The CLI arguments that select `spec`: a preset's short name, or the spec itself. */
export function adapterArgs(spec: AdapterSpec): string {
  for (const [name, targets] of Object.entries(ADAPTER_PRESETS)) {
    for (const [target, preset] of Object.entries(targets)) {
      if (JSON.stringify(preset) === JSON.stringify(spec)) {
        return `--adapter ${name}${target === "file" ? "" : ` --target ${target}`}`;
      }
    }
  }
  return [
    `--adapter-module ${quote(spec.module)}`,
    `--adapter-export ${quote(spec.export)}`,
    `--adapter-options ${quote(JSON.stringify(spec.options))}`,
    `--adapter-name ${quote(spec.name)}`,
  ].join(" ");
}

/** The command that repeats a run: same suite, adapter, profile and seed. */
export function reproCommand(result: SuiteResult, spec: AdapterSpec): string {
  return `npx llm-sessions-stress --suite ${result.suite} ${adapterArgs(spec)} --profile ${result.profile} --seed ${result.seed}`;
}

/** A failed result as a readable message: what broke, the seed, and how to repeat it. */
export function formatFailure(result: SuiteResult, spec: AdapterSpec): string {
  const shown = result.violations.map((v) => `  - ${v.replaceAll("\n", "\n    ")}`).join("\n");
  const more =
    result.failures > result.violations.length
      ? `\n  ... and ${result.failures - result.violations.length} more`
      : "";
  return [
    `stress suite "${result.suite}" on ${result.adapter}: ${result.failures} violation(s) (profile ${result.profile}, seed ${result.seed})`,
    shown + more,
    `repeat with: ${reproCommand(result, spec)}`,
  ].join("\n");
}

function quote(s: string): string {
  return /^[\w@./:-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`;
}
