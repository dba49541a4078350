/**
 * Where append time goes, and what the search index options would change:
 * raw better-sqlite3 running the store's append (BEGIN IMMEDIATE, the
 * session check, INSERT … RETURNING, COMMIT) on copies of one template whose
 * schema is altered per variant. Not the store's API: these are schema
 * options the store does not have (yet); the figures are what choosing one
 * would gain. Every variant appends the same messages to the same sessions,
 * with SQLite's automatic checkpoints on, as a store would.
 */
import path from "node:path";
import { MIGRATIONS } from "@llm-sessions/core";
import Database from "better-sqlite3";
import { removeDb, workingCopy } from "./files.js";
import { progress } from "./progress.js";
import { middle, quantile } from "./runner.js";
import { SQL } from "./sql.js";
import { timeOrderedId } from "./targets.js";

export interface StudyRow {
  readonly variant: string;
  readonly what: string;
  /** Per append, ms (an append that ran a deferred indexing pass includes it). */
  readonly median: number;
  readonly p95: number;
  readonly mean: number;
  /** WAL frames (pages) written per append (measured in a separate run without checkpoints). */
  readonly framesPerAppend: number;
  /** Can search miss a committed message, and how is that avoided? */
  readonly search: string;
}

interface Variant {
  readonly name: string;
  readonly what: string;
  readonly search: string;
  /** Statements that turn the template's v1 schema into this variant. */
  readonly setup: (v1: readonly string[]) => string[];
  /** Deferred indexing: index the pending messages every `batch` appends. */
  readonly batch?: number;
}

const FTS_INSERT = "INSERT INTO messages_fts (rowid, content) VALUES (new.pk, new.content);";
const insertTrigger = (v1: readonly string[]) =>
  v1.find((s) => s.startsWith("CREATE TRIGGER messages_after_insert")) as string;
const ftsTable = (v1: readonly string[]) => v1.find((s) => s.includes("USING fts5")) as string;

/** Recreates the index with extra FTS5 options and rebuilds it from the messages. */
const ftsWith =
  (options: string) =>
  (v1: readonly string[]): string[] => [
    "DROP TABLE messages_fts",
    ftsTable(v1).replace(
      "tokenize = 'unicode61 remove_diacritics 2'",
      `tokenize = 'unicode61 remove_diacritics 2', ${options}`,
    ),
    "INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')",
  ];

/**
 * Deferred indexing: the insert trigger notes the message in a queue table
 * instead of indexing it; an indexing pass (one write transaction) moves the
 * queue into the index. Deletes and content updates of a queued message only
 * touch the queue (the index never saw it).
 */
const deferred = (v1: readonly string[]): string[] => [
  "CREATE TABLE messages_fts_pending (pk INTEGER PRIMARY KEY)",
  "DROP TRIGGER messages_after_insert",
  insertTrigger(v1).replace(FTS_INSERT, "INSERT INTO messages_fts_pending (pk) VALUES (new.pk);"),
];
const INDEX_PENDING = [
  `INSERT INTO messages_fts (rowid, content)
     SELECT m.pk, m.content FROM messages_fts_pending AS p JOIN messages AS m ON m.pk = p.pk`,
  "DELETE FROM messages_fts_pending",
];

/**
 * The template has the current schema (v5: messages above a watermark wait
 * for the index). Every variant starts from v1's triggers instead, which index inside
 * the append, so that each variant is one change from that baseline.
 */
const backToV1Triggers = (v1: readonly string[]): string[] => [
  "DROP TRIGGER messages_after_insert",
  "DROP TRIGGER messages_after_delete",
  "DROP TRIGGER messages_after_update_content",
  "DROP TABLE IF EXISTS messages_fts_pending",
  ...v1.filter((s) =>
    /^CREATE TRIGGER messages_after_(insert|delete|update_content) /.test(s.trimStart()),
  ),
];

const VARIANTS: readonly Variant[] = [
  {
    name: "v1",
    what: "schema v1–v2: the insert trigger indexes each message in its own transaction",
    search: "sees every committed message",
    setup: () => [],
  },
  {
    name: "columnsize=0",
    what: "FTS5 keeps no per-row token counts (one b-tree write less per message)",
    search: "sees every committed message; BM25 then re-tokenizes every match to rank it",
    setup: ftsWith("columnsize = 0"),
  },
  {
    name: "detail=column",
    what: "FTS5 keeps no token positions",
    search:
      "sees every committed message; but a word that tokenizes into several tokens (e-mail) is a phrase, which detail=column refuses, and snippets lose their positions",
    setup: ftsWith("detail = column"),
  },
  {
    name: "automerge=16",
    what: "FTS5 merges its segments less often (default 4)",
    search: "sees every committed message; a query may read more segments",
    setup: () => ["INSERT INTO messages_fts (messages_fts, rank) VALUES ('automerge', 16)"],
  },
  {
    name: "deferred, 8",
    what: "appends queue their messages; one pass indexes the queue every 8 appends",
    search:
      "misses queued messages unless search first runs the pass (it must: one write transaction when the queue is not empty)",
    setup: deferred,
    batch: 8,
  },
  {
    name: "deferred, 32",
    what: "the same, every 32 appends (what schema v3 and the store's default do)",
    search: "as above",
    setup: deferred,
    batch: 32,
  },
  {
    name: "no index",
    what: "no search index at all (the lower bound)",
    search: "no search",
    setup: (v1) => [
      "DROP TRIGGER messages_after_insert",
      insertTrigger(v1).replace(FTS_INSERT, ""),
    ],
  },
  {
    name: "v1, lean session indexes",
    what: "v1 without the counters in sessions_for_stats and without the two status/activity indexes (fewer index entries moved per append)",
    search: "sees every committed message",
    setup: () => [
      "DROP INDEX sessions_for_stats",
      "DROP INDEX sessions_by_tenant_status_activity",
      "DROP INDEX sessions_by_status_activity",
    ],
  },
];

export async function runFtsStudy(
  templateFile: string,
  workDir: string,
  sessionIds: readonly string[],
  texts: readonly string[],
  appends: number,
  rounds: number,
): Promise<StudyRow[]> {
  // v1's statements, keyed as the template's schema (v4) keys messages: by
  // the session's integer key rather than its text id.
  const v1 = (MIGRATIONS[0]?.statements ?? []).map((sql) =>
    sql
      .replaceAll("WHERE id = new.session_id", "WHERE pk = new.session_pk")
      .replaceAll("WHERE id = old.session_id", "WHERE pk = old.session_pk")
      .replaceAll("session_id = old.session_id", "session_pk = old.session_pk"),
  ) as readonly string[];
  const files = new Map<string, string>();
  for (const [i, v] of VARIANTS.entries()) {
    progress(`search index study: preparing "${v.name}"…`);
    const file = workingCopy(templateFile, path.join(workDir, `study-${i}.db`));
    const db = new Database(file);
    db.exec("BEGIN");
    for (const sql of backToV1Triggers(v1)) db.exec(sql);
    for (const sql of v.setup(v1)) db.exec(sql);
    // Every variant starts from the same index layout: one freshly built index.
    if (!v.setup(v1).some((sql) => sql.includes("'rebuild'")) && v.name !== "no index") {
      db.exec("INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')");
    }
    db.exec("COMMIT");
    db.pragma("wal_checkpoint(TRUNCATE)");
    db.close();
    files.set(v.name, file);
  }
  const samples = new Map<string, { median: number; p95: number; mean: number }[]>();
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
    for (const v of order) {
      progress(`search index study: "${v.name}", round ${round + 1}/${rounds}…`);
      const r = appendLoop(files.get(v.name) as string, v, sessionIds, texts, appends);
      samples.set(v.name, [...(samples.get(v.name) ?? []), r]);
    }
  }
  const frames = new Map<string, number>();
  for (const v of VARIANTS) {
    // 320 appends: a multiple of both batch sizes, so every queued message is indexed.
    frames.set(
      v.name,
      appendLoop(files.get(v.name) as string, v, sessionIds, texts, 320, true).frames,
    );
  }
  for (const file of files.values()) removeDb(file);
  return VARIANTS.map((v) => {
    const s = samples.get(v.name) ?? [];
    return {
      variant: v.name,
      what: v.what,
      median: middle(s.map((x) => x.median)),
      p95: middle(s.map((x) => x.p95)),
      mean: middle(s.map((x) => x.mean)),
      framesPerAppend: frames.get(v.name) ?? Number.NaN,
      search: v.search,
    };
  });
}

function appendLoop(
  file: string,
  v: Variant,
  sessionIds: readonly string[],
  texts: readonly string[],
  appends: number,
  countFrames = false,
): { median: number; p95: number; mean: number; frames: number } {
  const db = new Database(file, { timeout: 5000 });
  db.exec("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL");
  if (countFrames) {
    // No checkpoint during the run: the WAL then holds every frame written.
    db.pragma("wal_checkpoint(TRUNCATE)");
    db.pragma("wal_autocheckpoint = 0");
  }
  const begin = db.prepare(SQL.begin);
  const commit = db.prepare(SQL.commit);
  const load = db.prepare(SQL.loadSession);
  const insert = db.prepare(SQL.insertMessage);
  const index = v.batch ? INDEX_PENDING.map((sql) => db.prepare(sql)) : [];
  const times: number[] = [];
  for (let i = 0; i < appends; i++) {
    const id = sessionIds[i % sessionIds.length] as string;
    const t0 = performance.now();
    begin.run();
    const { pk } = load.get(id) as { pk: number };
    insert.get(
      timeOrderedId(),
      pk,
      pk,
      "user",
      texts[i % texts.length],
      null,
      null,
      null,
      null,
      "{}",
      null,
      Date.now(),
      // parts, usage (6 columns), parts_chunks, summary_through
      ...Array<null>(9).fill(null),
    );
    commit.run();
    if (v.batch && (i + 1) % v.batch === 0) {
      begin.run();
      for (const s of index) s.run();
      commit.run();
    }
    times.push(performance.now() - t0);
  }
  const frames = countFrames
    ? ((db.pragma("wal_checkpoint(PASSIVE)") as { log: number }[])[0]?.log ?? 0) / appends
    : Number.NaN;
  db.close();
  const sorted = [...times].sort((a, b) => a - b);
  return {
    median: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    frames,
  };
}
