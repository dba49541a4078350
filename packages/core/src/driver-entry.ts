/**
 * `@llm-sessions/core/driver`: for authors of SQLite adapters and of test
 * suites that run against them. An adapter implements `SqliteAdapter` and
 * hands it to `createDriver`; what it exports to users is the resulting
 * `SqliteDriver`. Users of the store import `@llm-sessions/core` instead.
 */
export type {
  AdapterTuning,
  ConnectionSettings,
  MaybePromise,
  RawBackupOptions,
  RawConnection,
  RawStatement,
  SqliteAdapter,
} from "./driver/adapter.js";
export { createDriver } from "./driver/create-driver.js";
export {
  isBusyError,
  primaryCode,
  SQLITE_ERROR_CODES,
  SqliteError,
  type SqliteErrorCode,
  toSqliteError,
} from "./driver/errors.js";
export { bindInteger, fromBigInt, narrowRow, runResult } from "./driver/integers.js";
export { MAX_BUSY_TIMEOUT_MS } from "./driver/limits.js";
export { LruCache } from "./driver/lru.js";
export { checkFilename, checkOptionKeys } from "./driver/options.js";
export {
  bareName,
  checkParameters,
  type ParameterShape,
  parameterShape,
} from "./driver/parameters.js";
export { type RowBuilder, rowBuilder } from "./driver/row-builder.js";
export {
  DEFAULT_BUSY_TIMEOUT_MS,
  DEFAULT_JOURNAL_SIZE_LIMIT,
  DEFAULT_STATEMENT_CACHE_SIZE,
} from "./driver/settings.js";
export { runSteps, step } from "./driver/steps.js";
export type {
  BackupOptions,
  BackupProgress,
  ConnectOptions,
  DriverCapabilities,
  Params,
  Queryable,
  Row,
  RunResult,
  SqliteConnection,
  SqliteDriver,
  SqliteValue,
  Statement,
  Transaction,
  TransactionMode,
  TxStep,
  TxSteps,
} from "./driver/types.js";
// The pool on its own, for suites that test a driver under it (checkpoints, snapshots).
export { Pool } from "./pool/pool.js";
