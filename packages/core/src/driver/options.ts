import { SqliteError } from "./errors.js";

/**
 * Checks that an adapter's options are an object whose keys are all known,
 * so that a typo (`readOnly` for `readonly`) fails at once instead of being
 * ignored. Throws `MISUSE`, the message prefixed with `name`.
 */
export function checkOptionKeys(
  name: string,
  options: unknown,
  known: ReadonlySet<string>,
): asserts options is Record<string, unknown> {
  if (typeof options !== "object" || options === null) {
    throw misuse(name, "options must be an object");
  }
  const unknown = Object.keys(options).find((key) => !known.has(key));
  if (unknown !== undefined) throw misuse(name, `unknown option "${unknown}"`);
}

/** A UTF-16 code unit that is not half of a pair (in `u` mode a pair is one code point). */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * Checks a plain local filename (a path, `":memory:"` or `""`) for a driver
 * that opens it as written. Refused with `MISUSE`, because each would open
 * another file than the one named: a non-string, a URI (`file:...`, in any
 * case: read as a URI by some SQLite builds and as a literal name by
 * others, its `?mode=ro` silently lost), a NUL (the name is cut there) and
 * a lone surrogate (replaced by U+FFFD).
 */
export function checkFilename(name: string, filename: unknown): asserts filename is string {
  if (typeof filename !== "string") throw misuse(name, "filename must be a string");
  if (/^file:/i.test(filename)) {
    throw misuse(
      name,
      `URI filenames are not supported, got ${JSON.stringify(filename)}: pass a path, with the driver's options (readonly) instead of URI parameters (a file really named so: "./${filename}")`,
    );
  }
  if (filename.includes("\0")) throw misuse(name, "filename must not contain a NUL character");
  if (LONE_SURROGATE.test(filename)) {
    throw misuse(name, "filename must be well-formed UTF-16 (it has a lone surrogate)");
  }
}

function misuse(name: string, message: string): SqliteError {
  return new SqliteError("MISUSE", `${name}: ${message}`);
}
