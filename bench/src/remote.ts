/**
 * The remote section: the store on a libSQL server (sqld on loopback, started
 * here) over http:// and ws://, against the raw @libsql/client doing the same
 * work in the fewest round trips, in the same run. The figures that matter
 * are the ratios: loopback latency is mostly the server's and the
 * protocol's, so absolute times say little about a real network.
 */
import { createClient } from "@libsql/client";
import { libsql } from "@llm-sessions/adapter-libsql";
import { openStore, type Store } from "@llm-sessions/core";
import { resolveLocalhostSubdomains, startSqld } from "@llm-sessions/stress/sqld";
import { contentOf } from "./data.js";
import { progress } from "./progress.js";
import { type Contestant, measure, type RunProfile, type Timing } from "./runner.js";
import { SNIPPET_CLOSE, SNIPPET_OPEN, SQL } from "./sql.js";

export type RemoteScheme = "http" | "ws";

/** The remote cases, each one call of the store against the raw client's fewest requests. */
export const REMOTE_OPS = ["append", "last(50)", "sessions.get", "search"] as const;
export type RemoteOp = (typeof REMOTE_OPS)[number];

/** What the raw client sends for each case. */
export const RAW_WAY: Record<RemoteOp, string> = {
  append: "one `batch(write)`: the INSERT (session key known)",
  "last(50)": "one `execute`: the store's SELECT",
  "sessions.get": "one `execute`: the store's SELECT",
  search: "one `execute`: the store's page query",
};

export interface RemoteRow {
  readonly scheme: RemoteScheme;
  readonly op: RemoteOp;
  readonly store: Timing;
  readonly raw: Timing;
  /**
   * Append only: a second store on the same database whose search index
   * passes wait for the settle between rounds, to show what the passes cost
   * (the raw client indexes nothing).
   */
  readonly storeNoPasses?: Timing;
}

/** Messages in the session `last(50)` reads; every fourth has the searched word. */
const SEEDED = 200;
const WORD = "lighthouse";
const SEARCH_PAGE = 20;

/** Starts sqld, runs every case on both schemes, stops it. */
export async function runRemote(run: RunProfile, only?: RegExp): Promise<RemoteRow[]> {
  progress("remote: starting sqld…");
  const server = await startSqld({ namespaces: true });
  resolveLocalhostSubdomains();
  const rows: RemoteRow[] = [];
  try {
    for (const scheme of ["http", "ws"] as const) {
      const urls = await server.createNamespace(`bench-${scheme}-${process.pid}`);
      const url = scheme === "ws" ? urls.wsUrl : urls.httpUrl;
      rows.push(...(await runScheme(scheme, url, run, only)));
    }
  } finally {
    await server.stop();
  }
  return rows;
}

async function runScheme(
  scheme: RemoteScheme,
  url: string,
  run: RunProfile,
  only: RegExp | undefined,
): Promise<RemoteRow[]> {
  progress(`remote ${scheme}: seeding…`);
  const store = await openStore({ driver: libsql({ url }) });
  const noPasses = await openStore({
    driver: libsql({ url }),
    searchIndexing: { batch: 100_000, delayMs: 60_000 },
  });
  const client = createClient({ url, intMode: "number" });
  try {
    const { readId, writeId, writePk } = await seed(store, client);
    const store_: Record<RemoteOp, () => Promise<unknown>> = {
      append: () => store.messages.append(writeId, { role: "user", content: contentOf(1) }),
      "last(50)": () => store.messages.last(readId, 50),
      "sessions.get": () => store.sessions.get(readId),
      search: () => store.search(WORD, { limit: SEARCH_PAGE }),
    };
    let n = 0;
    const raw: Record<RemoteOp, () => Promise<unknown>> = {
      append: () =>
        client.batch(
          [
            {
              sql: SQL.insertMessage,
              args: [
                `raw-${scheme}-${n++}`,
                writePk,
                writePk,
                "user",
                contentOf(1),
                null,
                null,
                null,
                null,
                "{}",
                null,
                Date.now(),
                // parts, usage (6 columns), parts_chunks, summary_through
                ...Array<null>(9).fill(null),
              ],
            },
          ],
          "write",
        ),
      "last(50)": () => client.execute({ sql: SQL.lastMessages, args: [readId, readId, 50] }),
      "sessions.get": () => client.execute({ sql: SQL.loadSession, args: [readId] }),
      search: () =>
        client.execute({
          sql: SQL.searchPage,
          args: [SNIPPET_OPEN, SNIPPET_CLOSE, WORD, SEARCH_PAGE + 1],
        }),
    };
    const rows: RemoteRow[] = [];
    for (const op of REMOTE_OPS.filter((o) => !only || only.test(o))) {
      const contestants: Contestant[] = [
        {
          label: "store",
          fn: store_[op],
          sync: false,
          // The search index's background pass runs between rounds, not inside the other's.
          settle: async () => {
            await store.flushSearchIndex();
          },
        },
        { label: "raw", fn: raw[op], sync: false },
      ];
      if (op === "append") {
        contestants.push({
          label: "store, no passes",
          fn: () => noPasses.messages.append(writeId, { role: "user", content: contentOf(2) }),
          sync: false,
          settle: async () => {
            await noPasses.flushSearchIndex();
          },
        });
      }
      const timings = await measure(contestants, run, (round) =>
        progress(`remote ${scheme} ${op}: round ${round + 1}/${run.rounds}…`),
      );
      const s = timings.get("store") as Timing;
      const r = timings.get("raw") as Timing;
      const quiet = timings.get("store, no passes");
      rows.push({ scheme, op, store: s, raw: r, ...(quiet ? { storeNoPasses: quiet } : {}) });
      progress(
        `remote ${scheme} ${op}: store ${s.median.toFixed(2)} ms, raw ${r.median.toFixed(2)} ms (${(s.median / r.median).toFixed(2)}x)`,
        true,
      );
    }
    return rows;
  } finally {
    client.close();
    await noPasses.close();
    await store.close();
  }
}

/** A session to read (SEEDED messages, searchable) and one to append to. */
async function seed(
  store: Store,
  client: ReturnType<typeof createClient>,
): Promise<{ readId: string; writeId: string; writePk: number }> {
  const read = await store.sessions.create({});
  for (let i = 0; i < SEEDED; i += 50) {
    await store.messages.append(
      read.id,
      Array.from({ length: 50 }, (_, k) => ({
        role: "user" as const,
        content: (i + k) % 4 === 0 ? `${contentOf(i + k)} ${WORD}` : contentOf(i + k),
      })),
    );
  }
  const write = await store.sessions.create({});
  await store.flushSearchIndex();
  const found = await client.execute({
    sql: "SELECT pk FROM sessions WHERE id = ?",
    args: [write.id],
  });
  return { readId: read.id, writeId: write.id, writePk: Number(found.rows[0]?.pk) };
}
