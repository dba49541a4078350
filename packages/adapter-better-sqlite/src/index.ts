/**
 * `@llm-sessions/adapter-better-sqlite`: runs `@llm-sessions/core` on
 * better-sqlite3 (a local file or `:memory:`).
 */

export {
  DEFAULT_BUSY_TIMEOUT_MS,
  DEFAULT_JOURNAL_SIZE_LIMIT,
  DEFAULT_STATEMENT_CACHE_SIZE,
} from "@llm-sessions/core/driver";
export { betterSqlite } from "./driver.js";
export type { BetterSqliteOptions } from "./options.js";
