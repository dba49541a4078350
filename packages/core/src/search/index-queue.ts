import {
  type Queryable,
  runSteps,
  type Statement,
  step,
  type Transaction,
  type TxSteps,
} from "../driver/index.js";
import type { Executor } from "../sessions/context.js";

/**
 * Messages waiting for the search index are those above the watermark
 * `search_index_state.indexed_through` (schema v5): every message with a pk
 * at or below it is indexed. This pass indexes at most `limit` of them,
 * oldest first, in the caller's write transaction, and moves the watermark
 * past them. Returns how many it indexed.
 *
 * Both statements select the same rows (the first `limit` pks above the
 * watermark) and nothing else writes between them (one transaction), so the
 * watermark moves past exactly the rows indexed.
 */
export function indexQueued(tx: Transaction, limit: number): Promise<number> {
  return runSteps(indexQueuedSteps(limit), tx);
}

/** `indexQueued` as transaction steps. */
export function* indexQueuedSteps(limit: number): TxSteps<number> {
  const indexed = yield* step.run(INDEX_QUEUED, [limit]);
  yield* step.run(ADVANCE, [limit]);
  return indexed.changes;
}

const ABOVE_WATERMARK = "pk > (SELECT indexed_through FROM search_index_state)";

const INDEX_QUEUED = `INSERT INTO messages_fts (rowid, content)
     SELECT pk, content FROM messages WHERE ${ABOVE_WATERMARK} ORDER BY pk LIMIT ?`;

const ADVANCE = `UPDATE search_index_state SET indexed_through = coalesce(
     (SELECT max(pk) FROM (SELECT pk FROM messages WHERE ${ABOVE_WATERMARK} ORDER BY pk LIMIT ?)),
     indexed_through)`;

/**
 * `indexQueuedSteps` as a fixed batch (`Executor.writeBatch`): the index
 * insert, how many it indexed (`dequeued`, from `changes()`, which reads the
 * statement just before it), and the watermark's move.
 */
export function indexQueuedBatch(limit: number): Statement[] {
  return [
    { sql: INDEX_QUEUED, params: [limit] },
    { sql: "SELECT changes() AS dequeued" },
    { sql: ADVANCE, params: [limit] },
  ];
}

/**
 * How many messages wait for the search index: the newest pk minus the
 * watermark (an upper bound: messages deleted meanwhile leave gaps), read
 * from the end of the messages b-tree and the one-row state table.
 */
export function* queuedSpanSteps(): TxSteps<number> {
  const row = yield* step.get<{ span: number | bigint | null }>(QUEUED_SPAN_SQL);
  return Math.max(0, Number(row?.span ?? 0));
}

/** The statement of `queuedSpanSteps`: one row, `span`. */
export const QUEUED_SPAN_SQL =
  "SELECT coalesce((SELECT max(pk) FROM messages), 0) - indexed_through AS span FROM search_index_state";

/** SQL true when a message waits for the search index. */
export const ANY_QUEUED_SQL = `EXISTS (SELECT 1 FROM messages WHERE ${ABOVE_WATERMARK})`;

/** The messages waiting for the search index, as `pk, content` rows. */
export const QUEUED_ROWS_SQL = `SELECT pk, content FROM messages WHERE ${ABOVE_WATERMARK}`;

/** Whether any message waits for the search index. */
export async function hasQueued(q: Pick<Queryable, "get">): Promise<boolean> {
  const row = await q.get<{ queued: number | bigint }>(`SELECT ${ANY_QUEUED_SQL} AS queued`);
  return Number(row?.queued) === 1;
}

/** How the store indexes queued messages. */
export interface SearchIndexingOptions {
  /**
   * The append that finds about this many messages queued — appended by any
   * process — indexes the queue in its own transaction. Default 32. (Appends
   * look every `batch / 4` of this process's messages.)
   */
  readonly batch: number;
  /**
   * Otherwise a background pass runs once writes pause for this long (at most
   * ten times this long after the first message it waits for). Default 10 ms.
   */
  readonly delayMs: number;
  /** A background pass failed (the messages stay queued; search matches them in its temp index). */
  readonly onError: (error: unknown) => void;
}

/** Messages per write transaction of a pass: short enough not to hold up appends. */
export const PASS_CHUNK = 512;

/**
 * Indexes queued messages shortly after they commit. Under load, the append
 * that finds about `batch` messages queued (by any process) indexes the
 * queue inside its own transaction:
 * no extra transaction, so no extra turn at the write lock (which several
 * processes on one file compete for). When writes pause, a background pass
 * (write transactions of at most `PASS_CHUNK` messages) indexes what is left.
 *
 * Correctness never depends on this timing: search matches the queued
 * messages itself (without writing, see `queued-index.ts`), so messages
 * queued by another process, by a process that died before its pass, or by a
 * restore are found too.
 */
export class SearchIndexQueue {
  readonly #db: Executor;
  readonly #options: SearchIndexingOptions;
  #sincePass = 0;
  /** This process's messages appended since an append last looked at the queue. */
  #sinceCheck = 0;
  readonly #checkEvery: number;
  #timer: NodeJS.Timeout | undefined;
  /** When the timer was first armed for the writes it waits on (it is pushed back while they go on). */
  #armedAt = 0;
  /** When the last write that may have queued messages committed. */
  #lastWriteAt = 0;
  #running: Promise<void> | undefined;
  #closed = false;

  constructor(db: Executor, options: SearchIndexingOptions) {
    this.#db = db;
    this.#options = options;
    this.#checkEvery = Math.max(1, Math.floor(options.batch / 4));
  }

  /**
   * Inside an append's write transaction, after its inserts: indexes the
   * queue there when it holds about `batch` messages. The queue is shared by
   * every process on the file, so the batch is counted there, not here: with
   * four processes appending, counting only this process's messages would
   * index four times as often, in batches a quarter the size, and FTS5's
   * cost per message grows as its segments shrink. To spare a statement per
   * append it looks every `batch / 4` of this process's messages. A failure
   * of the index is rolled back to a savepoint and reported, never the
   * append's: the messages stay queued for the next pass or search. Returns
   * whether it indexed.
   */
  *indexIfDue(count: number): TxSteps<boolean> {
    if (!this.lookAfter(count)) return false;
    if (!this.spanDue(yield* queuedSpanSteps())) return false;
    yield* step.exec("SAVEPOINT llm_sessions_index");
    try {
      yield* indexQueuedSteps(PASS_CHUNK);
      yield* step.exec("RELEASE llm_sessions_index");
      return true;
    } catch (error) {
      yield* step.exec("ROLLBACK TO llm_sessions_index; RELEASE llm_sessions_index");
      this.#options.onError(error);
      return false;
    }
  }

  /**
   * `indexIfDue`'s first half, for an append written as one batch: counts
   * `count` appended messages and says whether this append should look at
   * the queue (read `QUEUED_SPAN_SQL` in its batch, then `spanDue`).
   */
  lookAfter(count: number): boolean {
    if (this.#closed) return false;
    this.#sinceCheck += count;
    if (this.#sinceCheck < this.#checkEvery) return false;
    this.#sinceCheck = 0;
    return true;
  }

  /** Whether a queue of this span (`QUEUED_SPAN_SQL`) is worth indexing now. */
  spanDue(span: number): boolean {
    return span >= this.#options.batch;
  }

  /**
   * Starts a pass now, in the background (an append sent as one batch found
   * about a batch queued: indexing inside it would have cost it a round trip
   * per statement).
   */
  indexSoon(): void {
    this.#startPass();
  }

  /**
   * `count` messages were appended and committed; `indexed` when their
   * transaction indexed the queue (`indexIfDue`).
   */
  appended(count: number, indexed = false): void {
    if (indexed) {
      this.#sincePass = 0;
      this.#clearTimer();
      return;
    }
    this.#sincePass += count;
    this.written();
  }

  /**
   * A write that may have queued messages committed: a background pass runs
   * once writes pause for `delayMs`, or `10 × delayMs` after the first of them.
   * Called on every append, so it only notes the time; the timer, when it
   * fires, decides whether writes have paused (re-arming a timer on every
   * append cost about a microsecond each).
   */
  written(): void {
    if (this.#closed) return;
    this.#lastWriteAt = performance.now();
    if (this.#timer === undefined) {
      this.#armedAt = this.#lastWriteAt;
      this.#arm(this.#options.delayMs);
    }
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(() => this.#onTimer(), ms);
    // A pending pass never keeps the process alive: close() runs it, and any
    // message still queued at exit is indexed by the next search.
    this.#timer.unref();
  }

  #onTimer(): void {
    this.#timer = undefined;
    const now = performance.now();
    const quiet = now - this.#lastWriteAt;
    const { delayMs } = this.#options;
    // Writes are still coming: wait for a pause (their appends index in
    // batches), but no longer than about ten delays after the first of them.
    if (quiet < delayMs && now - this.#armedAt < delayMs * 9) {
      this.#arm(delayMs - quiet);
      return;
    }
    this.#startPass();
  }

  /**
   * Indexes every queued message, in passes queued behind the writes issued
   * before this call. When it resolves, search finds every message committed
   * before it was called. Returns how many messages it indexed.
   */
  async catchUp(): Promise<number> {
    if (!(await this.#db.read(hasQueued))) return 0;
    return this.#drain();
  }

  /** Stops the timer, waits for a running pass, and runs a last one if appends came after it. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#clearTimer();
    await this.#running;
    if (this.#sincePass > 0) {
      this.#sincePass = 0;
      await this.catchUp().catch(this.#options.onError);
    }
  }

  /**
   * Starts a pass now if anything is queued (left by another process, or by
   * one that stopped before its pass). For opening a store.
   */
  resume(): void {
    this.#startPass();
  }

  /**
   * Every pass reads first and writes only when something is queued: an
   * empty write transaction would still start a new WAL after a checkpoint
   * truncated it (seen as a 32-byte WAL right after `optimize()`).
   */
  #startPass(): void {
    this.#clearTimer();
    if (this.#running !== undefined || this.#closed) return;
    this.#sincePass = 0;
    this.#running = this.catchUp()
      .then(
        () => undefined,
        (error: unknown) => {
          if (!this.#closed) this.#options.onError(error);
        },
      )
      .finally(() => {
        this.#running = undefined;
        // Appends that came while this pass ran start the next one.
        if (this.#sincePass > 0) this.written();
      });
  }

  async #drain(): Promise<number> {
    let total = 0;
    for (;;) {
      // One fixed batch: one request on a server, where a transaction of
      // statements would cost a round trip each and hold up the appends.
      const results = await this.#db.writeBatch(indexQueuedBatch(PASS_CHUNK));
      const n = Number(results[1]?.[0]?.dequeued ?? 0);
      total += n;
      if (n < PASS_CHUNK) return total;
    }
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
