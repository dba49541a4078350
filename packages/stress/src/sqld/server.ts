import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { installSqld } from "./install.js";
import { createNamespace } from "./namespaces.js";

/** Options of {@link startSqld}. */
export interface SqldOptions {
  /** The sqld binary. Default: {@link installSqld}'s, installed on first use. */
  readonly binary?: string;
  /** Data folder. Default: a new temporary folder, removed by `stop()`. */
  readonly dataDir?: string;
  /** Also listen for replicas (sqld's `--grpc-listen-addr`). Default false. */
  readonly grpc?: boolean;
  /**
   * Serve many databases, one per namespace (sqld's `--enable-namespaces`,
   * with its admin API on another free loopback port). Each is created with
   * {@link SqldServer.createNamespace} and reached at its own host name. Default false.
   */
  readonly namespaces?: boolean;
  /** Run as a replica of this primary (its {@link SqldServer.grpcUrl}). */
  readonly primaryGrpcUrl?: string;
  /** How long to wait for the server to answer `/health`. Default 30,000 ms. */
  readonly startTimeoutMs?: number;
}

/** A running sqld on loopback, owned by this process. */
export interface SqldServer {
  /** `http://127.0.0.1:<port>`: Hrana over HTTP. */
  readonly httpUrl: string;
  /** `ws://127.0.0.1:<port>`: Hrana over WebSocket, same port. */
  readonly wsUrl: string;
  /** `http://127.0.0.1:<port>` of the replication endpoint, when started with `grpc`. */
  readonly grpcUrl: string | undefined;
  /** `http://127.0.0.1:<port>` of the admin API, when started with `namespaces`. */
  readonly adminUrl: string | undefined;
  /**
   * Creates a namespace (when started with `namespaces`) and returns its
   * URLs, `http://<name>.localhost:<port>` and `ws://...`: sqld picks the
   * namespace from the first label of the Host header. Creating one that
   * exists is not an error, so processes may race to create the same one.
   * Resolving `*.localhost` needs {@link resolveLocalhostSubdomains} in every
   * process that connects.
   */
  createNamespace(name: string): Promise<{ httpUrl: string; wsUrl: string }>;
  /** Where the server keeps its data. */
  readonly dataDir: string;
  /** The server's process id, while it runs. */
  readonly pid: number | undefined;
  /** Sends `signal` (default SIGKILL) and waits for the process to end. The data stays. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the server again on the same ports and data (after `kill`). */
  restart(): Promise<void>;
  /** Ends the server (SIGTERM, then SIGKILL after 10 s) and removes a data folder it created. */
  stop(): Promise<void>;
  /** The server's recent output, for error messages. */
  output(): string;
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  // A test run that ends without stop() must not leave servers behind.
  for (const child of running) child.kill("SIGKILL");
});

/**
 * Starts sqld on free loopback ports with its own data folder and resolves
 * once it answers `GET /health`.
 *
 * @throws Error when it exits or does not answer within `startTimeoutMs`.
 */
export async function startSqld(options: SqldOptions = {}): Promise<SqldServer> {
  const binary = options.binary ?? installSqld();
  const ownData = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "llm-sessions-sqld-"));
  const httpPort = await freePort();
  const grpcPort = options.grpc ? await freePort() : undefined;
  const adminPort = options.namespaces ? await freePort() : undefined;
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  const args = [
    "--db-path",
    join(dataDir, "data.sqld"),
    "--http-listen-addr",
    `127.0.0.1:${httpPort}`,
    "--no-welcome",
    ...(grpcPort ? ["--grpc-listen-addr", `127.0.0.1:${grpcPort}`] : []),
    ...(adminPort
      ? [
          "--enable-namespaces",
          "--admin-listen-addr",
          `127.0.0.1:${adminPort}`,
          // sqld drops the connections of a namespace it evicts from memory,
          // in use or not (clients see WebSocket close 1006): keep them all.
          "--max-active-namespaces",
          "100000",
        ]
      : []),
    ...(options.primaryGrpcUrl ? ["--primary-grpc-url", options.primaryGrpcUrl] : []),
  ];
  let log = "";
  let child: ChildProcess | undefined;
  const launch = async (): Promise<void> => {
    const proc = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
    child = proc;
    running.add(proc);
    const keep = (chunk: Buffer) => {
      log = (log + chunk.toString("utf8")).slice(-8000);
    };
    proc.stdout?.on("data", keep);
    proc.stderr?.on("data", keep);
    proc.once("exit", () => running.delete(proc));
    await waitForHealth(proc, httpUrl, options.startTimeoutMs ?? 30_000, () => log);
  };
  const kill = async (signal: NodeJS.Signals = "SIGKILL"): Promise<void> => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    proc.kill(signal);
    await exited;
  };
  await launch();
  const adminUrl = adminPort ? `http://127.0.0.1:${adminPort}` : undefined;
  return {
    httpUrl,
    wsUrl: `ws://127.0.0.1:${httpPort}`,
    grpcUrl: grpcPort ? `http://127.0.0.1:${grpcPort}` : undefined,
    adminUrl,
    createNamespace(name: string) {
      if (!adminUrl) throw new Error("createNamespace: start sqld with { namespaces: true }");
      return createNamespace(adminUrl, httpUrl, name);
    },
    dataDir,
    get pid() {
      return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
    },
    kill,
    async restart() {
      await kill();
      await launch();
    },
    async stop() {
      const proc = child;
      if (proc && proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
        proc.kill("SIGTERM");
        const forced = setTimeout(() => proc.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(forced);
      }
      if (ownData) rmSync(dataDir, { recursive: true, force: true });
    },
    output: () => log,
  };
}

/** A primary that accepts replicas, and one replica of it. */
export interface SqldCluster {
  readonly primary: SqldServer;
  readonly replica: SqldServer;
  /** Stops both (the replica first). */
  stop(): Promise<void>;
}

/** Starts a primary with replication on, then a replica that follows it. */
export async function startSqldWithReplica(
  options: Omit<SqldOptions, "grpc" | "primaryGrpcUrl" | "dataDir"> = {},
): Promise<SqldCluster> {
  const primary = await startSqld({ ...options, grpc: true });
  try {
    const replica = await startSqld({ ...options, primaryGrpcUrl: primary.grpcUrl });
    return {
      primary,
      replica,
      async stop() {
        await replica.stop();
        await primary.stop();
      },
    };
  } catch (error) {
    await primary.stop();
    throw error;
  }
}

/** A port the kernel just handed out on loopback (free when returned; sqld binds it next). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("no port was assigned"));
      });
    });
  });
}

async function waitForHealth(
  proc: ChildProcess,
  httpUrl: string,
  timeoutMs: number,
  output: () => string,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(
        `sqld exited before it answered (${proc.exitCode ?? proc.signalCode}): ${output()}`,
      );
    }
    try {
      const response = await fetch(`${httpUrl}/health`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    if (performance.now() > deadline) {
      proc.kill("SIGKILL");
      throw new Error(`sqld did not answer ${httpUrl}/health within ${timeoutMs} ms: ${output()}`);
    }
    await sleep(25);
  }
}
