import { createHash, randomUUID } from "node:crypto";
import type { Message, MessageUsage, NewMessage, NewSession } from "@llm-sessions/core";
import {
  type AgentInputItem,
  applySessionHistoryMutations,
  type RunContext,
  type RunContextAwareSession,
  type SessionHistoryRewriteArgs,
  type SessionHistoryRewriteAwareSession,
  type SessionHistoryTransactionArgs,
  type SessionHistoryTransactionAwareSession,
  UserError,
} from "@openai/agents-core";
import { carriedUsages, placeUsage } from "./carry.js";
import { encodeValue } from "./codec.js";
import { callIdOf, isModelOutput, resultCallIdOf, toItem, toNewMessage } from "./mapping.js";
import { operationMessages, type StoreScope } from "./store-ops.js";
import { fingerprint, snapshotTransactionArgs, structurallyEqual } from "./transactions.js";
import { UsageLedger } from "./usage.js";

/** Options of `SessionStoreSession`. */
export interface SessionStoreSessionOptions {
  /**
   * The store session the agent's history lives in (1–128 characters). A
   * new UUID when absent. The store session is created on the first call
   * that needs it (`getSessionId` or a write), with `create`'s fields.
   */
  sessionId?: string;
  /** Fields of the store session when this creates it (title, model, metadata, expiresAt). */
  create?: Omit<NewSession, "id" | "tenantId">;
  /**
   * Messages read per request when the whole history is read (`getItems()`
   * without a limit, transactions): at most the store's `limits.maxPageSize`
   * (default 1000, the store's default maximum).
   */
  pageSize?: number;
  /**
   * How many times a history rewrite (`applyHistoryTransaction`'s
   * `replace_suffix`, `applyHistoryMutations`, `replaceHistoryWithCompaction`)
   * re-reads and retries when a concurrent write changed the history between
   * its read and its compare-and-swap write (default 25). Past it the
   * store's `ConcurrentModificationError` is thrown and nothing changed.
   */
  maxRetries?: number;
}

/** The store's ceiling on operation ids; longer ones are stored as their digest. */
const MAX_OPERATION_ID = 512;

const DIFFERENT_TRANSACTION =
  "Session history operation was already applied with a different transaction.";
const SUFFIX_MISMATCH = "Session history suffix no longer matches the transaction precondition.";

/** The `code` of an `@llm-sessions/core` error, or undefined. */
function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** A stored message and the item it holds. */
interface Entry {
  message: Message;
  item: AgentInputItem;
}

/**
 * An OpenAI Agents SDK `Session` whose history is a session of an
 * `@llm-sessions/core` store (or of a tenant view, `store.tenant(id)`).
 *
 * Each item is one store message: a role and parts the store understands
 * (text, reasoning, `tool-call`/`tool-result` with the call id) so that
 * search, windows, stats and the lifecycle treat an agent's history like any
 * other, plus the item itself, losslessly encoded, in a data part named
 * `openai-agents.item`: `getItems` returns exactly what was added.
 *
 * Beyond `Session` it implements the SDK's optional capabilities a durable
 * store can honour: run-context-aware calls (usage recorded on the model's
 * messages), `applyHistoryTransaction` (idempotent, atomic, by operation
 * id), `applyHistoryMutations` and `replaceHistoryWithCompaction`.
 */
export class SessionStoreSession
  implements
    RunContextAwareSession<unknown>,
    SessionHistoryTransactionAwareSession,
    SessionHistoryRewriteAwareSession
{
  /** The runner passes its `RunContext` to every history call (usage is recorded from it). */
  readonly acceptsRunContext = true as const;

  readonly #store: StoreScope;
  readonly #messages: StoreScope["messages"];
  readonly #id: string;
  readonly #create: Omit<NewSession, "id" | "tenantId">;
  readonly #pageSize: number;
  readonly #maxRetries: number;
  readonly #usage = new UsageLedger();
  #created = false;

  constructor(store: StoreScope, options: SessionStoreSessionOptions = {}) {
    this.#store = store;
    this.#messages = operationMessages(store);
    const { sessionId, pageSize = 1000, maxRetries = 25, create = {} } = options;
    if (
      sessionId !== undefined &&
      (typeof sessionId !== "string" || sessionId.length < 1 || sessionId.length > 128)
    ) {
      throw new UserError(
        "SessionStoreSession: sessionId must be a string of 1 to 128 characters.",
      );
    }
    if (!Number.isInteger(pageSize) || pageSize < 1) {
      throw new UserError("SessionStoreSession: pageSize must be a positive integer.");
    }
    if (!Number.isInteger(maxRetries) || maxRetries < 0) {
      throw new UserError("SessionStoreSession: maxRetries must be an integer, 0 or more.");
    }
    this.#id = sessionId ?? randomUUID();
    this.#pageSize = pageSize;
    this.#maxRetries = maxRetries;
    this.#create = create;
  }

  /** Ensures the store session exists (created with the `create` option's fields) and returns its id. */
  async getSessionId(): Promise<string> {
    await this.#ensure();
    return this.#id;
  }

  /**
   * The history, oldest first; with `limit`, the newest `limit` items, except
   * that a result item (`function_call_result`, `computer_call_result`,
   * `shell_call_output`, `apply_patch_call_output`) whose call is not among
   * the returned items is dropped: a model must never see a tool result
   * without its call. So the answer may hold fewer than `limit` items.
   * `limit` ≤ 0 gives `[]`. A session not created yet has no items. An
   * archived session is read from its archive, without restoring it.
   */
  async getItems(limit?: number, _runContext?: RunContext<unknown>): Promise<AgentInputItem[]> {
    if (limit !== undefined && limit <= 0) return [];
    try {
      let entries: Entry[];
      if (limit !== undefined && Number.isInteger(limit) && limit <= this.#pageSize) {
        entries = toEntries(await this.#messages.last(this.#id, limit));
      } else {
        entries = await this.#readAll();
        if (limit !== undefined) {
          // The reference's arithmetic, also for a fractional or NaN limit.
          entries = entries.slice(Math.max(entries.length - limit, 0));
        }
      }
      const items = entries.map((e) => e.item);
      return limit === undefined ? items : withoutOrphanResults(items);
    } catch (error) {
      if (codeOf(error) === "SESSION_NOT_FOUND") return [];
      throw error;
    }
  }

  /**
   * Appends items in one transaction (all or none). The usage the run
   * context reports since this session's last write for that run goes on
   * the last model-produced message.
   */
  async addItems(items: AgentInputItem[], runContext?: RunContext<unknown>): Promise<void> {
    if (items.length === 0) return;
    const pending = this.#usage.pending(runContext);
    await this.#writing(() =>
      this.#withHeldCalls(undefined, (held) =>
        this.#messages.append(this.#id, this.#toMessages(items, held, pending?.usage), {
          allowUnknownToolCalls: true,
        }),
      ),
    );
    this.#usage.commit(runContext, pending?.totals);
  }

  /** Removes and returns the newest item; `undefined` when there is none. */
  async popItem(_runContext?: RunContext<unknown>): Promise<AgentInputItem | undefined> {
    try {
      const message = await this.#messages.pop(this.#id);
      return message ? toItem(message) : undefined;
    } catch (error) {
      if (codeOf(error) === "SESSION_NOT_FOUND") return undefined;
      throw error;
    }
  }

  /**
   * Removes every item and forgets the applied operation ids, atomically.
   * The store session itself (title, metadata) stays.
   */
  async clearSession(_runContext?: RunContext<unknown>): Promise<void> {
    try {
      await this.#messages.clear(this.#id);
    } catch (error) {
      if (codeOf(error) !== "SESSION_NOT_FOUND") throw error;
    }
  }

  /**
   * Rewrites the history as the SDK's `applySessionHistoryMutations` does
   * (`replace_function_call`: the first call with the id becomes the
   * replacement, later ones go), in one compare-and-swap write of the
   * changed tail.
   */
  async applyHistoryMutations(args: SessionHistoryRewriteArgs): Promise<void> {
    if (args.mutations.length === 0) return;
    await this.#rewrite(async (entries) => {
      const items = entries.map((e) => e.item);
      const next = applySessionHistoryMutations(items, args.mutations);
      let from = 0;
      while (
        from < items.length &&
        from < next.length &&
        structurallyEqual(items[from], next[from])
      )
        from++;
      if (from === items.length && from === next.length) return null;
      return { from, replacement: next.slice(from) };
    });
  }

  /**
   * Replaces the whole history with `items` (a compaction item and the
   * suffix it keeps) in one write transaction. The replaced messages are
   * deleted, as the SDK's history says they are gone: see the README for why
   * this is not the store's own (additive) compaction. Their usage stays
   * counted: an item equal to a stored one keeps that message's usage, and
   * the rest is summed onto the first item (the compaction item).
   */
  async replaceHistoryWithCompaction(
    items: AgentInputItem[],
    runContext?: RunContext<unknown>,
  ): Promise<void> {
    for (const item of items) encodeValue(item);
    const pending = this.#usage.pending(runContext);
    await this.#rewrite(async (entries) => ({
      from: 0,
      replacement: items,
      usage: pending?.usage,
      carried: carriedUsages(entries, items),
    }));
    this.#usage.commit(runContext, pending?.totals);
  }

  /**
   * Applies an append or a suffix replacement atomically with its operation
   * id: a retry with the same id and the same transaction is a no-op; the
   * same id with another transaction, or a suffix that no longer matches the
   * history, is a `UserError` and changes nothing. The id is stored in the
   * store (one write transaction with the change), so this holds across
   * processes and restarts. `clearSession` forgets the ids.
   */
  async applyHistoryTransaction(
    args: SessionHistoryTransactionArgs,
    runContext?: RunContext<unknown>,
  ): Promise<void> {
    const { operationId, transaction } = snapshotTransactionArgs(args);
    const op = {
      id:
        operationId.length <= MAX_OPERATION_ID
          ? operationId
          : `sha256:${createHash("sha256").update(operationId).digest("hex")}`,
      fingerprint: fingerprint(transaction),
    };
    // Items must be storable before anything is recorded.
    const items = transaction.type === "append_items" ? transaction.items : transaction.replacement;
    for (const item of items) encodeValue(item);
    await this.#ensure();
    if (await this.#alreadyApplied(op)) return;
    const pending = this.#usage.pending(runContext);
    if (transaction.type === "append_items") {
      const result = await this.#writing(() =>
        this.#withHeldCalls(undefined, (held) =>
          this.#messages
            .applyOperation(
              this.#id,
              { ...op, messages: this.#toMessages(items, held, pending?.usage) },
              { allowUnknownToolCalls: true },
            )
            .catch((error) => this.#conflict(error)),
        ),
      );
      if (result.applied) this.#usage.commit(runContext, pending?.totals);
      return;
    }
    const { expectedSuffix, replacement } = transaction;
    const applied = await this.#rewrite(async (entries) => {
      const start = entries.length - expectedSuffix.length;
      const matches =
        start >= 0 &&
        expectedSuffix.every((expected, i) =>
          structurallyEqual(entries[start + i]?.item, expected),
        );
      if (!matches) {
        // A concurrent replay of this operation may have changed the suffix.
        if (await this.#alreadyApplied(op)) return null;
        throw new UserError(SUFFIX_MISMATCH);
      }
      return { from: start, replacement, usage: pending?.usage, op };
    });
    if (applied) this.#usage.commit(runContext, pending?.totals);
  }

  /** True when `op` was recorded with the same fingerprint; a `UserError` when with another. */
  async #alreadyApplied(op: { id: string; fingerprint: string }): Promise<boolean> {
    let recorded: Awaited<ReturnType<StoreScope["messages"]["operation"]>>;
    try {
      recorded = await this.#messages.operation(this.#id, op.id);
    } catch (error) {
      if (codeOf(error) !== "SESSION_NOT_FOUND") throw error;
      // Deleted meanwhile, and its operation records with it: a new session has none.
      this.#created = false;
      await this.#ensure();
      return false;
    }
    if (!recorded) return false;
    if (recorded.fingerprint !== op.fingerprint) throw new UserError(DIFFERENT_TRANSACTION);
    return true;
  }

  /** Maps the store's conflict of an operation id onto the SDK's error. */
  #conflict(error: unknown): never {
    if (codeOf(error) === "IDEMPOTENCY_CONFLICT") throw new UserError(DIFFERENT_TRANSACTION);
    throw error;
  }

  /**
   * Reads the history, lets `plan` decide which tail to replace, and writes
   * it with a compare-and-swap on the last message read (seq and id): when
   * another write came in between, reads and plans again, up to
   * `maxRetries` times. Returns whether it wrote.
   */
  async #rewrite(
    plan: (entries: Entry[]) => Promise<{
      from: number;
      replacement: AgentInputItem[];
      usage?: MessageUsage;
      /** Usage each replacement message holds before `usage` is added (see `carriedUsages`). */
      carried?: (MessageUsage | undefined)[];
      op?: { id: string; fingerprint: string };
    } | null>,
  ): Promise<boolean> {
    await this.#ensure();
    for (let attempt = 0; ; attempt++) {
      const entries = await this.#readAll().catch((error) => {
        if (codeOf(error) === "SESSION_NOT_FOUND") return [];
        throw error;
      });
      const change = await plan(entries);
      if (!change) return false;
      const last = entries.at(-1)?.message;
      const afterSeq = change.from === 0 ? 0 : (entries[change.from - 1] as Entry).message.seq;
      const prefixCalls = new Set<string>();
      for (const e of entries.slice(0, change.from)) {
        const id = callIdOf(e.item);
        if (id) prefixCalls.add(id);
      }
      const replace = {
        afterSeq,
        expectedLastSeq: last?.seq ?? 0,
        expectedLastId: last?.id ?? null,
      };
      const messages = this.#toMessages(
        change.replacement,
        prefixCalls,
        change.usage,
        change.carried,
      );
      try {
        if (change.op) {
          const result = await this.#messages
            .applyOperation(
              this.#id,
              { ...change.op, replace, messages },
              { allowUnknownToolCalls: true },
            )
            .catch((error) => this.#conflict(error));
          return result.applied;
        }
        await this.#messages.replaceTail(this.#id, {
          ...replace,
          messages,
          allowUnknownToolCalls: true,
        });
        return true;
      } catch (error) {
        const code = codeOf(error);
        if (attempt >= this.#maxRetries) throw error;
        if (code === "SESSION_NOT_FOUND") {
          // Deleted meanwhile: as for appends, the history starts again in a new session.
          this.#created = false;
          await this.#ensure();
        } else if (code !== "CONCURRENT_MODIFICATION") {
          throw error;
        }
      }
    }
  }

  /**
   * Runs an append with the call ids it must not index again: first with
   * none (the common case, no read), and when the store refuses a call id
   * the session already holds, once more with the ids of the stored history.
   */
  async #withHeldCalls<T>(
    known: Set<string> | undefined,
    write: (held: Set<string>) => Promise<T>,
  ): Promise<T> {
    try {
      return await write(new Set(known));
    } catch (error) {
      if (
        codeOf(error) !== "VALIDATION" ||
        !/toolCallId|tool call/i.test(String((error as Error).message))
      ) {
        throw error;
      }
      const held = new Set<string>();
      for (const e of await this.#readAll()) {
        const id = callIdOf(e.item);
        if (id) held.add(id);
      }
      return write(held);
    }
  }

  /** Items as messages; `usage` added to the last model-produced one, onto the `carried` usages. */
  #toMessages(
    items: readonly AgentInputItem[],
    held: Set<string>,
    usage: MessageUsage | undefined,
    carried: readonly (MessageUsage | undefined)[] = [],
  ): NewMessage[] {
    let usageAt = -1;
    if (usage) {
      for (let i = items.length - 1; i >= 0; i--) {
        if (isModelOutput(items[i] as AgentInputItem)) {
          usageAt = i;
          break;
        }
      }
    }
    const usages = items.map((_, i) => carried[i]);
    if (usageAt >= 0) placeUsage(usages, usageAt, usage);
    return items.map((item, i) => {
      const callId = callIdOf(item);
      const mapCall = callId !== undefined && callId !== "" && !held.has(callId);
      if (callId) held.add(callId);
      return toNewMessage(item, mapCall, usages[i]);
    });
  }

  /** Creates the store session unless this instance saw it exist; a concurrent creator is fine. */
  async #ensure(): Promise<void> {
    if (this.#created) return;
    try {
      await this.#store.sessions.create({ ...this.#create, id: this.#id });
    } catch (error) {
      if (codeOf(error) !== "CONFLICT") throw error;
    }
    this.#created = true;
  }

  /** Runs a write; when the session was deleted meanwhile, creates it again and retries once. */
  async #writing<T>(write: () => Promise<T>): Promise<T> {
    await this.#ensure();
    try {
      return await write();
    } catch (error) {
      if (codeOf(error) !== "SESSION_NOT_FOUND") throw error;
      this.#created = false;
      await this.#ensure();
      return write();
    }
  }

  /**
   * The whole history, consistent: pages read backwards from the newest; as
   * every write of the store changes the tail (appends, pops, tail
   * replacements, clears), an unchanged newest message after the last page
   * means no write came in between, else it reads again.
   */
  async #readAll(): Promise<Entry[]> {
    for (;;) {
      const newest = await this.#messages.last(this.#id, this.#pageSize);
      if (newest.length < this.#pageSize) return toEntries(newest);
      const pages: Message[][] = [newest];
      let before = (newest[0] as Message).seq;
      while (before > 1) {
        const page = await this.#messages.list(this.#id, {
          beforeSeq: before,
          limit: this.#pageSize,
        });
        if (page.items.length === 0) break;
        pages.unshift(page.items);
        before = (page.items[0] as Message).seq;
      }
      const [tail] = await this.#messages.last(this.#id, 1);
      if (tail?.id === newest.at(-1)?.id) return toEntries(pages.flat());
    }
  }
}

function toEntries(messages: readonly Message[]): Entry[] {
  const entries: Entry[] = [];
  for (const message of messages) {
    const item = toItem(message);
    if (item !== undefined) entries.push({ message, item });
  }
  return entries;
}

/** Drops result items whose call is not among `items` (a window cut the tool group). */
function withoutOrphanResults(items: AgentInputItem[]): AgentInputItem[] {
  const calls = new Set<string>();
  for (const item of items) {
    const id = callIdOf(item);
    if (id !== undefined) calls.add(id);
  }
  return items.filter((item) => {
    const id = resultCallIdOf(item);
    return id === undefined || calls.has(id);
  });
}
