import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { createAdaptorServer } from "@hono/node-server";
import { betterSqlite } from "@llm-sessions/adapter-better-sqlite";
import { libsql } from "@llm-sessions/adapter-libsql";
import { type LifecyclePolicy, openStore, type SqliteDriver, type Store } from "@llm-sessions/core";
import type { Hono } from "hono";
import { removeForFresh } from "./fresh.js";
import { allowedHostsFor, createApp } from "./server/app.js";
import { Simulation, type SimulationOptions } from "./simulation.js";

export type DriverName = "better-sqlite3" | "libsql";

/**
 * The driver a `--driver` value names: `better-sqlite3` (the npm package) or
 * `better-sqlite` (as the `llm-sessions` CLI spells it), or `libsql`;
 * `undefined` for anything else.
 */
export function driverNamed(text: string): DriverName | undefined {
  const name = text.trim().toLowerCase();
  if (name === "better-sqlite3" || name === "better-sqlite") return "better-sqlite3";
  if (name === "libsql") return "libsql";
  return undefined;
}

export interface DemoOptions extends SimulationOptions {
  readonly driver?: DriverName;
  /** The database file (absolute, or relative to the working directory). */
  readonly file: string;
  /**
   * Delete the database file (and its -wal, -shm) first, when it is an
   * llm-sessions store (or empty, or absent); any other file is refused
   * with a `ValidationError`. Default false.
   */
  readonly fresh?: boolean;
  /**
   * Where the server listens. Default 127.0.0.1 (this machine only). The
   * server answers only to the `Host` names of that address (see
   * `allowedHostsFor`), whatever it is.
   */
  readonly host?: string;
  /** Default 3000; 0 picks a free port. */
  readonly port?: number;
  /**
   * The lifecycle timings. Default: idle after 5 s, archived after 15 s,
   * purged after 60 s — short, so it happens while you watch.
   */
  readonly lifecycle?: Pick<LifecyclePolicy, "idleAfterMs" | "archiveAfterMs" | "purgeAfterMs">;
}

/** The demo's lifecycle: seconds instead of the minutes and days of a real router. */
export const DEMO_LIFECYCLE = { idleAfterMs: 5_000, archiveAfterMs: 15_000, purgeAfterMs: 60_000 };

export interface RunningDemo {
  /** The page, e.g. `http://127.0.0.1:3000/`. */
  readonly url: string;
  readonly port: number;
  readonly store: Store;
  readonly sim: Simulation;
  readonly app: Hono;
  readonly driver: string;
  /** Stops serving (open connections too) and stops the simulation; the store stays open. */
  stop(): Promise<void>;
  /** `stop()`, then closes the store. */
  close(): Promise<void>;
}

/**
 * The driver for `file`. libSQL takes a URL: it is built by `pathToFileURL`,
 * since in `file:${path}` a `%41` in a name reads as `A` (another file) and
 * a `#` or `?` ends the path.
 */
export function makeDriver(name: DriverName, file: string): SqliteDriver {
  if (name === "better-sqlite3") return betterSqlite({ filename: file });
  if (name === "libsql") return libsql({ url: pathToFileURL(resolve(file)).href });
  throw new Error(`unknown driver ${JSON.stringify(name)}: use better-sqlite3 or libsql`);
}

/**
 * Opens the store on `file`, starts the simulation and the web server.
 * The sweeps are run by the simulation (so each result can be shown), not by
 * the store's own timer.
 */
export async function startDemo(options: DemoOptions): Promise<RunningDemo> {
  const driverName = options.driver ?? "better-sqlite3";
  const driver = makeDriver(driverName, options.file);
  if (options.fresh) await removeForFresh(options.file, driver);
  const store = await openStore({
    driver,
    pool: { readers: 2 },
    lifecycle: { ...(options.lifecycle ?? DEMO_LIFECYCLE), sweepIntervalMs: 0 },
  });
  const sim = new Simulation(store, options);
  const host = options.host ?? "127.0.0.1";
  const app = createApp(store, sim, {
    info: { driver: driver.name, database: options.file },
    allowedHosts: allowedHostsFor(host),
  });
  const server = createAdaptorServer({ fetch: app.fetch, hostname: host }) as Server;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 3000, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    await store.close();
    throw error;
  }
  sim.start();
  const port = (server.address() as AddressInfo).port;
  const shown =
    host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await Promise.all([closed, sim.stop()]);
    })();
    return stopping;
  };
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shown}:${port}/`,
    port,
    store,
    sim,
    app,
    driver: driver.name,
    stop,
    close: () => {
      closing ??= stop().then(() => store.close());
      return closing;
    },
  };
}
