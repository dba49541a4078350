import { randomUUID } from "node:crypto";
import { SessionArchivedError, SessionNotFoundError } from "../errors.js";
import { loadSession, type StoreContext } from "../sessions/context.js";
import { SESSION_COLUMNS, type SessionRow, toSession } from "../sessions/rows.js";
import type { Session } from "../sessions/types.js";
import { parse } from "../sessions/validation.js";
import { archiveInTx, restoreInTx } from "./archive.js";
import { Lease } from "./lease.js";
import type { ResolvedPolicy } from "./policy.js";
import { type SweepResult, sweepOnce } from "./sweep.js";
import { Sweeper } from "./sweeper.js";

/** Lifecycle figures for `store.metrics()`. */
export interface LifecycleFigures {
  /** Sweeps that ran to the end in this store (on demand and on the timer). */
  readonly sweeps: number;
  /** Sweeps that did nothing because another process held the sweep lease. */
  readonly sweepsSkipped: number;
  /** Timer sweeps that failed (reported to the policy's `onError`). */
  readonly sweepFailures: number;
  /** Sessions marked idle by this store's sweeps. */
  readonly idled: number;
  /** Sessions archived by this store (sweeps and `archive`). */
  readonly archived: number;
  /** Sessions restored from their snapshots by this store. */
  readonly restored: number;
  /** Sessions purged by this store's sweeps. */
  readonly purged: number;
  /** How long the last sweep took, or `null` before the first. */
  readonly lastSweepDurationMs: number | null;
  /** When the last sweep ended (ms since the epoch), or `null` before the first. */
  readonly lastSweepAt: number | null;
}

/**
 * `store.lifecycle`: the policy applied on demand (`sweep`) and on a timer,
 * plus explicit archive, restore and touch.
 */
export class LifecycleApi {
  readonly #ctx: StoreContext;
  readonly #policy: ResolvedPolicy;
  readonly #lease: Lease;
  readonly #sweeper: Sweeper;
  #sweeping: Promise<SweepResult> | undefined;
  #figures = {
    sweeps: 0,
    sweepsSkipped: 0,
    sweepFailures: 0,
    idled: 0,
    archived: 0,
    restored: 0,
    purged: 0,
    lastSweepDurationMs: null as number | null,
    lastSweepAt: null as number | null,
  };

  constructor(ctx: StoreContext, policy: ResolvedPolicy) {
    this.#ctx = ctx;
    this.#policy = policy;
    // A lease outlives a slow sweep by far; a dead owner's lease frees itself.
    this.#lease = new Lease(
      ctx.db,
      "sweeper",
      randomUUID(),
      Math.max(60_000, policy.sweepIntervalMs * 2),
    );
    this.#sweeper = new Sweeper(
      policy.sweepIntervalMs,
      () => this.sweep(),
      (error) => {
        this.#figures.sweepFailures += 1;
        policy.onError(error);
      },
    );
  }

  /** The policy in force (durations `null` = never). */
  get policy(): ResolvedPolicy {
    return this.#policy;
  }

  /** @internal Starts the timer (the store does it once open). */
  start(): void {
    this.#sweeper.start();
  }

  /** @internal Stops the timer and waits for a running sweep. */
  stop(): Promise<void> {
    return this.#sweeper.stop();
  }

  /**
   * Runs the whole policy once: purge, archive, idle, in short batches. Calls
   * made while a sweep runs share it. When another process holds the sweep
   * lease, nothing is done and `skipped` is true.
   */
  sweep(): Promise<SweepResult> {
    this.#sweeping ??= this.#sweep().finally(() => {
      this.#sweeping = undefined;
    });
    return this.#sweeping;
  }

  async #sweep(): Promise<SweepResult> {
    const started = performance.now();
    if (!(await this.#lease.acquire())) {
      this.#figures.sweepsSkipped += 1;
      return {
        idled: 0,
        archived: 0,
        purged: 0,
        durationMs: performance.now() - started,
        skipped: true,
      };
    }
    try {
      const counts = await sweepOnce(this.#ctx.db, this.#policy, this.#ctx.clock());
      const durationMs = performance.now() - started;
      const f = this.#figures;
      f.sweeps += 1;
      f.idled += counts.idled;
      f.archived += counts.archived;
      f.purged += counts.purged;
      f.lastSweepDurationMs = durationMs;
      f.lastSweepAt = this.#ctx.clock();
      return { ...counts, durationMs, skipped: false };
    } finally {
      await this.#lease.release();
    }
  }

  /**
   * Archives a session now, whatever its inactivity: a checksummed snapshot,
   * then its messages leave the hot tables and the search index. Reads of its
   * messages are then served from the snapshot. Archiving an archived session
   * changes nothing.
   */
  async archive(id: string): Promise<Session> {
    const sessionId = parse("lifecycle.archive", this.#ctx.schemas.id, id);
    const now = this.#ctx.clock();
    const row = await this.#ctx.db.write(async (tx) => {
      const { pk } = await loadSession(tx, this.#ctx.scope, sessionId);
      if (await archiveInTx(tx, pk, now, null)) this.#figures.archived += 1;
      return tx.get<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE pk = ?`, [pk]);
    });
    return toSession(row as SessionRow);
  }

  /**
   * Brings an archived session back from its snapshot, after verifying its
   * checksum (`SnapshotCorruptError` otherwise, and nothing changes): the
   * messages return with their ids, seq, times and metadata and are searchable
   * again; the session is `active` with its fields as they were. Restoring does
   * not reset the inactivity clock (`touch` does). Restoring a session that is
   * not archived changes nothing.
   */
  async restore(id: string): Promise<Session> {
    const sessionId = parse("lifecycle.restore", this.#ctx.schemas.id, id);
    const row = await this.#ctx.db.write(async (tx) => {
      const { pk } = await loadSession(tx, this.#ctx.scope, sessionId);
      if (await restoreInTx(tx, pk)) this.#figures.restored += 1;
      return tx.get<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE pk = ?`, [pk]);
    });
    // The restored messages are queued for the search index.
    this.#ctx.searchIndex.written();
    return toSession(row as SessionRow);
  }

  /** Marks activity without a message: an idle session becomes active again. */
  async touch(id: string): Promise<Session> {
    const sessionId = parse("lifecycle.touch", this.#ctx.schemas.id, id);
    const now = this.#ctx.clock();
    const row = await this.#ctx.db.write(async (tx) => {
      const session = await loadSession(tx, this.#ctx.scope, sessionId);
      if (session.status === "archived") throw new SessionArchivedError(sessionId);
      return tx.get<SessionRow>(
        `UPDATE sessions SET status = 'active', last_activity_at = max(last_activity_at, ?)
         WHERE pk = ? RETURNING ${SESSION_COLUMNS}`,
        [now, session.pk],
      );
    });
    if (!row) throw new SessionNotFoundError(sessionId);
    return toSession(row);
  }

  /** @internal Counted by the message API when `autoRestore` restores a session. */
  countRestore(): void {
    this.#figures.restored += 1;
  }

  /** Counts since the store opened, and the last sweep. */
  figures(): LifecycleFigures {
    return { ...this.#figures };
  }
}
