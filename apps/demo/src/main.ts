#!/usr/bin/env node
/**
 * The demo: simulated users talk to fake models through an AI router that
 * keeps every conversation in an @llm-sessions store on an embedded SQLite
 * file. Progress is printed each second and a summary table at the end.
 *
 *   npm run demo -- --driver libsql --duration 30 --users 16
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { betterSqlite } from "@llm-sessions/adapter-better-sqlite";
import { libsql } from "@llm-sessions/adapter-libsql";
import { openStore, type SqliteDriver } from "@llm-sessions/core";
import { runSimulation } from "./simulation.js";

const { values } = parseArgs({
  options: {
    driver: { type: "string", default: "better-sqlite3" },
    db: { type: "string", default: "demo-data/router.db" },
    duration: { type: "string", default: "15" },
    users: { type: "string", default: "8" },
    seed: { type: "string", default: "42" },
    help: { type: "boolean", default: false },
  },
});

if (values.help) {
  console.log(`llm-sessions demo: an AI-router simulation over an embedded SQLite store

Options:
  --driver better-sqlite3|libsql   the adapter (default better-sqlite3)
  --db PATH                        database file (default ./demo-data/router.db)
  --duration SECONDS               how long to simulate (default 15)
  --users N                        concurrent simulated users (default 8)
  --seed N                         seed of the fake models (default 42)`);
  process.exit(0);
}

// npm runs workspace scripts inside the workspace; paths are relative to where you typed the command.
const base = process.env.INIT_CWD ?? process.cwd();
const file = resolve(base, values.db);
mkdirSync(dirname(file), { recursive: true });

let driver: SqliteDriver;
if (values.driver === "better-sqlite3") driver = betterSqlite({ filename: file });
else if (values.driver === "libsql") driver = libsql({ url: `file:${file}` });
else {
  console.error(`unknown --driver ${values.driver}: use better-sqlite3 or libsql`);
  process.exit(2);
}

const store = await openStore({ driver, pool: { readers: 2 } });
console.log(
  `llm-sessions demo on ${file} (${driver.name}); ${values.users} users for ${values.duration}s`,
);
try {
  await runSimulation(store, {
    durationMs: Number(values.duration) * 1000,
    users: Number(values.users),
    seed: Number(values.seed),
    log: (line) => console.log(line),
  });
} finally {
  await store.close();
}
