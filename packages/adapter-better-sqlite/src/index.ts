/**
 * `@llm-sessions/adapter-better-sqlite`: runs `@llm-sessions/core` on
 * better-sqlite3 (a local file or `:memory:`).
 */
export { betterSqlite } from "./driver.js";
export { DEFAULT_BUSY_TIMEOUT_MS } from "./open.js";
export {
  type BetterSqliteOptions,
  DEFAULT_JOURNAL_SIZE_LIMIT,
  DEFAULT_STATEMENT_CACHE_SIZE,
} from "./options.js";
