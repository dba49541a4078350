export {
  type RawConnection,
  type RawQueryable,
  type RawTransaction,
  wrapConnection,
} from "./connection.js";
export {
  isBusyError,
  primaryCode,
  SQLITE_ERROR_CODES,
  SqliteError,
  type SqliteErrorCode,
  toSqliteError,
} from "./errors.js";
export { fromBigInt } from "./integers.js";
export { LruCache } from "./lru.js";
export { Mutex } from "./mutex.js";
export { type RowBuilder, rowBuilder } from "./row-builder.js";
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
