export type { Executor, Scope, StoreContext } from "./context.js";
export { DEFAULT_LIMITS, type StoreLimits } from "./limits.js";
export { MessagesApi } from "./messages-api.js";
export { SessionsApi } from "./sessions-api.js";
export { readStats, readWindowStats } from "./stats.js";
export type * from "./types.js";
export { makeSchemas, type Schemas } from "./validation.js";
