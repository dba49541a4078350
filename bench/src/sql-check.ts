/**
 * Checks that the raw contestants run the store's SQL: every operation runs
 * once through the store and once through raw better-sqlite3, both with
 * better-sqlite3's `verbose` hook, and the statements each sent are compared
 * (whitespace aside; pragmas and the pool's own checks left out).
 */
import { betterSqlite } from "@llm-sessions/adapter-better-sqlite";
import { normalize } from "./sql.js";
import { OPS, type Op, rawBetterSqlite, storeTarget, type Workload } from "./targets.js";

export interface SqlCheck {
  readonly op: Op;
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
  const store = await storeTarget("better-sqlite3", file, workload, (_d, f) =>
    betterSqlite({ filename: f, verbose: capture }),
  );
  const raw = rawBetterSqlite(file, workload, capture);
  const checks: SqlCheck[] = [];
  try {
    for (const op of OPS) {
      log.length = 0;
      await store.ops[op]?.();
      const fromStore = [...log];
      log.length = 0;
      await raw.ops[op]?.();
      const fromRaw = [...log];
      checks.push({
        op,
        same: fromStore.length === fromRaw.length && fromStore.every((s, i) => s === fromRaw[i]),
        store: fromStore,
        raw: fromRaw,
      });
    }
  } finally {
    await raw.close();
    await store.close();
  }
  return checks;
}
