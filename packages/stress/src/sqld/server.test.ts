import { existsSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import {
  resolveLocalhostSubdomains,
  type SqldServer,
  startSqld,
  startSqldWithReplica,
} from "./index.js";

/** One Hrana-over-HTTP request: the statements in order, then close. */
async function pipeline(url: string, ...sql: string[]): Promise<unknown[][]> {
  const response = await fetch(`${url}/v2/pipeline`, {
    method: "POST",
    body: JSON.stringify({
      requests: [...sql.map((s) => ({ type: "execute", stmt: { sql: s } })), { type: "close" }],
    }),
  });
  const body = (await response.json()) as {
    results: {
      type: string;
      error?: { message: string };
      response?: { result?: { rows: { value: unknown }[][] } };
    }[];
  };
  return body.results.slice(0, sql.length).map((r) => {
    if (r.type !== "ok") throw new Error(r.error?.message ?? "request failed");
    return (r.response?.result?.rows ?? []).map((row) => row.map((cell) => cell.value));
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/health`)).ok;
  } catch {
    return false;
  }
}

const started: { stop(): Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
});

async function server(options?: Parameters<typeof startSqld>[0]): Promise<SqldServer> {
  const s = await startSqld(options);
  started.push(s);
  return s;
}

describe("sqld for tests", () => {
  it("starts on a free loopback port, serves SQL, and keeps data across a SIGKILL and restart", async () => {
    const s = await server();
    expect(s.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(s.wsUrl).toBe(s.httpUrl.replace("http:", "ws:"));
    await pipeline(s.httpUrl, "CREATE TABLE t (x)", "INSERT INTO t VALUES (42)");
    const pid = s.pid;
    await s.kill();
    expect(s.pid).toBeUndefined();
    expect(await answers(s.httpUrl)).toBe(false);
    await s.restart();
    expect(s.pid).not.toBe(pid);
    expect(await pipeline(s.httpUrl, "SELECT x FROM t")).toEqual([[["42"]]]);
  });

  it("stop() ends only its own server and removes the data folder it made", async () => {
    const a = await server();
    const b = await server();
    expect(a.httpUrl).not.toBe(b.httpUrl);
    await a.stop();
    expect(await answers(a.httpUrl)).toBe(false);
    expect(existsSync(a.dataDir)).toBe(false);
    expect(await answers(b.httpUrl)).toBe(true);
  });

  it("serves one database per namespace, each at its own *.localhost URL", async () => {
    resolveLocalhostSubdomains();
    const s = await server({ namespaces: true });
    expect(s.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const a = await s.createNamespace("alpha");
    const b = await s.createNamespace("beta");
    expect(a.httpUrl).toBe(s.httpUrl.replace("127.0.0.1", "alpha.localhost"));
    expect(a.wsUrl).toBe(a.httpUrl.replace("http:", "ws:"));
    await pipeline(a.httpUrl, "CREATE TABLE t (x)", "INSERT INTO t VALUES ('in alpha')");
    await pipeline(b.httpUrl, "CREATE TABLE t (x)");
    expect(await pipeline(b.httpUrl, "SELECT x FROM t")).toEqual([[]]);
    // Created again (another process racing): kept as it was.
    expect(await s.createNamespace("alpha")).toEqual(a);
    expect(await pipeline(a.httpUrl, "SELECT x FROM t")).toEqual([[["in alpha"]]]);
    await expect(s.createNamespace("Not_A_Label")).rejects.toThrow(/DNS label/);
    await expect(
      pipeline(s.httpUrl.replace("127.0.0.1", "gamma.localhost"), "SELECT 1"),
    ).rejects.toThrow();
  });

  it("a replica forwards writes to its primary and serves them once replicated", async () => {
    const cluster = await startSqldWithReplica();
    started.push(cluster);
    await pipeline(
      cluster.replica.httpUrl,
      "CREATE TABLE r (x)",
      "INSERT INTO r VALUES ('via replica')",
    );
    expect(await pipeline(cluster.primary.httpUrl, "SELECT x FROM r")).toEqual([[["via replica"]]]);
    // Replication is asynchronous: poll the replica until it has caught up.
    let seen: unknown[][] = [];
    const deadline = Date.now() + 60_000;
    while (seen[0]?.length !== 1 && Date.now() < deadline) {
      seen = await pipeline(cluster.replica.httpUrl, "SELECT x FROM r").catch(() => [[]]);
      if (seen[0]?.length !== 1) await new Promise((r) => setTimeout(r, 25));
    }
    expect(seen).toEqual([[["via replica"]]]);
  });
});
