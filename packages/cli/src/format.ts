/** Right-aligned when every value of the column is a number (or empty). */
const NUMERIC = /^-?[\d,.]+( ?(%|B|KiB|MiB|GiB|TiB|ms|s))?$|^$/;

/**
 * A plain-text table: a header row, a rule, the rows; columns padded to the
 * widest cell; numeric columns right-aligned. Cells longer than `maxCell`
 * are cut with an ellipsis.
 */
export function table(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  maxCell = 60,
): string {
  const cut = (s: string): string => (s.length > maxCell ? `${s.slice(0, maxCell - 1)}…` : s);
  const cells = rows.map((row) => headers.map((_, i) => cut(oneLine(row[i] ?? ""))));
  const widths = headers.map((h, i) =>
    Math.max(h.length, ...cells.map((r) => (r[i] ?? "").length)),
  );
  const right = headers.map(
    (_, i) => cells.length > 0 && cells.every((r) => NUMERIC.test(r[i] ?? "")),
  );
  const line = (row: readonly string[]): string =>
    row
      .map((cell, i) => (right[i] ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return (
    [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n") +
    "\n"
  );
}

/** Two columns, no header: `key  value` lines. */
export function keyValues(pairs: readonly (readonly [string, string])[]): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return `${pairs.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n")}\n`;
}

/** `1.5 MiB`. */
export function bytes(n: number | undefined): string {
  if (n === undefined) return "-";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = n;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** `1,234`. */
export function count(n: number): string {
  return n.toLocaleString("en-US");
}

/** `850 ms` or `2.4 s`. */
export function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** `12.5%`. */
export function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, " ");
}

/** Prints a value as JSON (bigint-safe), one document, with a trailing newline. */
export function json(value: unknown): string {
  return `${JSON.stringify(value, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`;
}
