/**
 * What is measured: the store (on each adapter), the raw drivers running the
 * store's SQL, and the peer. Each target offers the operations it has; every
 * operation picks its inputs from the same rotating lists, so two targets
 * given the same workload do the same work in the same order.
 */
import { randomUUID } from "node:crypto";
import { betterSqlite } from "@llm-sessions/adapter-better-sqlite";
import { libsql } from "@llm-sessions/adapter-libsql";
import { nodeSqlite } from "@llm-sessions/adapter-node-sqlite";
import {
  type OpenStoreOptions,
  openStore,
  POOL_DEFAULTS,
  type SqliteDriver,
  type Store,
  toFtsQuery,
} from "@llm-sessions/core";
import Database from "better-sqlite3";
import { QUERIES, type QueryName, resourceOf } from "./data.js";
import { INDEX_BATCH, INDEX_CHUNK, SEARCH_QUEUE, SNIPPET_CLOSE, SNIPPET_OPEN, SQL } from "./sql.js";

export const OPS = [
  "sessions.get",
  "sessions.list",
  "last(50)",
  "search rare",
  "search common",
  "search co-occurring",
  "sessions.create",
  "append 1",
  "append 10",
  "append tool call+result",
  "fork 200",
] as const;
export type Op = (typeof OPS)[number];

export const SEARCH_OPS: Record<string, QueryName> = {
  "search rare": "rare",
  "search common": "common",
  "search co-occurring": "cooccurring",
};

export type Driver = "better-sqlite3" | "libsql" | "node:sqlite";
/**
 * store: the public API; raw: the driver the adapter drives, running the same
 * SQL (better-sqlite3, the `libsql` package for libSQL files, or node:sqlite's
 * `DatabaseSync`); peer: Mastra.
 */
export type Kind = "store" | "raw" | "peer";

export interface Target {
  readonly kind: Kind;
  readonly driver: Driver;
  /** A short label for progress lines and tables. */
  readonly label: string;
  /** Sync functions are timed as such (raw better-sqlite3); the others are awaited. */
  readonly sync: boolean;
  readonly ops: Partial<Record<Op, () => unknown>>;
  /** Waits for background work the operations started (the store's search-index passes). */
  settle?(): Promise<void>;
  close(): Promise<void>;
}

/** A seeded session: its id and its index (Mastra's resource depends on it). */
export interface SessionRef {
  readonly id: string;
  readonly index: number;
}

/** The inputs of one size level. */
export interface Workload {
  /** Sessions appended to and read from. */
  readonly hot: readonly SessionRef[];
  /** Sessions with exactly 200 messages that are only forked. */
  readonly forkSources: readonly SessionRef[];
  /** Message texts for appends (400 bytes each, with the corpus's marker words). */
  readonly texts: readonly string[];
}

function cycle<T>(items: readonly T[]): () => T {
  let i = 0;
  return () => items[i++ % items.length] as T;
}

/** The store over one adapter, with its default pool. */
export async function storeTarget(
  driver: Driver,
  file: string,
  w: Workload,
  makeDriver: (driver: Driver, file: string) => SqliteDriver = defaultDriver,
  searchIndexing?: OpenStoreOptions["searchIndexing"],
): Promise<Target & { store: Store }> {
  const store = await openStore({
    driver: makeDriver(driver, file),
    ...(searchIndexing ? { searchIndexing } : {}),
    // BENCH_POOL (JSON) adds pool options, for experiments (e.g. {"checkpoint":false}).
    ...(process.env.BENCH_POOL ? { pool: JSON.parse(process.env.BENCH_POOL) } : {}),
  });
  const hot = cycle(w.hot);
  const forks = cycle(w.forkSources);
  const text = cycle(w.texts);
  const search = (q: QueryName) => () => store.search(QUERIES[q], { limit: 20 });
  return {
    kind: "store",
    driver,
    label: `store/${short(driver)}`,
    sync: false,
    store,
    ops: {
      "sessions.get": () => store.sessions.get(hot().id),
      // One tenant's page (the default tenant's), as an application lists a user's sessions.
      "sessions.list": () => store.sessions.list({ tenantId: null, limit: 50 }),
      "last(50)": () => store.messages.last(hot().id, 50),
      "search rare": search("rare"),
      "search common": search("common"),
      "search co-occurring": search("cooccurring"),
      "sessions.create": () => store.sessions.create({ title: "bench", model: "gpt-4o" }),
      "append 1": () => store.messages.append(hot().id, { role: "user", content: text() }),
      "append 10": () => {
        const batch = Array.from({ length: 10 }, () => ({
          role: "user" as const,
          content: text(),
        }));
        return store.messages.append(hot().id, batch);
      },
      "append tool call+result": () => {
        const turn = toolTurn(text());
        return store.messages.append(hot().id, [
          { role: "assistant", parts: turn.callParts },
          { role: "tool", parts: turn.resultParts },
        ]);
      },
      "fork 200": () => store.sessions.fork(forks().id),
    },
    settle: async () => {
      // Index what is queued, let an armed timer's pass run, and index again.
      await store.flushSearchIndex();
      await new Promise((r) => setTimeout(r, 50));
      await store.flushSearchIndex();
    },
    close: () => store.close(),
  };
}

export function defaultDriver(driver: Driver, file: string): SqliteDriver {
  if (driver === "node:sqlite") return nodeSqlite({ filename: file });
  return driver === "better-sqlite3"
    ? betterSqlite({ filename: file })
    : libsql({ url: `file:${file}` });
}

const SHORT: Record<Driver, string> = {
  "better-sqlite3": "bs3",
  libsql: "libsql",
  "node:sqlite": "node",
};
const short = (driver: Driver): string => SHORT[driver];

type Params = (string | number | null)[];

/**
 * A UUIDv7-shaped id (millisecond time first), as the store makes them: ids
 * of new rows then land at the end of the `id` indexes. Random (v4) ids would
 * dirty a random index page per row and make the raw driver look slower than
 * the store for a reason that is not the driver.
 */
export function timeOrderedId(): string {
  const t = Date.now().toString(16).padStart(12, "0");
  const r = randomUUID();
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${r.slice(15, 18)}-${r.slice(19, 23)}-${r.slice(24)}`;
}

/**
 * The INSERT's parameters for a message of the session whose key is
 * `sessionPk`: a user's text by default; `parts` as stored (JSON), in the row.
 */
function messageParams(
  sessionPk: number,
  content: string,
  role = "user",
  parts: string | null = null,
): Params {
  return [
    timeOrderedId(),
    sessionPk,
    sessionPk,
    role,
    content,
    null,
    null,
    null,
    null,
    "{}",
    null,
    Date.now(),
    parts,
    // usage (input, output, cached input, reasoning tokens, cost and currency), parts_chunks, summary_through
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
  ];
}

/**
 * One model turn that called a tool, and the tool's answer: an assistant
 * message (a short text and a `tool-call` part) and a tool message (the
 * `tool-result` part answering it, its output a JSON object holding one
 * 400-byte corpus text). The call id is new every time: a session holds
 * each call id once, and the store and the raw driver share the file. The
 * parts are built with their fields in the order the store stores them, so
 * the raw driver writes the same bytes.
 */
export function toolTurn(text: string) {
  const toolCallId = `call_${randomUUID()}`;
  const callText = "Let me look that up.";
  const callParts = [
    { type: "text" as const, text: callText },
    {
      type: "tool-call" as const,
      toolCallId,
      toolName: "search_docs",
      input: { query: text.slice(0, 48), limit: 5 },
    },
  ];
  const resultParts = [
    {
      type: "tool-result" as const,
      toolCallId,
      toolName: "search_docs",
      output: { hits: [{ id: 1, text }] },
    },
  ];
  return {
    toolCallId,
    callText,
    callParts,
    resultParts,
    callJson: JSON.stringify(callParts),
    resultJson: JSON.stringify(resultParts),
  };
}

function sessionParams(): Params {
  const now = Date.now();
  return [timeOrderedId(), "", "bench", "gpt-4o", "{}", now, now, now, null];
}

function forkParams(parent: Record<string, unknown>): { session: Params; ids: string } {
  const now = Date.now();
  const atSeq = Number(parent.last_seq);
  return {
    session: [
      timeOrderedId(),
      parent.tenant_id as string,
      parent.title as string | null,
      parent.model as string | null,
      parent.metadata as string,
      now,
      now,
      now,
      (parent.expires_at as number | null) ?? null,
      Number(parent.pk),
      atSeq,
    ],
    ids: JSON.stringify(Array.from({ length: atSeq }, timeOrderedId)),
  };
}

/** What search's page query binds: markers, the FTS5 query, and 20 + 1 rows (to know whether there is a next page). */
function searchParams(q: QueryName): Params {
  return [SNIPPET_OPEN, SNIPPET_CLOSE, toFtsQuery(QUERIES[q]) as string, 21];
}

/** Search's merge of indexed and queued hits: newest first, 20 + 1. */
function newestFirst<T extends { pk: unknown }>(a: readonly T[], b: readonly T[]): T[] {
  return [...a, ...b].sort((x, y) => Number(y.pk) - Number(x.pk)).slice(0, 21);
}

/**
 * The statements of a better-sqlite3-compatible synchronous API (better-sqlite3
 * itself, or the `libsql` package), prepared once and run as the store runs them.
 */
interface SyncStatement {
  run(...params: unknown[]): unknown;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}
interface SyncDatabase {
  prepare(sql: string): SyncStatement;
  exec(sql: string): unknown;
  close(): unknown;
}

/** Reads go to `reader`, writes to `writer`, as the pool sends them. */
function syncOps(
  reader: SyncDatabase,
  writer: SyncDatabase,
  w: Workload,
  indexBatch = INDEX_BATCH,
): Target["ops"] {
  const prepareAll = (db: SyncDatabase) =>
    Object.fromEntries(Object.entries(SQL).map(([name, sql]) => [name, db.prepare(sql)])) as Record<
      keyof typeof SQL,
      SyncStatement
    >;
  const s = prepareAll(writer);
  const r = prepareAll(reader);
  const rollback = writer.prepare("ROLLBACK");
  const hot = cycle(w.hot);
  const forks = cycle(w.forkSources);
  const text = cycle(w.texts);
  /** BEGIN IMMEDIATE .. COMMIT, ROLLBACK on error: what the pool's write() does. */
  const write = <T>(fn: () => T): T => {
    s.begin.run();
    try {
      const result = fn();
      s.commit.run();
      return result;
    } catch (error) {
      rollback.run();
      throw error;
    }
  };
  // The store's search-index queue: every INDEX_BATCH / 4 appended messages
  // an append reads how many are queued, and when about INDEX_BATCH are it
  // indexes the queue (up to INDEX_CHUNK) inside its own transaction, in a
  // savepoint; search matches what is still queued in a temp table of the
  // reader's (prepared once it exists).
  let sinceCheck = 0;
  const checkEvery = Math.max(1, Math.floor(indexBatch / 4));
  let queue: { clear: SyncStatement; load: SyncStatement; page: SyncStatement } | undefined;
  const searchQueued = (params: Params): { pk: unknown }[] => {
    reader.exec(SEARCH_QUEUE.create);
    queue ??= {
      clear: reader.prepare(SEARCH_QUEUE.clear),
      load: reader.prepare(SEARCH_QUEUE.load),
      page: reader.prepare(SEARCH_QUEUE.page),
    };
    queue.clear.run();
    queue.load.run();
    try {
      return queue.page.all(...params) as { pk: unknown }[];
    } finally {
      queue.clear.run();
    }
  };
  /** Inside the append's transaction, after its inserts. */
  const indexIfDue = (count: number): void => {
    sinceCheck += count;
    if (sinceCheck < checkEvery) return;
    sinceCheck = 0;
    const { span } = s.queuedSpan.get() as { span: number | null };
    if ((span ?? 0) < indexBatch) return;
    writer.exec("SAVEPOINT llm_sessions_index");
    s.indexQueued.run(INDEX_CHUNK);
    s.advance.run(INDEX_CHUNK);
    writer.exec("RELEASE llm_sessions_index");
  };
  const search = (q: QueryName) => {
    const params = searchParams(q);
    return () => {
      r.beginRead.run();
      try {
        const indexed = r.searchPage.all(...params) as { pk: unknown }[];
        if (Number((r.hasQueued.get() as { queued: number }).queued) !== 1) return indexed;
        return newestFirst(indexed, searchQueued(params));
      } finally {
        r.commit.run();
      }
    };
  };
  return {
    "sessions.get": () => r.loadSession.get(hot().id),
    "sessions.list": () =>
      r.listSessions.all("", "active", 51, "", "idle", 51, "", "archived", 51, 51),
    "last(50)": () => r.lastMessages.all(hot().id, hot().id, 50).reverse(),
    "search rare": search("rare"),
    "search common": search("common"),
    "search co-occurring": search("cooccurring"),
    "sessions.create": () => write(() => s.createSession.get(...sessionParams())),
    "append 1": () => {
      const id = hot().id;
      const content = text();
      return write(() => {
        const { pk } = s.loadSession.get(id) as { pk: number };
        const stored = [s.insertMessage.get(...messageParams(pk, content))];
        indexIfDue(1);
        return stored;
      });
    },
    "append 10": () => {
      const id = hot().id;
      const contents = Array.from({ length: 10 }, text);
      return write(() => {
        const { pk } = s.loadSession.get(id) as { pk: number };
        const stored = contents.map((c) => s.insertMessage.get(...messageParams(pk, c)));
        indexIfDue(10);
        return stored;
      });
    },
    "append tool call+result": () => {
      const id = hot().id;
      const turn = toolTurn(text());
      return write(() => {
        const { pk } = s.loadSession.get(id) as { pk: number };
        const call = s.insertMessage.get(
          ...messageParams(pk, turn.callText, "assistant", turn.callJson),
        );
        // The result answers a call of an earlier message: the store looks it up.
        if (s.toolCallKnown.get(pk, turn.toolCallId) === undefined) throw new Error("no call");
        const result = s.insertMessage.get(...messageParams(pk, "", "tool", turn.resultJson));
        indexIfDue(2);
        return [call, result];
      });
    },
    "fork 200": () => {
      const parentId = forks().id;
      const fork = write(() => {
        const parent = s.loadSession.get(parentId) as Record<string, unknown>;
        const { session, ids } = forkParams(parent);
        const { pk } = s.forkSession.get(...session) as { pk: number };
        s.forkMessages.run(pk, ids, parent.pk);
        s.forkChunks.run(pk, parent.pk, Number(parent.last_seq));
        return s.forkResult.get(pk) as { message_count: number };
      });
      return fork;
    },
  };
}

/**
 * The pragmas the adapters apply to every connection (the file is already in
 * WAL mode); the pool maps the file on its readers only.
 */
const PRAGMAS = "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL";
/** …and on the readers the pool's memory mapping and small page cache (the writer keeps the driver's). */
const READER_PRAGMAS = `${PRAGMAS}; PRAGMA mmap_size = ${POOL_DEFAULTS.mmapSizeBytes}; PRAGMA cache_size = -${POOL_DEFAULTS.readerCacheKiB}`;

/**
 * Raw better-sqlite3: statements prepared once, the store's SQL; like the
 * pool, one connection for writes and one for reads, with the same pragmas.
 */
export function rawBetterSqlite(
  file: string,
  w: Workload,
  verbose?: (sql: unknown) => void,
  indexBatch = INDEX_BATCH,
): Target {
  const open = (pragmas: string) => {
    const db = new Database(file, { timeout: 5000, ...(verbose ? { verbose } : {}) });
    db.exec(pragmas);
    return db;
  };
  const writer = open(PRAGMAS);
  const reader = open(READER_PRAGMAS);
  return {
    kind: "raw",
    driver: "better-sqlite3",
    label: "raw/bs3",
    sync: true,
    ops: syncOps(
      reader as unknown as SyncDatabase,
      writer as unknown as SyncDatabase,
      w,
      indexBatch,
    ),
    close: async () => {
      reader.close();
      writer.close();
    },
  };
}

/** The `libsql` package (the engine under @libsql/client), driven directly like better-sqlite3. */
export async function rawLibsqlNative(file: string, w: Workload): Promise<Target> {
  const { default: Libsql } = await import("libsql");
  const open = (pragmas: string) => {
    const db = new Libsql(file, { timeout: 5000 });
    db.exec(pragmas);
    return db;
  };
  const writer = open(PRAGMAS);
  const reader = open(READER_PRAGMAS);
  return {
    kind: "raw",
    driver: "libsql",
    label: "raw/libsql",
    sync: true,
    ops: syncOps(reader as unknown as SyncDatabase, writer as unknown as SyncDatabase, w),
    close: async () => {
      reader.close();
      writer.close();
    },
  };
}

/** node:sqlite's `DatabaseSync`, driven directly like better-sqlite3 (numbers bound as it binds them). */
export async function rawNodeSqlite(file: string, w: Workload): Promise<Target> {
  const { DatabaseSync } = await import("node:sqlite");
  const open = (pragmas: string) => {
    const db = new DatabaseSync(file);
    db.exec(`PRAGMA busy_timeout = 5000; ${pragmas}`);
    return db;
  };
  const writer = open(PRAGMAS);
  const reader = open(READER_PRAGMAS);
  return {
    kind: "raw",
    driver: "node:sqlite",
    label: "raw/node",
    sync: true,
    ops: syncOps(reader as unknown as SyncDatabase, writer as unknown as SyncDatabase, w),
    close: async () => {
      reader.close();
      writer.close();
    },
  };
}

/** The peer: Mastra's libSQL storage, its memory domain, as an agent's memory uses it. */
export async function mastraTarget(file: string, w: Workload): Promise<Target> {
  const { LibSQLStore } = await import("@mastra/libsql");
  const storage = new LibSQLStore({ id: "bench", url: `file:${file}` });
  await storage.init();
  const memory = await storage.getStore("memory");
  if (!memory) throw new Error("Mastra's LibSQLStore has no memory domain");
  const hot = cycle(w.hot);
  const text = cycle(w.texts);
  return {
    kind: "peer",
    driver: "libsql",
    label: "mastra",
    sync: false,
    ops: {
      "sessions.create": () => {
        const now = new Date();
        return memory.saveThread({
          thread: {
            id: randomUUID(),
            resourceId: "user-bench",
            title: "bench",
            createdAt: now,
            updatedAt: now,
            metadata: {},
          },
        });
      },
      "append 1": () => {
        const s = hot();
        return memory.saveMessages({
          messages: [
            {
              id: randomUUID(),
              threadId: s.id,
              resourceId: resourceOf(s.index),
              role: "user",
              content: { format: 2, parts: [{ type: "text", text: text() }] },
              createdAt: new Date(),
            },
          ],
        });
      },
      "last(50)": async () => {
        const page = await memory.listMessages({
          threadId: hot().id,
          perPage: 50,
          page: 0,
          orderBy: { field: "createdAt", direction: "DESC" },
        });
        return page.messages.reverse();
      },
    },
    close: () => storage.close(),
  };
}
