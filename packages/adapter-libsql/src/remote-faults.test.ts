import { type ChildProcess, fork } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { LlmSessionsError, openStore, SqliteError } from "@llm-sessions/core";
import { type SqldServer, startSqld } from "@llm-sessions/stress/sqld";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { libsql } from "./index.js";
import type { AppendWorkerInput, AppendWorkerMessage } from "./test-support/append-worker.js";
import { REMOTE_SCHEMES } from "./test-support/remote-suites.js";
import { serverOf } from "./test-support/sqld-target.js";

/**
 * Faults of a server: sqld killed (SIGKILL) while four processes append to
 * it, and started again on the same data, twenty times; and a transaction
 * the server ends itself. Each scheme gets a server of its own (this file
 * kills it), not the run's shared one.
 */
const WRITERS = 4;
const ROUNDS = 20;
const ACKS_PER_ROUND = 3;
const ACQUIRE_TIMEOUT_MS = 10_000;
const worker = fileURLToPath(new URL("./test-support/append-worker.ts", import.meta.url));
const tsLoader = createRequire(import.meta.url).resolve("@llm-sessions/stress/loader/register.mjs");

/** Polls `condition` (every 10 ms) until it holds; fails after `ms` as a hang guard. */
async function until(condition: () => boolean, what: string, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

interface Writer {
  readonly name: string;
  readonly child: ChildProcess;
  acked: number;
  failures: Extract<AppendWorkerMessage, { type: "failed" }>[];
  maxCallMs: number;
  last: number | undefined;
}

/** Failed appends (background indexing passes that failed are reported with n 0). */
function failedCalls(w: Writer): number {
  return w.failures.filter((f) => f.n > 0).length;
}

function startWriter(input: AppendWorkerInput): Writer {
  const child = fork(worker, [JSON.stringify(input)], {
    execArgv: ["--import", tsLoader],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const w: Writer = {
    name: input.writer,
    child,
    acked: 0,
    failures: [],
    maxCallMs: 0,
    last: undefined,
  };
  child.on("message", (message: AppendWorkerMessage) => {
    if (message.type === "acked") w.acked = message.n;
    if (message.type === "failed") w.failures.push(message);
    if (message.type === "acked" || message.type === "failed") {
      w.maxCallMs = Math.max(w.maxCallMs, message.ms);
    }
    if (message.type === "stopped") w.last = message.last;
  });
  return w;
}

const available = serverOf(inject("sqld")) !== undefined;

describe.skipIf(!available)("a libSQL server that fails", () => {
  for (const scheme of REMOTE_SCHEMES) {
    describe(`over ${scheme}`, () => {
      let server: SqldServer;
      const url = () => (scheme === "ws" ? server.wsUrl : server.httpUrl);
      beforeAll(async () => {
        server = await startSqld();
      });
      afterAll(async () => {
        await server?.stop();
      });

      it(`SIGKILL during appends from ${WRITERS} processes, ${ROUNDS} rounds: every acknowledged append is there once, calls in the outage fail typed, the stores work on after each restart`, {
        timeout: 900_000,
      }, async () => {
        const setup = await openStore({ driver: libsql({ url: url() }) });
        const session = await setup.sessions.create({ title: "faults" });
        await setup.close();
        const writers = Array.from({ length: WRITERS }, (_, i) =>
          startWriter({
            url: url(),
            sessionId: session.id,
            writer: `w${i}`,
            acquireTimeoutMs: ACQUIRE_TIMEOUT_MS,
          }),
        );
        try {
          for (let round = 1; round <= ROUNDS; round++) {
            const before = writers.map((w) => w.acked);
            await until(
              () => writers.every((w, i) => w.acked >= (before[i] ?? 0) + ACKS_PER_ROUND),
              `appends before kill ${round}`,
            );
            const failedBefore = writers.map(failedCalls);
            await server.kill("SIGKILL");
            // Every store notices the outage: its next call fails.
            await until(
              () => writers.every((w, i) => failedCalls(w) > (failedBefore[i] ?? 0)),
              `failures during outage ${round}`,
            );
            await server.restart();
          }
          // The stores work on without being reopened.
          const after = writers.map((w) => w.acked);
          await until(
            () => writers.every((w, i) => w.acked >= (after[i] ?? 0) + ACKS_PER_ROUND),
            "appends after the last restart",
          );
        } finally {
          for (const w of writers) w.child.send({ type: "stop" });
          await until(() => writers.every((w) => w.last !== undefined), "writers to stop");
        }

        const failures = writers.flatMap((w) => w.failures);
        expect(failures.length).toBeGreaterThanOrEqual(WRITERS * ROUNDS);
        expect(
          failures.filter((f) => !f.typed),
          "every failed call and background pass is a typed error",
        ).toEqual([]);
        const longest = Math.max(...writers.map((w) => w.maxCallMs));
        expect(longest, "no call waited past the pool's acquire timeout").toBeLessThan(
          ACQUIRE_TIMEOUT_MS,
        );

        const check = await openStore({ driver: libsql({ url: url() }) });
        try {
          const stored = new Map<string, number>();
          for (let afterSeq = 0; ; ) {
            const page = await check.messages.list(session.id, { afterSeq, limit: 1000 });
            for (const m of page.items) stored.set(m.content, (stored.get(m.content) ?? 0) + 1);
            const lastItem = page.items.at(-1);
            if (!lastItem) break;
            afterSeq = lastItem.seq;
          }
          const problems: string[] = [];
          for (const w of writers) {
            const last = w.last ?? 0;
            for (let n = 1; n <= last; n++) {
              const count = stored.get(`${w.name}:${n}`) ?? 0;
              if (count !== 1) problems.push(`${w.name}:${n} acknowledged, stored ${count}×`);
            }
            // The one append in flight at stop may be stored (once) or not.
            const extra = stored.get(`${w.name}:${last + 1}`) ?? 0;
            if (extra > 1) problems.push(`${w.name}:${last + 1} stored ${extra}×`);
          }
          const acked = writers.reduce((sum, w) => sum + (w.last ?? 0), 0);
          expect(problems, "lost or duplicated acknowledged appends").toEqual([]);
          expect(stored.size).toBeGreaterThanOrEqual(acked);
          expect((await check.integrity.check()).ok).toBe(true);
          console.log(
            `sqld over ${scheme}: ${ROUNDS} kills, ${acked} acknowledged appends, ${failures.length} failed calls (${[...new Set(failures.map((f) => f.code ?? f.name))].join(", ")}), longest call ${Math.round(longest)} ms`,
          );
        } finally {
          await check.close();
        }
      });

      it("a transaction the server ends at its time limit fails typed at commit and leaves nothing", async () => {
        const driver = libsql({ url: url() });
        const a = await driver.connect();
        const b = await driver.connect();
        try {
          await a.exec("CREATE TABLE IF NOT EXISTS timed (v TEXT)");
          await a.run("DELETE FROM timed");
          const outcome = a.transaction("immediate", async (tx) => {
            await tx.run("INSERT INTO timed VALUES ('from the timed-out transaction')");
            // A write of another connection waits for this one's lock; it runs
            // once the server has ended this transaction at its limit.
            await b.run("INSERT INTO timed VALUES ('queued')");
            await tx.run("INSERT INTO timed VALUES ('after the limit')");
          });
          const error = await outcome.then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(SqliteError);
          expect(error).toBeInstanceOf(LlmSessionsError);
          // Nothing of it was applied: only the other connection's write is there.
          expect(await b.all("SELECT v FROM timed")).toEqual([{ v: "queued" }]);
        } finally {
          await a.close();
          await b.close();
        }
      }, 60_000);
    });
  }
});
