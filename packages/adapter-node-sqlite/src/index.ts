/**
 * `@llm-sessions/adapter-node-sqlite`: runs `@llm-sessions/core` on Node's
 * own SQLite (`node:sqlite`, Node 22.16 or newer): a local file or `:memory:`,
 * with no native module to build.
 */

export {
  DEFAULT_BUSY_TIMEOUT_MS,
  DEFAULT_JOURNAL_SIZE_LIMIT,
  DEFAULT_STATEMENT_CACHE_SIZE,
} from "@llm-sessions/core/driver";
export { nodeSqlite } from "./driver.js";
export type { NodeSqliteOptions } from "./options.js";
