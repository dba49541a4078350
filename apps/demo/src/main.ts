#!/usr/bin/env node
/**
 * The demo: simulated users talk to fake models through an AI router that
 * keeps every conversation in an @llm-sessions store on an embedded SQLite
 * file, and a web page shows it live. Runs until Ctrl-C (or `--duration`),
 * then prints a summary.
 *
 *   npm run demo
 *   npm run demo -- --driver libsql --port 8080 --users 16 --rate 10
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { type DriverName, driverNamed, type RunningDemo, startDemo } from "./demo.js";
import { printSummary } from "./simulation.js";

const HELP = `llm-sessions demo: an AI-router simulation over an embedded SQLite store, with a web page

Usage: npm run demo -- [options]

Options:
  --driver better-sqlite3|libsql   the adapter (default better-sqlite3; better-sqlite works too)
  --db PATH                        database file (default ./demo-data/router.db)
  --fresh                          delete the database first (only an llm-sessions store)
  --host HOST                      where the page is served (default 127.0.0.1: this machine only);
                                   it answers to that host's names and the loopback names only
  --port N                         the page's port (default $PORT, else 3000; 0 = any free port)
  --duration SECONDS               stop after this long (default: run until Ctrl-C)
  --users N                        simulated users talking at once (default 8)
  --rate N                         conversation turns per second, all users together (default 8)
  --seed N                         seed of the users and the fake models (default 42)
  --idle-after SECONDS             a quiet session becomes idle (default 5)
  --archive-after SECONDS          ... is archived: snapshot written, messages leave the hot tables (default 15)
  --purge-after SECONDS            ... is deleted (default 60)
  --sweep-every SECONDS            how often the lifecycle policy is applied (default 2)
  --help                           this text`;

function fail(message: string): never {
  console.error(`demo: ${message}\n\n${HELP}`);
  process.exit(2);
}

let parsed: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      driver: { type: "string", default: "better-sqlite3" },
      db: { type: "string", default: "demo-data/router.db" },
      fresh: { type: "boolean", default: false },
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string" },
      duration: { type: "string" },
      users: { type: "string", default: "8" },
      rate: { type: "string", default: "8" },
      seed: { type: "string", default: "42" },
      "idle-after": { type: "string", default: "5" },
      "archive-after": { type: "string", default: "15" },
      "purge-after": { type: "string", default: "60" },
      "sweep-every": { type: "string", default: "2" },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
}
try {
  parsed = parse();
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
const { values } = parsed;

if (values.help) {
  console.log(HELP);
  process.exit(0);
}

/** The longest timer Node keeps (about 24.8 days): a longer `setTimeout` fires at once. */
const MAX_TIMER_SECONDS = 2_147_483;

/**
 * A number from an option, in plain decimal (`Number()` alone takes `1e99`
 * and `0x10`) and within `min..max`, or a usage error (exit 2).
 */
function num(
  name: string,
  raw: string,
  {
    min = 0,
    max = 1_000_000,
    integer = false,
  }: { min?: number; max?: number; integer?: boolean } = {},
): number {
  const n = Number(raw);
  if (!(integer ? /^\d{1,16}$/ : /^\d{1,16}(\.\d{1,9})?$/).test(raw.trim()) || n < min || n > max) {
    fail(
      `--${name} must be ${integer ? "an integer" : "a number"} from ${min} to ${max}, not ${JSON.stringify(raw)}`,
    );
  }
  return n;
}

const named = driverNamed(values.driver);
if (named === undefined) {
  fail(`unknown --driver ${values.driver}: use better-sqlite3 (or better-sqlite) or libsql`);
}
const driver: DriverName = named;
const port = num("port", values.port ?? process.env.PORT ?? "3000", {
  integer: true,
  max: 65_535,
});
const duration =
  values.duration === undefined
    ? undefined
    : num("duration", values.duration, { min: 1, max: MAX_TIMER_SECONDS });
// The sweep runs on a timer; the lifecycle durations are bounded by the store (2^47 ms).
const seconds = (name: "idle-after" | "archive-after" | "purge-after" | "sweep-every") =>
  Math.round(
    num(
      name,
      values[name],
      name === "sweep-every"
        ? { min: 0.1, max: MAX_TIMER_SECONDS }
        : { min: 1, max: Math.floor(2 ** 47 / 1000) },
    ) * 1000,
  );
const lifecycle = {
  idleAfterMs: seconds("idle-after"),
  archiveAfterMs: seconds("archive-after"),
  purgeAfterMs: seconds("purge-after"),
};
if (
  !(
    lifecycle.idleAfterMs < lifecycle.archiveAfterMs &&
    lifecycle.archiveAfterMs < lifecycle.purgeAfterMs
  )
) {
  fail("the lifecycle needs --idle-after < --archive-after < --purge-after");
}

// npm runs workspace scripts inside the workspace; paths are relative to where you typed the command.
const base = process.env.INIT_CWD ?? process.cwd();
const file = resolve(base, values.db);
mkdirSync(dirname(file), { recursive: true });

let demo: RunningDemo;
try {
  demo = await startDemo({
    driver,
    file,
    fresh: values.fresh,
    host: values.host,
    port,
    users: num("users", values.users, { integer: true, max: 1000 }),
    rate: num("rate", values.rate, { min: 0.1, max: 1000 }),
    seed: num("seed", values.seed, { integer: true, max: 2_147_483_647 }),
    lifecycle,
    sweepEveryMs: seconds("sweep-every"),
  });
} catch (error) {
  const code = (error as { code?: unknown }).code;
  if (code === "EADDRINUSE")
    fail(`port ${port} is taken: pick another with --port N (or --port 0)`);
  // --fresh on a file that is not a store of ours.
  if (code === "VALIDATION") fail((error as Error).message);
  throw error;
}

const { store, sim } = demo;
console.log(`llm-sessions demo on ${file} (${demo.driver})`);
console.log(`\n  open ${demo.url}\n`);
console.log(
  `${sim.settings.users} users, ~${sim.settings.rate} turns/s; idle after ${lifecycle.idleAfterMs / 1000}s, archived after ${lifecycle.archiveAfterMs / 1000}s, purged after ${lifecycle.purgeAfterMs / 1000}s. ${duration ? `Stops after ${duration}s.` : "Ctrl-C stops."}`,
);

const progress = setInterval(() => {
  const t = sim.totals;
  const p = store.poolStats();
  const elapsed = Math.round((Date.now() - sim.startedAt) / 1000);
  console.log(
    `  ${elapsed}s: ${t.turns} turns, ${t.sessions} sessions, ${t.forks} forks, ${t.restores} restores · swept ${t.idled} idle, ${t.archived} archived, ${t.purged} purged · pool waiting ${p.waiting}, wait p95 ${p.waitMs.p95.toFixed(1)} ms`,
  );
}, 5_000);

let finishing: Promise<void> | undefined;
function finish(reason: string): Promise<void> {
  finishing ??= (async () => {
    clearInterval(progress);
    clearTimeout(timer);
    console.log(`\n${reason}: stopping the server and the simulation...`);
    let code = 0;
    try {
      await demo.stop();
      await printSummary(store, sim.totals, (line) => console.log(line));
    } catch (error) {
      console.error(error);
      code = 1;
    } finally {
      await demo.close();
    }
    process.exitCode = code;
  })();
  return finishing;
}

const timer = duration
  ? setTimeout(() => void finish(`${duration}s passed`), duration * 1000)
  : undefined;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (finishing) {
      console.error("stopping at once");
      process.exit(130);
    }
    void finish(signal);
  });
}
