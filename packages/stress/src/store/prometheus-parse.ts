/** One sample line of the Prometheus text format. */
export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A metric family: its TYPE, HELP and samples. */
export interface PromFamily {
  readonly type: string;
  readonly help: string;
  readonly samples: PromSample[];
}

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: -?\\d+)?$`);
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y;
const TYPES = new Set(["counter", "gauge", "summary", "histogram", "untyped"]);

/**
 * A strict reader of the text exposition format (0.0.4), for tests: every
 * line must be a HELP, a TYPE or a sample; a family's HELP and TYPE come
 * once, before its samples, which are contiguous; a summary's `_sum` and
 * `_count` belong to it. Throws on the first line that breaks a rule.
 */
export function parsePrometheus(text: string): Map<string, PromFamily> {
  if (!text.endsWith("\n")) throw new Error("the exposition must end with a line feed");
  const families = new Map<string, PromFamily & { help: string; type: string }>();
  const closed = new Set<string>();
  let current: string | undefined;
  for (const [i, line] of text.slice(0, -1).split("\n").entries()) {
    const where = `line ${i + 1}: ${JSON.stringify(line)}`;
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      const [, kind, name = "", rest = ""] = meta;
      if (!new RegExp(`^${NAME}$`).test(name)) throw new Error(`${where}: bad metric name`);
      if (current !== name && current !== undefined) closed.add(current);
      if (closed.has(name)) throw new Error(`${where}: family ${name} appears twice`);
      current = name;
      const family = families.get(name) ?? { type: "untyped", help: "", samples: [] };
      if (kind === "TYPE") {
        if (!TYPES.has(rest)) throw new Error(`${where}: unknown type`);
        if (family.samples.length > 0) throw new Error(`${where}: TYPE after samples`);
        family.type = rest;
      } else {
        family.help = rest;
      }
      families.set(name, family);
      continue;
    }
    if (line.startsWith("#") || line === "")
      throw new Error(`${where}: not a HELP, TYPE or sample`);
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`${where}: not a sample`);
    const [, name = "", labelText = "", valueText = ""] = match;
    const family = familyOf(name, current, families);
    if (!family) throw new Error(`${where}: sample outside its family (declare TYPE first)`);
    const value = parseValue(valueText);
    if (value === undefined) throw new Error(`${where}: bad value`);
    family.samples.push({ name, labels: parseLabels(labelText, where), value });
  }
  return families;
}

function familyOf(
  name: string,
  current: string | undefined,
  families: Map<string, PromFamily>,
): PromFamily | undefined {
  if (current === undefined) return undefined;
  const family = families.get(current);
  if (name === current) return family;
  if (family?.type === "summary" && (name === `${current}_sum` || name === `${current}_count`)) {
    return family;
  }
  return undefined;
}

function parseLabels(text: string, where: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const start = LABEL.lastIndex;
    const m = LABEL.exec(text);
    if (!m || m.index !== start) throw new Error(`${where}: bad labels`);
    const [, key = "", raw = ""] = m;
    if (key in labels) throw new Error(`${where}: label ${key} twice`);
    labels[key] = raw.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
  }
  return labels;
}

function parseValue(text: string): number | undefined {
  if (text === "+Inf") return Number.POSITIVE_INFINITY;
  if (text === "-Inf") return Number.NEGATIVE_INFINITY;
  if (text === "NaN") return Number.NaN;
  const n = Number(text);
  return text.trim() !== "" && Number.isFinite(n) ? n : undefined;
}
