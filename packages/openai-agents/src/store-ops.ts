import type { SessionStore } from "@llm-sessions/core";

/** A store or a tenant view of one (`store.tenant(id)`): what the session uses of it. */
export type StoreScope = Pick<SessionStore, "sessions" | "messages">;

/**
 * The store's messages API, checked to have the operations this package
 * needs (`applyOperation`, `operation`, `clear`: core 0.x since the
 * "Operations" release), so that an older core fails at construction with a
 * clear message instead of at the first transaction.
 */
export function operationMessages(store: StoreScope): SessionStore["messages"] {
  const messages = store?.messages as Partial<SessionStore["messages"]> | undefined;
  for (const method of ["applyOperation", "operation", "clear"] as const) {
    if (typeof messages?.[method] !== "function") {
      throw new TypeError(
        `SessionStoreSession needs a store whose messages have ${method} (update @llm-sessions/core).`,
      );
    }
  }
  return store.messages;
}
