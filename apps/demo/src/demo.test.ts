/**
 * `startDemo` as `main.ts` calls it, with a real socket: which file it opens
 * and deletes, which `Host` names it answers to, and how it refuses a body
 * too large.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { betterSqlite } from "@llm-sessions/adapter-better-sqlite";
import { openStore, ValidationError } from "@llm-sessions/core";
import { afterAll, describe, expect, it } from "vitest";
import { makeDriver, type RunningDemo, startDemo } from "./demo.js";
import { removeForFresh } from "./fresh.js";
import { MAX_BODY_BYTES } from "./server/body.js";

const root = mkdtempSync(join(tmpdir(), "llm-sessions-demo-start-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const newDir = () => {
  const dir = join(root, String(n++));
  rmSync(dir, { recursive: true, force: true });
  return mkdtempSync(`${dir}-`);
};

async function makeStore(file: string, title: string): Promise<void> {
  const store = await openStore({ driver: betterSqlite({ filename: file }) });
  await store.sessions.create({ title });
  await store.close();
}

async function titles(file: string): Promise<string[]> {
  const store = await openStore({ driver: betterSqlite({ filename: file }) });
  try {
    return (await store.sessions.list()).items.map((s) => s.title ?? "");
  } finally {
    await store.close();
  }
}

const start = (file: string, more: Partial<Parameters<typeof startDemo>[0]> = {}) =>
  startDemo({ file, port: 0, users: 0, ...more });

/** One raw HTTP exchange, so the `Host` header is whatever the test says. */
function getWithHost(port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { port, host: "127.0.0.1", path: "/api/stats", headers: { host } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe("startDemo", () => {
  for (const driver of ["better-sqlite3", "libsql"] as const) {
    it(`on ${driver}, opens the file named, whatever its characters (%41, #, ?, spaces, non-ASCII)`, async () => {
      const dir = newDir();
      const name = "r%41 #1?x=y ü€.db";
      const file = join(dir, name);
      await makeStore(file, "kept");
      const demo = await start(file, { driver });
      try {
        await demo.store.sessions.create({ title: "added" });
      } finally {
        await demo.close();
      }
      expect((await titles(file)).sort()).toEqual(["added", "kept"]);
      expect(readdirSync(dir)).toEqual([name]);
    });
  }

  it("--fresh deletes a store (with its -wal and -shm), an empty file, or nothing", async () => {
    const dir = newDir();
    const file = join(dir, "router.db");
    await makeStore(file, "old");
    writeFileSync(`${file}-shm`, "");
    const demo = await start(file, { fresh: true });
    try {
      expect((await demo.store.sessions.list()).items).toEqual([]);
    } finally {
      await demo.close();
    }
    const empty = join(dir, "empty.db");
    writeFileSync(empty, "");
    await removeForFresh(empty, makeDriver("better-sqlite3", empty));
    expect(existsSync(empty)).toBe(false);
    await removeForFresh(empty, makeDriver("better-sqlite3", empty));
  });

  it("--fresh refuses a file that is not an llm-sessions store and leaves it as it was", async () => {
    const dir = newDir();
    const notes = join(dir, "notes.txt");
    writeFileSync(notes, "my notes, not a database\n");
    const other = join(dir, "other.db");
    const conn = await betterSqlite({ filename: other }).connect();
    await conn.exec("CREATE TABLE sessions (id TEXT); INSERT INTO sessions VALUES ('theirs')");
    await conn.close();
    const before = readFileSync(other);
    for (const driver of ["better-sqlite3", "libsql"] as const) {
      for (const file of [notes, other, dir]) {
        const refused = await start(file, { driver, fresh: true }).then(
          (demo: RunningDemo) => demo.close().then(() => undefined),
          (error: unknown) => error,
        );
        expect(refused, `${driver} ${file}`).toBeInstanceOf(ValidationError);
        expect((refused as Error).message).toContain(file);
      }
    }
    expect(readFileSync(notes, "utf8")).toBe("my notes, not a database\n");
    expect(readFileSync(other).equals(before)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(["notes.txt", "other.db"]);
  });

  it("bound to any address, answers to loopback names and refuses another name (DNS rebinding)", async () => {
    const demo = await start(join(newDir(), "h.db"), { host: "0.0.0.0" });
    try {
      expect(await getWithHost(demo.port, `127.0.0.1:${demo.port}`)).toBe(200);
      expect(await getWithHost(demo.port, `localhost:${demo.port}`)).toBe(200);
      expect(await getWithHost(demo.port, `evil.example:${demo.port}`)).toBe(403);
    } finally {
      await demo.close();
    }
  });

  it("answers 413 to a chunked upload without Content-Length while the client is still sending", async () => {
    const dir = newDir();
    const demo = await start(join(dir, "b.db"));
    try {
      const session = await demo.store.sessions.create({ title: "target" });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const cap = 64 * 1024 * 1024; // far past the limit: the old server read all of it first
      const outcome = await new Promise<{ status: number; sent: number; ended: boolean }>(
        (resolve, reject) => {
          let sent = 0;
          let ended = false;
          const req = request({
            port: demo.port,
            host: "127.0.0.1",
            method: "POST",
            path: `/api/sessions/${session.id}/messages`,
            headers: { "content-type": "application/json", "transfer-encoding": "chunked" },
          });
          let answered = false;
          req.on("response", (res) => {
            answered = true;
            res.resume();
            resolve({ status: res.statusCode ?? 0, sent, ended });
            req.destroy();
          });
          req.on("error", (error) => {
            if (!answered) reject(error);
          });
          const pump = () => {
            while (!answered && sent < cap) {
              sent += chunk.length;
              if (!req.write(chunk)) {
                req.once("drain", pump);
                return;
              }
            }
            if (!answered) {
              ended = true;
              req.end();
            }
          };
          pump();
        },
      );
      expect(outcome.status).toBe(413);
      expect(outcome.ended).toBe(false);
      expect(outcome.sent).toBeGreaterThan(MAX_BODY_BYTES);
      expect((await demo.store.sessions.get(session.id)).messageCount).toBe(0);
    } finally {
      await demo.close();
    }
  });
});
