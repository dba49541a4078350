import type { Transaction } from "../driver/index.js";
import type { Executor } from "../sessions/context.js";
import { archiveInTx } from "./archive.js";
import type { ResolvedPolicy } from "./policy.js";

/** What one sweep did. */
export interface SweepResult {
  /** Sessions that became idle. */
  readonly idled: number;
  /** Sessions archived: snapshot written, messages moved out of the hot tables. */
  readonly archived: number;
  /** Sessions deleted: past `purgeAfterMs`, or past their `expiresAt`. */
  readonly purged: number;
  /** Time the sweep took, in milliseconds. */
  readonly durationMs: number;
  /** True when another process held the sweep lease, so nothing was done. */
  readonly skipped: boolean;
}

/** Runs `step` in short write transactions until a batch comes back smaller than the batch size. */
async function inBatches(
  db: Executor,
  batchSize: number,
  step: (tx: Transaction) => Promise<number>,
): Promise<number> {
  let total = 0;
  for (;;) {
    const done = await db.write(step);
    total += done;
    if (done < batchSize) return total;
  }
}

/** Deletes sessions (by key) and, unless kept, their snapshots inside a write transaction. */
export async function purgeInTx(
  tx: Transaction,
  pks: readonly number[],
  keepSnapshots: boolean,
): Promise<void> {
  if (pks.length === 0) return;
  const list = JSON.stringify(pks);
  if (!keepSnapshots) {
    // While the sessions still exist: a snapshot is found by its session's tenant and id.
    await tx.run(
      `DELETE FROM snapshots WHERE (tenant_id, session_id) IN (
         SELECT s.tenant_id, s.id FROM sessions AS s WHERE s.pk IN (SELECT value FROM json_each(?)))`,
      [list],
    );
  }
  await tx.run("DELETE FROM sessions WHERE pk IN (SELECT value FROM json_each(?))", [list]);
}

/**
 * Applies the policy once, in batches of `batchSize` sessions per write
 * transaction. Candidates are chosen inside each transaction, so an append
 * that committed a moment ago counts (it moved last activity forward).
 * Order: purge first (no point archiving what is about to go), then archive,
 * then idle.
 */
export async function sweepOnce(
  db: Executor,
  policy: ResolvedPolicy,
  now: number,
): Promise<Omit<SweepResult, "durationMs" | "skipped">> {
  const n = policy.batchSize;
  let purged = 0;
  if (policy.purgeAfterMs !== null) {
    const cutoff = now - policy.purgeAfterMs;
    for (const status of ["archived", "idle", "active"]) {
      purged += await inBatches(db, n, async (tx) => {
        const rows = await tx.all<{ pk: number }>(
          "SELECT pk FROM sessions WHERE status = ? AND last_activity_at <= ? LIMIT ?",
          [status, cutoff, n],
        );
        await purgeInTx(
          tx,
          rows.map((r) => r.pk),
          policy.keepSnapshots,
        );
        return rows.length;
      });
    }
  }
  purged += await inBatches(db, n, async (tx) => {
    const rows = await tx.all<{ pk: number }>(
      "SELECT pk FROM sessions WHERE expires_at IS NOT NULL AND expires_at <= ? LIMIT ?",
      [now, n],
    );
    await purgeInTx(
      tx,
      rows.map((r) => r.pk),
      policy.keepSnapshots,
    );
    return rows.length;
  });

  let archived = 0;
  if (policy.archiveAfterMs !== null) {
    const cutoff = now - policy.archiveAfterMs;
    for (const status of ["idle", "active"]) {
      // A batch can select a session that `archiveInTx` then declines; count
      // selections (to know when to stop) apart from archives (to report).
      await inBatches(db, n, async (tx) => {
        const rows = await tx.all<{ pk: number }>(
          "SELECT pk FROM sessions WHERE status = ? AND last_activity_at <= ? LIMIT ?",
          [status, cutoff, n],
        );
        for (const { pk } of rows) if (await archiveInTx(tx, pk, now, cutoff)) archived += 1;
        return rows.length;
      });
    }
  }

  let idled = 0;
  if (policy.idleAfterMs !== null) {
    const cutoff = now - policy.idleAfterMs;
    idled = await inBatches(db, n, async (tx) => {
      const result = await tx.run(
        `UPDATE sessions SET status = 'idle' WHERE pk IN (
           SELECT pk FROM sessions WHERE status = 'active' AND last_activity_at <= ? LIMIT ?)`,
        [cutoff, n],
      );
      return result.changes;
    });
  }
  return { idled, archived, purged };
}
