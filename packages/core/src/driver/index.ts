export type {
  AdapterTuning,
  ConnectionSettings,
  MaybePromise,
  RawBackupOptions,
  RawConnection,
  RawStatement,
  SqliteAdapter,
} from "./adapter.js";
export { createDriver } from "./create-driver.js";
export {
  isBusyError,
  primaryCode,
  SQLITE_ERROR_CODES,
  SqliteError,
  type SqliteErrorCode,
  toSqliteError,
} from "./errors.js";
export { bindInteger, fromBigInt, narrowRow, runResult } from "./integers.js";
export { LruCache } from "./lru.js";
export { Mutex } from "./mutex.js";
export { checkFilename, checkOptionKeys } from "./options.js";
export {
  bareName,
  checkParameters,
  type ParameterShape,
  parameterShape,
} from "./parameters.js";
export { type RowBuilder, rowBuilder } from "./row-builder.js";
export {
  DEFAULT_BUSY_TIMEOUT_MS,
  DEFAULT_JOURNAL_SIZE_LIMIT,
  DEFAULT_STATEMENT_CACHE_SIZE,
} from "./settings.js";
export { runSteps, step, type TxStep, type TxSteps } from "./steps.js";
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
} from "./types.js";
