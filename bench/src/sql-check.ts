/**
 * Checks that the raw contestants run the store's SQL: every operation runs
 * once through the store and once through raw better-sqlite3, both with
 * better-sqlite3's `verbose` hook, and the statements each sent are compared
 * (whitespace aside; pragmas and the pool's own checks left out).
 */
import { betterSqlite } from "@llm-sessions/adapter-better-sqlite";
import { removeDb, workingCopy } from "./files.js";
import { INDEX_BATCH, normalize } from "./sql.js";
import { OPS, type Op, rawBetterSqlite, storeTarget, type Workload } from "./targets.js";

export interface SqlCheck {
  readonly op: string;
  readonly same: boolean;
  readonly store: readonly string[];
  readonly raw: readonly string[];
}

/** Statements that are the pool's or the adapter's housekeeping, not the operation's. */
const HOUSEKEEPING = /^(PRAGMA |SELECT 1$)/i;

/**
 * better-sqlite3 reports statements with their parameters filled in; values
 * (strings, numbers, NULL) become `?` on both sides, so that the statements,
 * not the random ids, are compared.
 */
function skeleton(sql: string): string {
  return normalize(
    sql
      .replace(/'(?:[^']|'')*'/g, "?")
      // A long bound string is shown cut, with how many bytes were left out.
      .replace(/\/\*\+\d+ bytes\*\//g, "")
      .replace(/\bX\?/g, "?")
      .replace(/\bNULL\b/gi, "?")
      .replace(/(?<![\w.])-?\d+(?:\.\d+)?(?:e[+-]?\d+)?\b/gi, "?"),
  );
}

export async function checkSql(file: string, workload: Workload): Promise<SqlCheck[]> {
  const log: string[] = [];
  const capture = (sql: unknown) => {
    const s = skeleton(String(sql));
    if (!HOUSEKEEPING.test(s)) log.push(s);
  };
  // Background indexing passes off: one would land in whichever operation's
  // log happens to be open. Each side has its own copy of the file and both
  // run the same operations, so their search-index queues hold the same
  // messages at every step: an append that finds a batch queued indexes in
  // its transaction on both (the last check); search's pass is compared too.
  const rawFile = workingCopy(file, file.replace(/(\.db)?$/, "-raw.db"));
  const store = await storeTarget(
    "better-sqlite3",
    file,
    workload,
    (_d, f) => betterSqlite({ filename: f, verbose: capture }),
    { batch: INDEX_BATCH, delayMs: 60_000 },
  );
  const raw = rawBetterSqlite(rawFile, workload, capture, INDEX_BATCH);
  const checks: SqlCheck[] = [];
  // Opening looks for queued messages in the background; let it finish first.
  await store.settle?.();
  try {
    const compare = async (op: string, steps: readonly Op[]) => {
      log.length = 0;
      for (const step of steps) await store.ops[step]?.();
      const fromStore = [...log];
      log.length = 0;
      for (const step of steps) await raw.ops[step]?.();
      const fromRaw = [...log];
      checks.push({
        op,
        same: fromStore.length === fromRaw.length && fromStore.every((s, i) => s === fromRaw[i]),
        store: fromStore,
        raw: fromRaw,
      });
    };
    for (const op of OPS) await compare(op, [op]);
    // The fork's copies are queued: this append looks at the queue (its tenth
    // message since the last look) and indexes it in its own transaction.
    await compare("append 10, then search rare", ["append 10", "search rare"]);
    // One message queued when the search runs: the search runs the pass.
    await compare("append 1, then search rare", ["append 1", "search rare"]);
  } finally {
    await raw.close();
    await store.close();
    removeDb(rawFile);
  }
  return checks;
}
