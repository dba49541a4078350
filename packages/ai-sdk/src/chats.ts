import { randomUUID } from "node:crypto";
import {
  ConcurrentModificationError,
  ConflictError,
  type ListSessionsOptions,
  type Message,
  type NewSession,
  type Page,
  type Session,
  SessionNotFoundError,
  type SessionStore,
  ValidationError,
} from "@llm-sessions/core";
import { type UIMessage, validateUIMessages } from "ai";
import { decodeMessage } from "./decode.js";
import { encodeMessage, type WireMessage } from "./encode.js";
import { StaleChatError } from "./errors.js";
import { chainOf, planSave, type StoredTail, storedChain } from "./plan.js";
import { type ChatUsage, toMessageUsage } from "./usage.js";
import { checkMessages, checkShapes, checkWire, type UIMessageSchemas } from "./validate.js";

/** Options of `createChats`. */
export interface ChatsOptions<M extends UIMessage = UIMessage> {
  /**
   * Tool, data part and metadata schemas for the AI SDK's
   * `validateUIMessages`, which checks every message saved and every chat
   * loaded (without them it checks the messages' shape only).
   */
  schemas?: UIMessageSchemas<M>;
  /**
   * How often a `save` that lost a race to another writer of the same chat
   * reads the chat again and redoes its comparison before it gives up with
   * the store's `ConcurrentModificationError` (default 8).
   */
  maxAttempts?: number;
}

/** What `create` takes: the session fields a chat uses. */
export type NewChat = Pick<NewSession, "id" | "title" | "model" | "metadata" | "expiresAt">;

/** What `list` takes: `sessions.list`'s filters and paging, in the chats' scope. */
export type ListChatsOptions = Pick<
  ListSessionsOptions,
  "status" | "model" | "metadata" | "titleContains" | "orderBy" | "limit" | "cursor"
>;

/** Options of `save` (and of the `onEnd` callback). */
export interface SaveOptions {
  /**
   * The model call's usage (`await result.totalUsage`), recorded in the
   * store `usage` of the response message when this save writes it (new,
   * or changed: a continuation adds to what the message had). A save that
   * writes nothing records nothing, so a retried save counts it once.
   */
  usage?: ChatUsage | null;
  /** The model that answered, recorded on the response message when written. */
  model?: string | null;
  /**
   * The id of the message `usage` and `model` belong to; default: the last
   * message, when it is an assistant message.
   */
  responseMessageId?: string;
  /** Create the chat when it does not exist (default true). */
  createMissing?: boolean;
  /**
   * The `version` the messages were loaded at (`load`): when the chat has
   * changed since and this save would change it, `StaleChatError` and
   * nothing is written, so a late retry of an older save cannot put an
   * older state of a message back. A save that changes nothing succeeds
   * whatever the version.
   */
  expectedVersion?: string;
}

/** Options of `load`. */
export interface LoadOptions {
  /** The message the client sent (when it sends only its newest one): checked, then put at the end. */
  message?: unknown;
  /** A chat that does not exist loads as empty (a new chat whose id the client chose) instead of `SessionNotFoundError`. */
  missingAsEmpty?: boolean;
}

/** A chat as `load` or `regenerate` read it. */
export interface LoadedChat<M extends UIMessage = UIMessage> {
  /** The messages, oldest first, checked by `validateUIMessages`. */
  readonly messages: M[];
  /** What the chat was when read, for `SaveOptions.expectedVersion`. */
  readonly version: string;
}

/** What a `save` did. */
export interface SaveResult {
  /** Messages written (new ones, changed ones, and those after a change). */
  readonly written: number;
  /** Stored messages removed by a tail replacement (each written again when still in the list). */
  readonly removed: number;
  /** The chat's version after the save. */
  readonly version: string;
}

/** One page of a chat's history, for a chat view that scrolls back. */
export interface ChatPage<M extends UIMessage = UIMessage> {
  /** The page's messages, oldest first. */
  readonly messages: M[];
  /** Pass as `cursor` for the page of older messages; `null` when this page starts the chat. */
  readonly nextCursor: string | null;
}

/** What `onEnd` returns: a callback for `toUIMessageStream`'s `onEnd` (or `onFinish`). */
export type SaveOnEnd<M extends UIMessage> = (event: {
  messages: M[];
  responseMessage: M;
}) => Promise<void>;

/**
 * AI SDK chats on a store: each chat is a store session, each UI message a
 * store message with the UI message's id. Made by `createChats`.
 */
export class Chats<M extends UIMessage = UIMessage> {
  readonly #store: SessionStore;
  readonly #schemas: UIMessageSchemas<M>;
  readonly #maxAttempts: number;

  constructor(store: SessionStore, options: ChatsOptions<M> = {}) {
    const attempts = options.maxAttempts ?? 8;
    if (!Number.isInteger(attempts) || attempts < 1) {
      throw new ValidationError("createChats", [
        { path: "maxAttempts", message: "must be an integer, at least 1" },
      ]);
    }
    this.#store = store;
    this.#schemas = options.schemas ?? {};
    this.#maxAttempts = attempts;
  }

  /**
   * A new message id for `toUIMessageStream({ generateMessageId })`: the
   * response message needs one the client sees before it is saved (a
   * random UUID).
   */
  readonly generateMessageId = (): string => randomUUID();

  /** Creates an empty chat (a session); `id` is the caller's or a UUIDv7. */
  async create(chat: NewChat = {}): Promise<Session> {
    return this.#store.sessions.create(chat);
  }

  /** The chat's session (title, metadata, counters, usage totals); `SessionNotFoundError` when absent. */
  async get(chatId: string): Promise<Session> {
    return this.#store.sessions.get(chatId);
  }

  /**
   * The chats of this scope, most recently active first (or newest first
   * with `orderBy: "created"`), filtered by metadata or title, keyset-paged.
   * Give each user a tenant view (`createChats(store.tenant(userId))`) and
   * this is that user's chats.
   */
  async list(options: ListChatsOptions = {}): Promise<Page<Session>> {
    return this.#store.sessions.list(options);
  }

  /** Deletes a chat and its messages; `SessionNotFoundError` when absent. */
  async delete(chatId: string): Promise<void> {
    await this.#store.sessions.delete(chatId);
  }

  /**
   * Removes every message of a chat and keeps the chat (title, metadata);
   * returns how many were removed. `SessionNotFoundError` when absent.
   */
  async clear(chatId: string): Promise<number> {
    return this.#store.messages.clear(chatId);
  }

  /**
   * The chat's messages, oldest first, as they were saved (deep-equal, same
   * ids), checked by `validateUIMessages` with the chats' schemas: ready for
   * `convertToModelMessages`. With `message` (the one the client sent, when
   * it sends only the last one): that message is checked like a saved one
   * and added at the end, or, when the chat has a message with its id (an
   * edited message), put in its place with the messages after it left out,
   * as the AI SDK's client does. Nothing is written. `SessionNotFoundError`
   * for a chat this scope does not have (another user's too), unless
   * `missingAsEmpty`. The `version` is what the chat was when read: give it
   * to the save of the answer (`expectedVersion`) to refuse that save if the
   * chat changed meanwhile.
   */
  async load(chatId: string, options: LoadOptions = {}): Promise<LoadedChat<M>> {
    const stored = await this.#readAll(chatId, options.missingAsEmpty ? "empty" : "throw");
    let messages = decodeAll(stored.messages);
    if (options.message !== undefined) {
      const [message] = await checkMessages("chats.load", [options.message], this.#schemas);
      const at = messages.findIndex((m) => m.id === (message as WireMessage).id);
      messages = [...(at === -1 ? messages : messages.slice(0, at)), message as WireMessage];
    }
    return { messages: await this.#validated(messages), version: versionOf(stored) };
  }

  /**
   * A page of the chat's history for a chat view that scrolls back: the
   * newest `limit` messages first (`cursor` absent), then with each page's
   * `nextCursor` the ones before them, until `nextCursor` is `null`. Each
   * page is in chronological order; pages come newest first. A page costs
   * its size (a keyset read), however long the chat.
   */
  async loadPage(
    chatId: string,
    options: { cursor?: string | null; limit?: number } = {},
  ): Promise<ChatPage<M>> {
    const page = await this.#store.messages.list(
      chatId,
      options.cursor
        ? {
            cursor: options.cursor,
            ...(options.limit !== undefined ? { limit: options.limit } : {}),
          }
        : {
            beforeSeq: Number.MAX_SAFE_INTEGER,
            ...(options.limit !== undefined ? { limit: options.limit } : {}),
          },
    );
    return { messages: await this.#validated(decodeAll(page.items)), nextCursor: page.nextCursor };
  }

  /**
   * The messages to answer again when regenerating `messageId` (default:
   * the chat's last assistant message): every message before it. Nothing is
   * removed yet: the save of the new answer (`[...these, answer]`) replaces
   * the old answer and what followed it in one compare-and-swap tail
   * replacement, so a failed regeneration leaves the chat as it was.
   * `ValidationError` when the chat has no such message.
   */
  async regenerate(chatId: string, options: { messageId?: string } = {}): Promise<LoadedChat<M>> {
    const stored = await this.#readAll(chatId, "throw");
    const messages = decodeAll(stored.messages);
    const at =
      options.messageId === undefined
        ? messages.findLastIndex((m) => m.role === "assistant")
        : messages.findIndex((m) => m.id === options.messageId);
    if (at === -1) {
      throw new ValidationError("chats.regenerate", [
        {
          path: "messageId",
          message:
            options.messageId === undefined
              ? "the chat has no assistant message"
              : `the chat has no message ${JSON.stringify(options.messageId)}`,
        },
      ]);
    }
    return { messages: await this.#validated(messages.slice(0, at)), version: versionOf(stored) };
  }

  /**
   * Saves the whole message list the AI SDK has (`onEnd`'s `messages`),
   * exactly once per message id: messages the chat already has unchanged
   * are left alone; new ids are appended; when a stored message changed
   * (same id, other content: more parts, a tool result, an approval, a
   * resumed stream) or the list goes another way at some point (another id
   * there: a regenerated answer, an edited message), the chat's tail from
   * that point is replaced by the list's. A list that is a prefix of the
   * chat (a late retry of an earlier save) changes nothing.
   *
   * Every write is one `messages.applyOperation` under the list's digest,
   * with a compare-and-swap on the chat's last seq and id: a list is
   * applied once (a retry of an applied save, however late, changes
   * nothing), and a writer that lost a race reads the chat again and
   * compares anew (up to `maxAttempts` times, then the store's
   * `ConcurrentModificationError`), so two writers never store a message
   * twice. The chat is read backwards only as far as the list agrees with
   * it (chain digests, see `CHAIN_KEY` in the README's "Saving"). Bad input
   * (not UI messages, an empty or repeated id, values JSON cannot carry,
   * ill-formed Unicode) is a `ValidationError` and nothing is written, the
   * chat not even created.
   */
  async save(
    chatId: string,
    messages: readonly M[],
    options: SaveOptions = {},
  ): Promise<SaveResult> {
    const given = checkWire("chats.save", messages);
    const list = given.map(encodeMessage);
    const chains = chainOf(list);
    const digest = chains[chains.length - 1] as string;
    // Applied once per list: a retry of an applied save, however late, changes nothing.
    const operation = { id: `ai-sdk.save:${digest}`, fingerprint: digest };
    const last = given[given.length - 1] as WireMessage;
    const response = {
      responseId: options.responseMessageId ?? (last.role === "assistant" ? last.id : undefined),
      usage: options.usage ? toMessageUsage(options.usage) : null,
      model: options.model ?? null,
    };
    for (let attempt = 1; ; attempt++) {
      const stored = await this.#readTail(chatId, chains);
      const version = encodeVersion(stored.lastSeq, stored.lastId);
      const plan = planSave(stored, list, chains, response);
      if (plan === null) return { written: 0, removed: 0, version };
      // The messages the chat holds were checked when saved; the new ones are checked now.
      await checkShapes("chats.save", given.slice(stored.prefix), this.#schemas, stored.prefix);
      if (options.expectedVersion !== undefined && options.expectedVersion !== version) {
        if (!stored.missing && (await this.#store.messages.operation(chatId, operation.id))) {
          return { written: 0, removed: 0, version };
        }
        throw new StaleChatError(chatId, options.expectedVersion, version);
      }
      const created = stored.missing && (await this.#createMissing(chatId, options));
      try {
        const result = await this.#store.messages.applyOperation(chatId, {
          ...operation,
          replace: {
            afterSeq: plan.afterSeq,
            expectedLastSeq: stored.lastSeq,
            expectedLastId: stored.lastId,
          },
          messages: plan.messages,
        });
        const newest = result.messages[result.messages.length - 1];
        if (!result.applied || !newest) return { written: 0, removed: 0, version };
        return {
          written: result.messages.length,
          removed: plan.removed,
          version: encodeVersion(newest.seq, newest.id),
        };
      } catch (error) {
        if (error instanceof ValidationError && created) await this.#dropIfEmpty(chatId);
        if (!(error instanceof ConcurrentModificationError) || attempt >= this.#maxAttempts) {
          throw error;
        }
      }
    }
  }

  /**
   * A callback for `toUIMessageStream`'s / `toUIMessageStreamResponse`'s
   * `onEnd` (or the deprecated `onFinish`): saves the event's `messages`
   * with `usage` (a value or a promise of one, e.g. `result.totalUsage`)
   * on its `responseMessage`. When the usage promise rejects (an aborted
   * stream's does), the messages are saved without usage. Errors of the
   * save reject the callback's promise.
   */
  onEnd(
    chatId: string,
    options: Omit<SaveOptions, "usage" | "responseMessageId"> & {
      usage?: ChatUsage | null | PromiseLike<ChatUsage | null | undefined>;
    } = {},
  ): SaveOnEnd<M> {
    return async ({ messages, responseMessage }) => {
      // An aborted stream rejects its usage promise: its partial answer is still saved, without usage.
      const usage = await Promise.resolve(options.usage).catch(() => null);
      await this.save(chatId, messages, {
        ...options,
        usage: usage ?? null,
        responseMessageId: responseMessage.id,
      });
    };
  }

  /**
   * Removes a chat this save created when the store refused the messages
   * (a rule only the store checks: NUL in text, its size limits), so that
   * bad input leaves nothing behind. Only while it is still empty: another
   * writer that got a message in first keeps the chat.
   */
  async #dropIfEmpty(chatId: string): Promise<void> {
    const session = await this.#store.sessions.get(chatId).catch(() => null);
    if (session?.lastSeq === 0) await this.#store.sessions.delete(chatId).catch(() => undefined);
  }

  /**
   * Creates a chat a save found missing (`createMissing`, default true;
   * else `SessionNotFoundError`). `true` when this call created it, `false`
   * when another writer did first.
   */
  async #createMissing(chatId: string, options: SaveOptions): Promise<boolean> {
    if (options.createMissing === false) throw new SessionNotFoundError(chatId);
    try {
      await this.#store.sessions.create({ id: chatId });
      return true;
    } catch (error) {
      // Another writer created it between the read and the create: go on with theirs.
      if (error instanceof ConflictError) return false;
      throw error;
    }
  }

  /**
   * The chat's end as far back as the list agrees with it: pages read
   * backwards from the newest message until one carries the chain digest
   * the list has at its seq (see `CHAIN_KEY`), or the chat's start. A chat
   * written by this package, that the list extends or changes at its end,
   * costs one page.
   */
  async #readTail(chatId: string, chains: readonly string[]): Promise<StoredTail> {
    const tail: Message[] = [];
    let lastSeq = 0;
    let lastId: string | null = null;
    let cursor: string | null = null;
    let first = true;
    try {
      do {
        const page: Page<Message> = await this.#store.messages.list(
          chatId,
          cursor === null ? { beforeSeq: Number.MAX_SAFE_INTEGER } : { cursor },
        );
        for (let k = page.items.length - 1; k >= 0; k--) {
          const message = page.items[k] as Message;
          if (first) {
            lastSeq = message.seq;
            lastId = message.id;
            first = false;
          }
          if (message.seq <= chains.length && storedChain(message) === chains[message.seq - 1]) {
            return { lastSeq, lastId, prefix: message.seq, tail: tail.reverse(), missing: false };
          }
          tail.push(message);
        }
        cursor = page.nextCursor;
      } while (cursor !== null);
    } catch (error) {
      if (!(error instanceof SessionNotFoundError)) throw error;
      return { lastSeq: 0, lastId: null, prefix: 0, tail: [], missing: true };
    }
    return { lastSeq, lastId, prefix: 0, tail: tail.reverse(), missing: false };
  }

  /**
   * Every stored message, oldest first, and the last seq they were read at;
   * a missing chat is `SessionNotFoundError`, or no messages with `empty`.
   */
  async #readAll(chatId: string, missing: "throw" | "empty"): Promise<StoredChat> {
    const messages: Message[] = [];
    let cursor: string | null = null;
    try {
      do {
        const page: Page<Message> = await this.#store.messages.list(chatId, { cursor });
        messages.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor !== null);
    } catch (error) {
      if (!(error instanceof SessionNotFoundError) || missing === "throw") throw error;
    }
    return { messages, lastSeq: messages[messages.length - 1]?.seq ?? 0 };
  }

  /** UI messages checked by `validateUIMessages` (which refuses an empty list: none to check). */
  async #validated(messages: WireMessage[]): Promise<M[]> {
    if (messages.length === 0) return [];
    return validateUIMessages<M>({ ...this.#schemas, messages });
  }
}

/** Every message of a chat, as `load` reads it. */
interface StoredChat {
  readonly messages: readonly Message[];
  readonly lastSeq: number;
}

/** The version token of a chat as read: its last seq and last message id. */
function versionOf(stored: StoredChat): string {
  const last = stored.messages[stored.messages.length - 1];
  return encodeVersion(stored.lastSeq, last?.id ?? null);
}

/** An opaque token (base64url of `[lastSeq, lastId]`). */
function encodeVersion(lastSeq: number, lastId: string | null): string {
  return Buffer.from(JSON.stringify([lastSeq, lastId])).toString("base64url");
}

/** The UI messages of stored messages, leaving out those UI messages have no role for. */
function decodeAll(messages: readonly Message[]): WireMessage[] {
  return messages.map(decodeMessage).filter((m): m is WireMessage => m !== null);
}

/**
 * AI SDK chats on `store`: the root store (every tenant) or, for one user's
 * or one tenant's chats only, `store.tenant(id)`: another tenant's chat is
 * `SessionNotFoundError` there, exactly as a chat that does not exist.
 */
export function createChats<M extends UIMessage = UIMessage>(
  store: SessionStore,
  options: ChatsOptions<M> = {},
): Chats<M> {
  return new Chats<M>(store, options);
}
