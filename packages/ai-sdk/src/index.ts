/**
 * `@llm-sessions/ai-sdk`: AI SDK (`ai` 7) chats of `UIMessage`s on an
 * `@llm-sessions/core` store. `createChats(store)` loads a chat ready for
 * `convertToModelMessages`, saves the list `toUIMessageStream`'s `onEnd`
 * gives exactly once per message id, regenerates, lists, pages back and
 * deletes; each chat is a store session, so tenants, search, windows,
 * stats, lifecycle and backups apply.
 */
export {
  type ChatPage,
  Chats,
  type ChatsOptions,
  createChats,
  type ListChatsOptions,
  type LoadedChat,
  type LoadOptions,
  type NewChat,
  type SaveOnEnd,
  type SaveOptions,
  type SaveResult,
} from "./chats.js";
export { ENVELOPE_NAME, type Envelope, type EnvelopeEntry } from "./encode.js";
export { StaleChatError } from "./errors.js";
export type { ChatUsage } from "./usage.js";
export type { UIMessageSchemas } from "./validate.js";
