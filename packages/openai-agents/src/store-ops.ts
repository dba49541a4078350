import type { AppendOptions, Message, NewMessage, SessionStore } from "@llm-sessions/core";

/** An operation as `messages.applyOperation` takes it (core 0.x, "Operations"). */
export interface StoreOperation {
  id: string;
  fingerprint: string;
  replace?: { afterSeq: number; expectedLastSeq: number; expectedLastId?: string | null };
  messages: NewMessage[];
}

/** The operation methods of `store.messages` this package relies on. */
export interface OperationMessages {
  applyOperation(
    sessionId: string,
    op: StoreOperation,
    options?: AppendOptions,
  ): Promise<{ applied: boolean; messages: Message[] }>;
  operation(
    sessionId: string,
    id: string,
  ): Promise<{ id: string; fingerprint: string; createdAt: number } | null>;
  clear(sessionId: string): Promise<number>;
  replaceTail(
    sessionId: string,
    options: {
      afterSeq: number;
      expectedLastSeq: number;
      expectedLastId?: string | null;
      messages: readonly NewMessage[];
      allowUnknownToolCalls?: boolean;
    },
  ): Promise<Message[]>;
}

/** A store or a tenant view of one: what the session uses of it. */
export type StoreScope = Pick<SessionStore, "sessions" | "messages">;

/** The store's messages with the operation methods, checked once. */
export function operationMessages(store: StoreScope): SessionStore["messages"] & OperationMessages {
  const messages = store.messages as SessionStore["messages"] & Partial<OperationMessages>;
  if (typeof messages.applyOperation !== "function" || typeof messages.operation !== "function") {
    throw new TypeError(
      "@llm-sessions/openai-agents needs an @llm-sessions/core with messages.applyOperation (update @llm-sessions/core).",
    );
  }
  return messages as SessionStore["messages"] & OperationMessages;
}
