import { createHash } from "node:crypto";
import { createNamespace, resolveLocalhostSubdomains } from "@llm-sessions/stress/sqld";
import { libsql } from "../index.js";
import type { SqldForTests } from "./sqld-setup.js";

/** How a remote test target is reached: Hrana over HTTP or over WebSocket. */
export type RemoteScheme = "http" | "ws";

/** Options of {@link sqldNamespaceDriver}: JSON, so a stress suite's child process gets them too. */
export interface SqldNamespaceOptions {
  /** The server's `http://127.0.0.1:<port>`. */
  readonly httpUrl: string;
  /** Its admin API. */
  readonly adminUrl: string;
  /** The test's database path: the same path always names the same namespace. */
  readonly path: string;
  readonly scheme: RemoteScheme;
}

/**
 * A libSQL driver on a namespace of the test server, created on first use:
 * each database path a suite hands out is a database of its own on the
 * server, so tests and suites never see each other's rows. Exported for the
 * stress suites' adapter spec, which child processes import too.
 */
export async function sqldNamespaceDriver(options: SqldNamespaceOptions) {
  resolveLocalhostSubdomains();
  // Namespaces are DNS labels: a hash of the path fits and never repeats by chance.
  const name = `t${createHash("sha256").update(options.path).digest("hex").slice(0, 24)}`;
  const urls = await createNamespace(options.adminUrl, options.httpUrl, name);
  return libsql({ url: options.scheme === "ws" ? urls.wsUrl : urls.httpUrl });
}

/** The server of this run, or why there is none (see `sqld-setup.ts`). */
export function serverOf(
  provided: SqldForTests,
): { httpUrl: string; adminUrl: string } | undefined {
  return provided.error === undefined ? provided : undefined;
}
