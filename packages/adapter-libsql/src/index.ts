/**
 * `@llm-sessions/adapter-libsql`: the driver contract of `@llm-sessions/core`
 * on `@libsql/client`, for local files, `:memory:` and remote libSQL servers.
 */
export { DEFAULT_BUSY_TIMEOUT_MS, libsql } from "./driver.js";
export { DEFAULT_JOURNAL_SIZE_LIMIT, type LibsqlOptions } from "./options.js";
