import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openStore } from "@llm-sessions/core";
import { type SqldServer, startSqld } from "@llm-sessions/stress/sqld";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { fileUrl, libsql } from "./index.js";
import type { ReplicaWorkerInput, ReplicaWorkerReport } from "./test-support/replica-worker.js";
import { serverOf } from "./test-support/sqld-target.js";

const WRITERS = 3;
const APPENDS = 60;
/** Every this many appends a worker sends the same append again (a retry with its key). */
const RETRY_EVERY = 4;
const worker = fileURLToPath(new URL("./test-support/replica-worker.ts", import.meta.url));
const tsLoader = createRequire(import.meta.url).resolve("@llm-sessions/stress/loader/register.mjs");

function runWorker(input: ReplicaWorkerInput): Promise<ReplicaWorkerReport> {
  const child = fork(worker, [JSON.stringify(input)], {
    execArgv: ["--import", tsLoader],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    let report: ReplicaWorkerReport | undefined;
    child.on("message", (message: ReplicaWorkerReport) => {
      report = message;
    });
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (report && code === 0) resolve(report);
      else reject(new Error(`worker ${input.writer} exited with ${code ?? signal} and no report`));
    });
  });
}

const available = serverOf(inject("sqld")) !== undefined;

/**
 * Issue 17's bar for embedded replicas: processes, each with a replica file
 * of its own, append through one primary; every acknowledged append is on
 * the primary exactly once, and each process reads its own at once.
 */
describe.skipIf(!available)("embedded replicas in several processes, one primary", () => {
  let primary: SqldServer;
  let dir: string;
  beforeAll(async () => {
    primary = await startSqld();
    dir = mkdtempSync(join(tmpdir(), "llm-sessions-replicas-"));
  });
  afterAll(async () => {
    await primary?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`${WRITERS} processes x ${APPENDS} appends (every ${RETRY_EVERY}th retried with its key): 0 lost, 0 duplicated, each reads its own at once`, async () => {
    const onPrimary = await openStore({ driver: libsql({ url: primary.httpUrl }) });
    try {
      const session = await onPrimary.sessions.create({ title: "shared by replicas" });
      const reports = await Promise.all(
        Array.from({ length: WRITERS }, (_, i) =>
          runWorker({
            url: fileUrl(join(dir, `replica-${i}.db`)),
            syncUrl: primary.httpUrl,
            sessionId: session.id,
            writer: `w${i}`,
            appends: APPENDS,
            retryEvery: RETRY_EVERY,
          }),
        ),
      );
      for (const r of reports) {
        expect(r.acked).toBe(APPENDS);
        expect(r.retried).toBe(Math.floor(APPENDS / RETRY_EVERY));
        expect(r.unreadAfterAck).toEqual([]);
        expect(r.retryMismatches).toEqual([]);
      }
      // What the primary holds: every acknowledged append once, nothing else.
      const stored: string[] = [];
      let afterSeq = 0;
      for (;;) {
        const page = await onPrimary.messages.list(session.id, { afterSeq, limit: 500 });
        stored.push(...page.items.map((m) => m.content as string));
        if (page.items.length === 0) break;
        afterSeq = page.items.at(-1)?.seq ?? afterSeq;
      }
      const acknowledged = reports.flatMap((r) =>
        Array.from({ length: r.acked }, (_, n) => `${r.writer}:${n + 1}`),
      );
      const counts = new Map<string, number>();
      for (const content of stored) counts.set(content, (counts.get(content) ?? 0) + 1);
      const lost = acknowledged.filter((c) => !counts.has(c));
      const duplicated = [...counts].filter(([, n]) => n > 1).map(([c]) => c);
      const unexpected = stored.filter((c) => !acknowledged.includes(c));
      console.log(
        `embedded replicas: ${WRITERS} processes, ${acknowledged.length} acknowledged appends, ${reports.reduce((n, r) => n + r.retried, 0)} retried with their key; on the primary: ${stored.length} messages, ${lost.length} lost, ${duplicated.length} duplicated`,
      );
      expect({ lost, duplicated, unexpected }).toEqual({
        lost: [],
        duplicated: [],
        unexpected: [],
      });
      expect(stored).toHaveLength(WRITERS * APPENDS);
      // seq is gap-free in commit order on the primary.
      const session2 = await onPrimary.sessions.get(session.id);
      expect(session2.lastSeq).toBe(WRITERS * APPENDS);
    } finally {
      await onPrimary.close();
    }
  }, 180_000);
});
