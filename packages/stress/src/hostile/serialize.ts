/**
 * Two renderings of any JavaScript value, neither of which can throw or loop:
 * `canonical` (exact, for comparing outcomes of two stores) and `describe`
 * (short, for printing an input so that a reader can rebuild it).
 */

const MAX_SHOWN = 80;

/** Escapes lone surrogates and control characters so that a printed string shows what it was. */
function escapeString(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const isHigh = c >= 0xd800 && c <= 0xdbff;
    const isLow = c >= 0xdc00 && c <= 0xdfff;
    const next = s.charCodeAt(i + 1);
    if (isHigh && next >= 0xdc00 && next <= 0xdfff) {
      out += s[i] + (s[i + 1] as string);
      i++;
    } else if (isHigh || isLow || c < 0x20 || c === 0x22 || c === 0x5c || c === 0x7f) {
      out += `\\u${c.toString(16).padStart(4, "0")}`;
    } else {
      out += s[i];
    }
  }
  return `"${out}"`;
}

function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

interface Options {
  /** Shorten long strings and deep values (for printing). */
  readonly short: boolean;
}

function render(value: unknown, opts: Options, seen: Set<object>, depth: number): string {
  switch (typeof value) {
    case "undefined":
      return "undefined";
    case "boolean":
      return String(value);
    case "number":
      return Object.is(value, -0) ? "-0" : String(value);
    case "bigint":
      return `${value}n`;
    case "symbol":
      return `Symbol(${escapeString(value.description ?? "")})`;
    case "function":
      return `[function ${escapeString(value.name)}]`;
    case "string":
      if (opts.short && value.length > MAX_SHOWN) {
        const head = value.slice(0, 16);
        if (head.split("").every((c) => c === head[0]) && value === head[0]?.repeat(value.length)) {
          return `${escapeString(head[0] as string)}.repeat(${value.length})`;
        }
        return `${escapeString(value.slice(0, MAX_SHOWN))}…(${value.length} chars)`;
      }
      return escapeString(value);
  }
  if (value === null) return "null";
  const obj = value as object;
  if (seen.has(obj)) return "[circular]";
  if (opts.short && depth > 6) return "[deep…]";
  seen.add(obj);
  try {
    return renderObject(obj, opts, seen, depth);
  } catch {
    return "[unreadable object (a Proxy that throws?)]";
  } finally {
    seen.delete(obj);
  }
}

function renderObject(obj: object, opts: Options, seen: Set<object>, depth: number): string {
  {
    if (obj instanceof Uint8Array) return `bytes(${Buffer.from(obj).toString("hex")})`;
    if (obj instanceof Error) {
      return `${obj.name}(${escapeString(obj.message)})`;
    }
    const isArray = safe(() => Array.isArray(obj), false);
    const descriptors = safe(
      () => Object.getOwnPropertyDescriptors(obj) as Record<string | symbol, PropertyDescriptor>,
      null,
    );
    if (descriptors === null) return "[unreadable object (a Proxy that throws?)]";
    const keys = safe(() => Reflect.ownKeys(descriptors), [] as (string | symbol)[]);
    const parts: string[] = [];
    for (const key of keys) {
      if (isArray && key === "length") continue;
      const d = descriptors[key] as PropertyDescriptor;
      if (!d.enumerable) continue;
      const name = typeof key === "symbol" ? `[${render(key, opts, seen, depth)}]` : key;
      const shownName = isArray ? name : escapeString(name);
      // Getters are shown, not run: running one is part of what is being tested.
      const shown = "value" in d ? render(d.value, opts, seen, depth + 1) : "[getter]";
      parts.push(isArray ? shown : `${shownName}: ${shown}`);
    }
    const proto = safe(() => Object.getPrototypeOf(obj), null);
    const tag =
      isArray || proto === Object.prototype || proto === null
        ? ""
        : `${safe(() => (proto as { constructor?: { name?: string } }).constructor?.name, "") ?? "?"} `;
    if (opts.short && parts.length > 12) {
      parts.splice(12, parts.length - 12, `…(${parts.length} entries)`);
    }
    return isArray ? `${tag}[${parts.join(", ")}]` : `${tag}{${parts.join(", ")}}`;
  }
}

/** An exact, deterministic rendering: equal output means equal observable value. */
export function canonical(value: unknown): string {
  return render(value, { short: false }, new Set(), 0);
}

/** A short rendering for reports: long strings as `"x".repeat(n)` or cut. */
export function describe(value: unknown): string {
  return render(value, { short: true }, new Set(), 0);
}
