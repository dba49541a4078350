/**
 * Checks that the raw contestants run the store's SQL: every operation runs
 * once through the store and once through raw better-sqlite3, both with
 * better-sqlite3's `verbose` hook, and the statements each sent are compared
 * (whitespace aside; pragmas and the pool's own checks left out).
 */
import { betterSqlite } from "@llm-sessions/adapter-better-sqlite";
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
  // log happens to be open. Both sides count appended messages from zero and
  // run the same operations, so an append that completes a batch indexes in
  // its transaction on both (the last check); search's pass is compared too.
  const store = await storeTarget(
    "better-sqlite3",
    file,
    workload,
    (_d, f) => betterSqlite({ filename: f, verbose: capture }),
    { batch: INDEX_BATCH, delayMs: 60_000 },
  );
  const raw = rawBetterSqlite(file, workload, capture, INDEX_BATCH);
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
    // Each side's append is queued when its search runs (the store's search
    // indexed everything queued before the raw side's append): both run the pass.
    await compare("append 1, then search rare", ["append 1", "search rare"]);
  } finally {
    await raw.close();
    await store.close();
  }
  return checks;
}
