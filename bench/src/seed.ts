/**
 * Builds a template database (run as a child process so that each process
 * opens a file with one SQLite copy only):
 *
 *   node dist/seed.js store  <messages> <file>   the store's schema, made by its migrations
 *   node dist/seed.js mastra <messages> <file>   Mastra's schema, made by LibSQLStore.init()
 *
 * Rows go in with raw better-sqlite3 (or, for Mastra, the `libsql` package,
 * the same SQLite copy as Mastra's client) in big transactions; the store's
 * triggers keep the counters, as they would have, and the search index is
 * filled at the end (the triggers only queue messages for it).
 */
import fs from "node:fs";
import { betterSqlite } from "@llm-sessions/adapter-better-sqlite";
import { openStore } from "@llm-sessions/core";
import Database from "better-sqlite3";
import {
  contentOf,
  idAt,
  type Layout,
  layoutOf,
  MESSAGES_PER_SESSION,
  MODELS,
  mastraContent,
  messageTime,
  placeMessage,
  resourceOf,
  sessionIdOf,
} from "./data.js";

const COMMIT_EVERY = 50_000;

interface Sink {
  session(i: number, id: string, time: number, model: string): void;
  message(j: number, sessionId: string, seq: number, time: number, sessionIndex: number): void;
  commit(): void;
}

function fill(layout: Layout, sink: Sink, progress: (done: number) => void): void {
  const started = new Set<number>();
  for (let j = 0; j < layout.messages; j++) {
    const { session, seq } = placeMessage(layout, j);
    const time = messageTime(j);
    if (!started.has(session)) {
      started.add(session);
      sink.session(session, sessionIdOf(session), time, MODELS[session % MODELS.length] as string);
    }
    sink.message(j, sessionIdOf(session), seq, time, session);
    if ((j + 1) % COMMIT_EVERY === 0) {
      sink.commit();
      progress(j + 1);
    }
  }
  sink.commit();
  progress(layout.messages);
}

async function seedStore(layout: Layout, file: string): Promise<void> {
  const store = await openStore({ driver: betterSqlite({ filename: file }) });
  await store.close();
  const db = new Database(file);
  db.pragma("synchronous = OFF");
  db.pragma("cache_size = -262144");
  db.pragma("foreign_keys = OFF");
  const insertSession = db.prepare(
    `INSERT INTO sessions (id, tenant_id, title, model, created_at, updated_at, last_activity_at)
     VALUES (?, '', ?, ?, ?, ?, ?)`,
  );
  const insertMessage = db.prepare(
    `INSERT INTO messages (id, session_pk, seq, role, content, model, tokens, latency_ms, metadata, created_at)
     VALUES (?, (SELECT pk FROM sessions WHERE id = ? AND tenant_id = ''), ?, ?, ?, ?, ?, ?, '{}', ?)`,
  );
  // Messages above the search index's watermark wait for it (schema v5);
  // each big transaction indexes them before it commits, so the index
  // grows in steps as a store's does (and ends complete, a store at rest).
  const indexQueue = () =>
    db.exec(`INSERT INTO messages_fts (rowid, content)
               SELECT pk, content FROM messages WHERE pk > (SELECT indexed_through FROM search_index_state);
             UPDATE search_index_state SET indexed_through = (SELECT coalesce(max(pk), 0) FROM messages);`);
  db.exec("BEGIN");
  fill(
    layout,
    {
      session: (i, id, time, model) =>
        insertSession.run(id, `Session ${i}`, model, time, time, time),
      message: (j, sessionId, seq, time, s) => {
        const assistant = seq % 2 === 0;
        insertMessage.run(
          idAt(time, j),
          sessionId,
          seq,
          assistant ? "assistant" : "user",
          contentOf(j),
          assistant ? (MODELS[s % MODELS.length] as string) : null,
          80 + (j % 40),
          assistant ? 300 + (j % 700) : null,
          time,
        );
      },
      commit: () => {
        indexQueue();
        db.exec("COMMIT; BEGIN");
      },
    },
    report,
  );
  indexQueue();
  db.exec("COMMIT");
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
}

async function seedMastra(layout: Layout, file: string): Promise<void> {
  const { LibSQLStore } = await import("@mastra/libsql");
  const mastra = new LibSQLStore({ id: "bench-seed", url: `file:${file}` });
  await mastra.init();
  await mastra.close();
  const { default: Libsql } = await import("libsql");
  const db = new Libsql(file);
  db.exec("PRAGMA synchronous = OFF; PRAGMA cache_size = -262144");
  const insertThread = db.prepare(
    `INSERT INTO mastra_threads (id, "resourceId", title, metadata, "createdAt", "updatedAt")
     VALUES (?, ?, ?, '{}', ?, ?)`,
  );
  const insertMessage = db.prepare(
    `INSERT INTO mastra_messages (id, thread_id, content, role, type, "createdAt", "resourceId")
     VALUES (?, ?, ?, ?, 'v2', ?, ?)`,
  );
  db.exec("BEGIN");
  fill(
    layout,
    {
      session: (i, id, time) => {
        const iso = new Date(time).toISOString();
        insertThread.run(id, resourceOf(i), `Session ${i}`, iso, iso);
      },
      message: (j, sessionId, seq, time, s) => {
        insertMessage.run(
          idAt(time, j),
          sessionId,
          mastraContent(contentOf(j)),
          seq % 2 === 0 ? "assistant" : "user",
          new Date(time).toISOString(),
          resourceOf(s),
        );
      },
      commit: () => db.exec("COMMIT; BEGIN"),
    },
    report,
  );
  db.exec("COMMIT");
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
}

function report(done: number): void {
  process.send?.({ progress: done });
}

async function main(): Promise<void> {
  const [kind, count, file] = process.argv.slice(2);
  const messages = Number(count);
  if (!file || !Number.isInteger(messages) || messages % MESSAGES_PER_SESSION !== 0) {
    throw new Error("usage: seed.js store|mastra <messages, a multiple of 200> <file>");
  }
  for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(file + suffix, { force: true });
  const layout = layoutOf(messages);
  if (kind === "store") await seedStore(layout, file);
  else if (kind === "mastra") await seedMastra(layout, file);
  else throw new Error(`unknown template kind ${kind}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
