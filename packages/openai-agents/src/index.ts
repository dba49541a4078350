/**
 * `@llm-sessions/openai-agents`: the OpenAI Agents SDK's `Session` on an
 * `@llm-sessions/core` store.
 *
 * @packageDocumentation
 */
export { decodeValue, encodeValue } from "./codec.js";
export { ITEM_PART } from "./mapping.js";
export { SessionStoreSession, type SessionStoreSessionOptions } from "./session.js";
export type { StoreScope } from "./store-ops.js";
