/**
 * `@llm-sessions/adapter-libsql`: the driver contract of `@llm-sessions/core`
 * on libSQL: local files and `:memory:` through the `libsql` package, remote
 * libSQL servers through `@libsql/client`.
 */
export {
  DEFAULT_BUSY_TIMEOUT_MS,
  DEFAULT_JOURNAL_SIZE_LIMIT,
  DEFAULT_STATEMENT_CACHE_SIZE,
} from "@llm-sessions/core/driver";
export { libsql } from "./driver.js";
export { fileUrl } from "./local-path.js";
export type { LibsqlOptions } from "./options.js";
