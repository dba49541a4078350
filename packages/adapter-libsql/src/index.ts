/**
 * `@llm-sessions/adapter-libsql`: the driver contract of `@llm-sessions/core`
 * on libSQL: local files and `:memory:` through the `libsql` package (or
 * `@libsql/client`, on request), remote libSQL servers through `@libsql/client`.
 */
export { DEFAULT_BUSY_TIMEOUT_MS, libsql } from "./driver.js";
export { fileUrl } from "./local-path.js";
export {
  DEFAULT_JOURNAL_SIZE_LIMIT,
  DEFAULT_STATEMENT_CACHE_SIZE,
  type LibsqlEngine,
  type LibsqlOptions,
} from "./options.js";
