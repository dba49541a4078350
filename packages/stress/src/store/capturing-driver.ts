import type { SqliteDriver } from "@llm-sessions/core";
import type { SqliteConnection } from "@llm-sessions/core/driver";

/**
 * Wraps a driver and keeps every connection it opens, so a test can reach the
 * store's own database directly (the first one is the pool's writer) — also
 * for a private `:memory:` database that no second connection can see. Use
 * it only between store calls: the connection's own mutex still serializes.
 */
export function capturingDriver(driver: SqliteDriver): {
  driver: SqliteDriver;
  connections: SqliteConnection[];
} {
  const connections: SqliteConnection[] = [];
  return {
    connections,
    driver: {
      name: driver.name,
      target: driver.target,
      capabilities: driver.capabilities,
      connect: async (options) => {
        const conn = await driver.connect(options);
        connections.push(conn);
        return conn;
      },
    },
  };
}
