import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "llm-sessions-exit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A store with a running sweeper, once closed, leaves nothing that keeps
 * Node alive: the child process must exit on its own. It runs the built
 * packages (turbo builds them before tests), as an application would.
 */
it("a process that opens a store with a sweeper and closes it exits by itself", () => {
  const script = `
    import { openStore } from "@llm-sessions/core";
    import { betterSqlite } from "@llm-sessions/adapter-better-sqlite";
    const store = await openStore({
      driver: betterSqlite({ filename: ${JSON.stringify(join(dir, "exit.db"))} }),
      lifecycle: { idleAfterMs: 1, archiveAfterMs: 2, sweepIntervalMs: 5 },
    });
    const s = await store.sessions.create();
    await store.messages.append(s.id, { role: "user", content: "hi" });
    // Let the timer sweep a few times (a loaded machine may take a while).
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const f = store.lifecycle.figures();
      if (f.sweeps > 2 && f.archived === 1) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const figures = store.lifecycle.figures();
    await store.close();
    console.log(JSON.stringify(figures));
  `;
  const started = Date.now();
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: __dirname,
    encoding: "utf8",
    timeout: 20_000,
  });
  expect(child.error).toBeUndefined();
  expect(child.stderr).toBe("");
  expect(child.status).toBe(0);
  const figures = JSON.parse(child.stdout.trim().split("\n").pop() ?? "{}");
  // The timer really ran sweeps before close (so there was a timer to stop).
  expect(figures.sweeps).toBeGreaterThan(1);
  expect(figures.archived).toBe(1);
  expect(Date.now() - started).toBeLessThan(18_000);
});
