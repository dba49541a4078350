import type { JsonObject } from "@llm-sessions/core";

/**
 * An adapter factory that can cross a process boundary: which module to
 * import, which export to call, and the options to call it with. A child
 * process builds its own driver from the same spec, so every suite — in one
 * process, across processes, after a crash — runs the same adapter.
 *
 * @example
 * ```ts
 * const spec: AdapterSpec = {
 *   name: "better-sqlite3 (file)",
 *   module: "@llm-sessions/adapter-better-sqlite",
 *   export: "betterSqlite",
 *   options: { filename: "{path}" },
 * };
 * ```
 */
export interface AdapterSpec {
  /** Shown in titles and reports, e.g. `"better-sqlite3 (file)"`. */
  readonly name: string;
  /**
   * What to import: a package name (resolved from this package, then from the
   * working directory) or a `file:` URL / absolute path. A `.ts` file works
   * when `typescript` is installed (it is transpiled on load).
   */
  readonly module: string;
  /** The named export that is the factory: `(options) => SqliteDriver`. */
  readonly export: string;
  /**
   * The factory's options, as JSON. Every string equal to or containing
   * `{path}` gets the database path the suite chose (a file that does not
   * exist yet, in a directory of its own). Options without `{path}` name a
   * target that is not a file (`:memory:`, a server): suites that need a file
   * are skipped for it.
   */
  readonly options: JsonObject;
}

/** The placeholder replaced with the database path. */
export const PATH_PLACEHOLDER = "{path}";

/** The options of `spec` with every `{path}` replaced by `path`. */
export function optionsFor(spec: AdapterSpec, path: string): JsonObject {
  return substitute(spec.options, path) as JsonObject;
}

function substitute(value: unknown, path: string): unknown {
  if (typeof value === "string") return value.replaceAll(PATH_PLACEHOLDER, path);
  if (Array.isArray(value)) return value.map((v) => substitute(v, path));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, path)]));
  }
  return value;
}

/**
 * Checks the shape of a spec (a typo should fail before any suite starts).
 * @throws TypeError naming the field that is wrong.
 */
export function validateSpec(spec: AdapterSpec): AdapterSpec {
  if (typeof spec !== "object" || spec === null) throw new TypeError("adapter: must be an object");
  for (const key of ["name", "module", "export"] as const) {
    if (typeof spec[key] !== "string" || spec[key].trim() === "") {
      throw new TypeError(`adapter.${key}: must be a non-empty string`);
    }
  }
  if (typeof spec.options !== "object" || spec.options === null || Array.isArray(spec.options)) {
    throw new TypeError("adapter.options: must be a JSON object");
  }
  const known = new Set(["name", "module", "export", "options"]);
  const unknown = Object.keys(spec).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new TypeError(`adapter: unknown key ${unknown.join(", ")}`);
  JSON.stringify(spec.options);
  return spec;
}
