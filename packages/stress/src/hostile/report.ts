import type { Finding, HostileReport } from "./run.js";

/** How many offending inputs a report prints (the counts cover all of them). */
export const SHOWN_FINDINGS = 20;

/** The run's counts as a small table, then the findings grouped by label, with example inputs. */
export function formatReport(report: HostileReport, target: string, rerun: string): string {
  const rows: [string, number][] = [
    ["inputs", report.inputs],
    ["compared with the twin", report.compared],
    ["successes", report.successes],
    ["typed errors", report.typedErrors],
    ...Object.entries(report.typedByClass)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, n]): [string, number] => [`  ${name}`, n]),
    ["untyped errors", report.untypedErrors],
    ["state changed by a rejected call", report.stateChanges],
    ["cross-tenant observations", report.crossTenant],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = [
    `hostile run on ${target}: seed ${report.seed}`,
    ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${String(v).padStart(6)}`),
  ];
  const groups = groupFindings(report.findings);
  if (groups.length > 0) {
    lines.push("findings, by kind and label (count, first input):");
    for (const g of groups) {
      lines.push(`  [${g.kind}] ${g.label}: ${g.count}× (first: input #${g.first.index})`);
    }
    lines.push(`the first ${SHOWN_FINDINGS} offending inputs:`);
    for (const f of report.findings.slice(0, SHOWN_FINDINGS)) lines.push(showFinding(f));
    lines.push(`reproduce: ${rerun}`);
  }
  return lines.join("\n");
}

/** One finding on two lines: what and where, then the input. */
export function showFinding(f: Finding): string {
  return `  #${f.index} [${f.kind}] ${f.label}\n      input: ${f.input}\n      ${f.detail}`;
}

interface Group {
  readonly kind: string;
  readonly label: string;
  count: number;
  readonly first: Finding;
}

function groupFindings(findings: readonly Finding[]): Group[] {
  const groups = new Map<string, Group>();
  for (const f of findings) {
    const key = `${f.kind}\u0000${f.label}`;
    const g = groups.get(key);
    if (g) g.count += 1;
    else groups.set(key, { kind: f.kind, label: f.label, count: 1, first: f });
  }
  return [...groups.values()];
}
