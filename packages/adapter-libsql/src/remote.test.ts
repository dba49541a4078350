import net from "node:net";
import { createClient } from "@libsql/client";
import type { SqliteConnection } from "@llm-sessions/core/driver";
import { createDriver } from "@llm-sessions/core/driver";
import { afterEach, describe, expect, it } from "vitest";
import { mapLibsqlError } from "./errors.js";
import { libsql } from "./index.js";
import { RemoteConnection } from "./remote.js";
import { tempDbPath } from "./test-support/tmp.js";

/**
 * The remote code path (one-call batches, savepoint batches sent with
 * `tx.batch`, no per-connection state) run over a local client, which has the
 * same `Client` and `Transaction` interface. A real server is exercised by the
 * remote-*.test.ts suites.
 */

const open: SqliteConnection[] = [];

afterEach(async () => {
  for (const conn of open.splice(0)) await conn.close();
});

async function remoteOverLocalFile(): Promise<SqliteConnection> {
  const client = createClient({ url: `file:${tempDbPath()}`, intMode: "bigint", concurrency: 1 });
  const driver = createDriver({
    name: "libsql",
    target: "remote over a local file",
    localPath: undefined,
    capabilities: libsql({ url: "http://127.0.0.1:1" }).capabilities,
    synchronous: false,
    open: () => new RemoteConnection(client),
    mapError: mapLibsqlError,
  });
  const conn = await driver.connect();
  open.push(conn);
  return conn;
}

describe("remote connection logic", () => {
  it("runs statements and converts values", async () => {
    const conn = await remoteOverLocalFile();
    await conn.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v ANY) STRICT");
    expect(await conn.run("INSERT INTO t(v) VALUES (:v)", { v: 2n ** 60n })).toEqual({
      changes: 1,
      lastInsertRowid: 1,
    });
    expect(await conn.get("SELECT v, typeof(?) AS ty FROM t", [7])).toEqual({
      v: 2n ** 60n,
      ty: "integer",
    });
    expect(await conn.inTransaction()).toBe(false);
  });

  it("sends a batch as one atomic write", async () => {
    const conn = await remoteOverLocalFile();
    await conn.exec("CREATE TABLE u(v TEXT UNIQUE)");
    await expect(
      conn.batch([
        { sql: "INSERT INTO u VALUES ('a')" },
        { sql: "INSERT INTO u VALUES ('a')" },
        { sql: "INSERT INTO u VALUES ('b')" },
      ]),
    ).rejects.toMatchObject({ code: "CONSTRAINT" });
    expect(await conn.all("SELECT v FROM u")).toEqual([]);
    expect(
      await conn.batch([{ sql: "INSERT INTO u VALUES ('a')" }, { sql: "DELETE FROM u" }]),
    ).toEqual([
      { changes: 1, lastInsertRowid: 1 },
      { changes: 1, lastInsertRowid: 1 },
    ]);
  });

  it("makes tx.batch a savepoint and rolls a failed transaction back", async () => {
    const conn = await remoteOverLocalFile();
    await conn.exec("CREATE TABLE u(v TEXT UNIQUE)");
    const results = await conn.transaction("immediate", async (tx) => {
      await tx.run("INSERT INTO u VALUES ('kept')");
      await expect(
        tx.batch([
          { sql: "INSERT INTO u VALUES ('gone')" },
          { sql: "INSERT INTO u VALUES ('kept')" },
        ]),
      ).rejects.toMatchObject({ code: "CONSTRAINT" });
      return tx.batch([{ sql: "INSERT INTO u VALUES ('after')" }]);
    });
    // The rolled-back row gave its rowid back.
    expect(results).toEqual([{ changes: 1, lastInsertRowid: 2 }]);
    expect(await conn.all("SELECT v FROM u ORDER BY v")).toEqual([{ v: "after" }, { v: "kept" }]);
    await expect(
      conn.transaction("immediate", async (tx) => {
        await tx.run("DELETE FROM u");
        throw new Error("undo");
      }),
    ).rejects.toThrow("undo");
    expect(await conn.all("SELECT v FROM u")).toHaveLength(2);
  });
});

describe("remote driver", () => {
  it("declares what a server cannot do and hides the token from target", () => {
    const driver = libsql({ url: "libsql://db.example.com?authToken=secret", authToken: "x" });
    expect(driver.target).toBe("libsql://db.example.com");
    expect(driver.capabilities).toEqual({
      local: false,
      remote: true,
      file: false,
      sharedConnections: true,
      onlineBackup: false,
      fts5: true,
      walCheckpoint: false,
      vacuum: false,
      queuesWriters: true,
      beginsLazily: true,
      refusesTextWithNul: true,
    });
  });

  it("fails at connect when the server cannot be reached", async () => {
    const port = await closedPort();
    await expect(libsql({ url: `http://127.0.0.1:${port}` }).connect()).rejects.toMatchObject({
      name: "SqliteError",
      code: "IOERR",
    });
    await expect(libsql({ url: `ws://127.0.0.1:${port}` }).connect()).rejects.toMatchObject({
      name: "SqliteError",
      code: "IOERR",
    });
  });
});

/** A local port nothing listens on: one the OS just gave us and we closed again. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
