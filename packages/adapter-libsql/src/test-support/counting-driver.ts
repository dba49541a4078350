import { createClient } from "@libsql/client";
import { createDriver, type SqliteDriver } from "@llm-sessions/core/driver";
import { libsql } from "../driver.js";
import { mapLibsqlError } from "../errors.js";
import { RemoteConnection } from "../remote.js";

/**
 * The remote driver of `url` (http://) with every HTTP request its clients
 * send counted: a round trip to the server is one request.
 */
export function countingDriver(url: string): { driver: SqliteDriver; requests: () => number } {
  let requests = 0;
  const counted = (...args: Parameters<typeof fetch>): Promise<Response> => {
    requests++;
    return fetch(...args);
  };
  const plain = libsql({ url });
  const driver = createDriver({
    name: plain.name,
    target: plain.target,
    localPath: undefined,
    capabilities: plain.capabilities,
    synchronous: false,
    open: async () => {
      const client = createClient({ url, intMode: "bigint", concurrency: 1, fetch: counted });
      await client.execute("SELECT 1");
      return new RemoteConnection(client);
    },
    mapError: mapLibsqlError,
  });
  return { driver, requests: () => requests };
}
