import type { SqliteConnection } from "@llm-sessions/core/driver";
import { afterEach, describe, expect, it } from "vitest";
import { libsql } from "./index.js";
import { tempDbPath } from "./test-support/tmp.js";

/**
 * SQLITE_BUSY poisons a libSQL connection (libsql-client-ts #352; the libsql
 * package never resets a prepared statement that failed with BUSY): without
 * the adapter's reconnect, each test below sees writes that stay uncommitted
 * and hold the lock, a stale snapshot, or a BEGIN that keeps failing.
 */

const open: SqliteConnection[] = [];

afterEach(async () => {
  for (const conn of open.splice(0)) await conn.close();
});

async function setup() {
  const driver = libsql({ url: `file:${tempDbPath()}` });
  const connect = async (busyTimeoutMs: number) => {
    const conn = await driver.connect({ busyTimeoutMs });
    open.push(conn);
    return conn;
  };
  const holder = await connect(5000);
  // A short timeout so that the second connection gives up quickly.
  const victim = await connect(30);
  const witness = await connect(5000);
  await holder.exec("CREATE TABLE t(x INTEGER) STRICT");
  return { holder, victim, witness };
}

/** Runs `during` while `holder` holds the write lock, then commits holder's row (1). */
async function whileLocked(holder: SqliteConnection, during: () => Promise<void>): Promise<void> {
  await holder.transaction("immediate", async (tx) => {
    await tx.run("INSERT INTO t VALUES (1)");
    await during();
  });
}

/** The victim works normally again: its writes commit and release the lock. */
async function expectHealthy(victim: SqliteConnection, witness: SqliteConnection, x: number) {
  await victim.transaction("immediate", (tx) => tx.run("INSERT INTO t VALUES (?)", [x]));
  await victim.run("INSERT INTO t VALUES (?)", [x + 1]);
  // The witness can write, so the victim holds no lock, and it sees the victim's rows, so they committed.
  await witness.run("INSERT INTO t VALUES (?)", [x + 2]);
  const seen = await witness.all<{ x: number }>("SELECT x FROM t WHERE x >= ? ORDER BY x", [x]);
  expect(seen.map((r) => r.x)).toEqual([x, x + 1, x + 2]);
  expect(await victim.inTransaction()).toBe(false);
  expect(await victim.get("PRAGMA busy_timeout")).toEqual({ timeout: 30 });
  expect(await victim.get("PRAGMA synchronous")).toEqual({ synchronous: 1 });
}

describe("SQLITE_BUSY", () => {
  it("at BEGIN IMMEDIATE: rejects with BUSY, then the connection works", async () => {
    const { holder, victim, witness } = await setup();
    await whileLocked(holder, async () => {
      await expect(victim.transaction("immediate", async () => {})).rejects.toMatchObject({
        code: "BUSY",
      });
    });
    await expectHealthy(victim, witness, 10);
  });

  it("on an autocommit write: rejects with BUSY, then the connection works", async () => {
    const { holder, victim, witness } = await setup();
    await whileLocked(holder, async () => {
      await expect(victim.run("INSERT INTO t VALUES (2)")).rejects.toMatchObject({ code: "BUSY" });
    });
    await expectHealthy(victim, witness, 10);
  });

  it("on a batch: rejects with BUSY, writes nothing, then the connection works", async () => {
    const { holder, victim, witness } = await setup();
    await whileLocked(holder, async () => {
      await expect(
        victim.batch([{ sql: "INSERT INTO t VALUES (2)" }, { sql: "INSERT INTO t VALUES (3)" }]),
      ).rejects.toMatchObject({ code: "BUSY" });
    });
    expect(await witness.all("SELECT x FROM t WHERE x IN (2, 3)")).toEqual([]);
    await expectHealthy(victim, witness, 10);
  });

  it("on the upgrade of a deferred transaction: rolls back, then reads fresh data and writes", async () => {
    const { holder, victim, witness } = await setup();
    await expect(
      victim.transaction("deferred", async (tx) => {
        expect(await tx.all("SELECT x FROM t")).toEqual([]);
        await whileLocked(holder, async () => {
          await expect(tx.run("INSERT INTO t VALUES (2)")).rejects.toMatchObject({ code: "BUSY" });
        });
        // The transaction is over: later statements say so instead of running outside it.
        await tx.run("INSERT INTO t VALUES (3)");
      }),
    ).rejects.toMatchObject({ code: "ABORT" });
    // Not a stale snapshot: holder's committed row is visible.
    expect(await victim.all("SELECT x FROM t")).toEqual([{ x: 1 }]);
    await expectHealthy(victim, witness, 10);
  });
});
