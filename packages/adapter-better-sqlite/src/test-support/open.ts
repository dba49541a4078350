import type { ConnectOptions } from "@llm-sessions/core";
import type { SqliteConnection } from "@llm-sessions/core/driver";
import { afterEach } from "vitest";
import { betterSqlite } from "../driver.js";
import type { BetterSqliteOptions } from "../options.js";

/** Opens connections and closes every one of them after each test. */
export function useConnections(): {
  open(options: BetterSqliteOptions, connect?: ConnectOptions): Promise<SqliteConnection>;
} {
  const open: SqliteConnection[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
  });
  return {
    async open(options, connect) {
      const conn = await betterSqlite(options).connect(connect);
      open.push(conn);
      return conn;
    },
  };
}
