import { SqliteError } from "@llm-sessions/core";

/** A `file:` URL as @libsql/client reads it: `file:` [`//` authority] path [`?` query] [`#` fragment]. */
const FILE_URL = /^file:(?:\/\/(?<authority>[^/?#]*))?(?<path>[^?#]*)(?<rest>[?#].*)?$/is;

/**
 * The path the `libsql` package opens for a local URL, read by the rules
 * @libsql/client applies to the same URL, so that both engines open the same
 * file: `file:router.db` is relative to the working directory,
 * `file:/abs.db` and `file:///abs.db` (or `file://localhost/abs.db`) are
 * absolute, and `%XX` escapes are decoded. `:memory:` and `file::memory:`
 * are a private in-memory database.
 *
 * Refused with `MISUSE`, for either engine: another host, a port or user
 * info (a typo for a remote URL), and a query or fragment (`?mode=ro` would
 * otherwise be ignored silently).
 */
export function localPath(url: string, kind: "file" | "memory"): string {
  if (url === ":memory:") return url;
  const match = FILE_URL.exec(url);
  const groups = match?.groups;
  if (!groups) throw misuse(`not a file: URL: ${JSON.stringify(url)}`);
  const { authority, path = "", rest } = groups;
  if (rest !== undefined) {
    throw misuse(
      `query parameters and fragments are not supported in a local URL, got ${JSON.stringify(rest)}`,
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
  return decoded;
}

function misuse(message: string): SqliteError {
  return new SqliteError("MISUSE", `libsql: ${message}`);
}
