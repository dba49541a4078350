/**
 * `@llm-sessions/langgraph`: a LangGraph.js checkpointer on an llm-sessions
 * store. Threads are store sessions; see `SessionStoreSaver`.
 */

export { SessionStoreSaver, type SessionStoreSaverOptions } from "./saver.js";
export { langgraphExtension } from "./schema.js";
