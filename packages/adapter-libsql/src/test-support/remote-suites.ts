import { describe, inject, it } from "vitest";
import { type RemoteScheme, serverOf, sqldNamespaceDriver } from "./sqld-target.js";

/** Both ways to reach a server; every remote suite runs on each. */
export const REMOTE_SCHEMES: readonly RemoteScheme[] = ["http", "ws"];

/**
 * Registers `register(createDriver)` for each scheme against this run's
 * server (see `sqld-setup.ts`), every database path a namespace of its own;
 * or, when the server could not be started outside CI, one skipped test
 * that says why.
 */
export function forEachRemoteScheme(
  what: string,
  register: (
    scheme: RemoteScheme,
    createDriver: (target: { path: string }) => ReturnType<typeof sqldNamespaceDriver>,
    server: { httpUrl: string; adminUrl: string },
  ) => void,
): void {
  const provided = inject("sqld");
  const server = serverOf(provided);
  if (!server) {
    describe(`${what} on a libSQL server`, () => {
      it.skip(`skipped: sqld did not start (${provided.error})`, () => {});
    });
    return;
  }
  for (const scheme of REMOTE_SCHEMES) {
    register(scheme, ({ path }) => sqldNamespaceDriver({ ...server, path, scheme }), server);
  }
}
