import { isAbsolute } from "node:path";
import { SqliteError } from "@llm-sessions/core/driver";

/** A `file:` URL as @libsql/client reads it: `file:` [`//` authority] path [`?` query] [`#` fragment]. */
const FILE_URL = /^file:(?:\/\/(?<authority>[^/?#]*))?(?<path>[^?#]*)(?<rest>[?#].*)?$/is;
/** A UTF-16 code unit that is not half of a pair (in `u` mode a pair is one code point). */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * The path the `libsql` package opens for a local URL, read by the rules
 * @libsql/client applies to the same URL, so that a URL opens the file it
 * opens with libSQL's own client: `file:router.db` is relative to the working directory,
 * `file:/abs.db` and `file:///abs.db` (or `file://localhost/abs.db`) are
 * absolute, and `%XX` escapes are decoded. `:memory:` and `file::memory:`
 * are a private in-memory database.
 *
 * The path is literal: a relative one starts with `./`, because SQLite reads
 * a name that starts with `file:` as a URI of its own (`file:file%3Ax.db%3Fmode%3Dro`
 * would open `x.db` read-only) and `:memory:` as no file at all.
 *
 * Refused with `MISUSE`: another host, a port or user
 * info (a typo for a remote URL), a query or fragment (`?mode=ro` would
 * otherwise be ignored silently), and a path with a NUL (libSQL aborts the
 * process on one) or ill-formed UTF-16 (it would open a file of another name).
 */
export function localPath(url: string, kind: "file" | "memory"): string {
  if (url === ":memory:") return url;
  const match = FILE_URL.exec(url);
  const groups = match?.groups;
  if (!groups) throw misuse(`not a file: URL: ${JSON.stringify(url)}`);
  const { authority, path = "", rest } = groups;
  if (rest !== undefined) {
    throw misuse(
      `query parameters and fragments are not supported in a local URL, got ${JSON.stringify(rest)} (a ? or # in a file name is written %3F or %23)`,
    );
  }
  if (authority !== undefined && authority !== "" && authority.toLowerCase() !== "localhost") {
    throw misuse(
      `a file: URL names no host: write "file:/absolute/path.db" or "file:///absolute/path.db", got ${JSON.stringify(url)}`,
    );
  }
  if (kind === "memory") return ":memory:";
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    throw misuse(`the path of ${JSON.stringify(url)} has a malformed %-escape`);
  }
  if (decoded === "") throw misuse(`the file: URL has no path: ${JSON.stringify(url)}`);
  if (decoded.includes("\0")) throw misuse("the path of a file: URL must not contain a NUL");
  if (LONE_SURROGATE.test(decoded)) {
    throw misuse("the path of a file: URL must be well-formed UTF-16 (it has a lone surrogate)");
  }
  const literal = isAbsolute(decoded) || /^\.\.?\//.test(decoded);
  return literal ? decoded : `./${decoded}`;
}

/**
 * The `file:` URL of a path on this machine, for the `url` option: every
 * character that means something in a URL (`%`, `?`, `#`) is escaped, so the
 * URL opens exactly `path` (relative to the working directory, or absolute),
 * whatever its name. Building it as `` `file:${path}` `` does not: a `%41`
 * in the name opens another file and a `#` is refused.
 *
 * @example
 * ```ts
 * libsql({ url: fileUrl("/data/50% #1.db") }); // "file:///data/50%25%20%231.db"
 * ```
 */
export function fileUrl(path: string): string {
  if (typeof path !== "string" || path === "") throw misuse("fileUrl needs a non-empty path");
  const encoded = path.split("/").map(encodeURIComponent).join("/");
  // An absolute path after an empty authority: "file:" + "//x" would read "x" as a host.
  return isAbsolute(path) ? `file://${encoded}` : `file:${encoded}`;
}

function misuse(message: string): SqliteError {
  return new SqliteError("MISUSE", `libsql: ${message}`);
}
