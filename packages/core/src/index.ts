/**
 * `@llm-sessions/core`: the session store for users — `openStore`, its
 * options, its errors and the types of what it stores and reports. Authors of
 * SQLite adapters import `@llm-sessions/core/driver`.
 */
export { SqliteError, type SqliteErrorCode } from "./driver/errors.js";
export { MAX_BUSY_TIMEOUT_MS } from "./driver/limits.js";
export type { ConnectOptions, DriverCapabilities, SqliteDriver } from "./driver/types.js";
export {
  AmbiguousSessionIdError,
  ConcurrentModificationError,
  ConflictError,
  DatabaseCorruptError,
  ExtensionSchemaTooNewError,
  IdempotencyConflictError,
  LlmSessionsError,
  MigrationRequiredError,
  SchemaTooNewError,
  SessionArchivedError,
  SessionNotFoundError,
  ValidationError,
  type ValidationIssue,
} from "./errors.js";
export type {
  ExtensionCheck,
  ExtensionMigration,
  ExtensionMigrationResult,
  StoreExtension,
} from "./extensions/types.js";
export { DatabaseReplacedError, DiskFullError, ForeignDatabaseError } from "./files/errors.js";
export type {
  IntegrityApi,
  IntegrityCheckOptions,
  IntegrityFinding,
  IntegrityRepairOptions,
  IntegrityRepairReport,
  IntegrityReport,
  RepairActions,
  VerifyOnOpen,
} from "./integrity/index.js";
export {
  LifecycleApi,
  type LifecycleFigures,
  type LifecyclePolicy,
  type ResolvedPolicy,
  SnapshotCorruptError,
  type SweepResult,
} from "./lifecycle/index.js";
export {
  AUTO_VACUUM_FREE_RATIO,
  AUTO_VACUUM_MIN_FREE_PAGES,
  type BackupMethod,
  type BackupResult,
  BackupVerificationError,
  type CheckpointReport,
  DatabaseInUseError,
  Maintenance,
  type MaintenanceUnsupported,
  type OptimizeOptions,
  type OptimizeReport,
  type RestoreOptions,
  type RestoreResult,
  type RestoreStep,
  restoreBackup,
  type SpaceFigures,
  type StoreBackupOptions,
  type StoreBackupProgress,
  UnsupportedOperationError,
  type VacuumReport,
} from "./maintenance/index.js";
export {
  type DatabaseFigures,
  DEFAULT_HEALTH_THRESHOLDS,
  type HealthLimit,
  type HealthReason,
  type HealthReport,
  type HealthThresholds,
  type HealthThresholdsInput,
  LATENCY_WINDOW,
  type OperationMetrics,
  type PrometheusOptions,
  type SessionCounts,
  STORE_OPERATIONS,
  type StoreMetrics,
  type StoreOperation,
  toPrometheus,
} from "./metrics/index.js";
export {
  type LegacyMigrationReport,
  type MigrateLegacyOptions,
  migrateLegacy,
} from "./migrate-legacy.js";
export {
  CHECKPOINT_MODES,
  type CheckpointMode,
  type CheckpointResult,
  type CheckpointStats,
} from "./pool/checkpoint.js";
export {
  PoolClosedError,
  PoolCloseTimeoutError,
  type PoolLaneName,
  PoolMisuseError,
  PoolOptionsError,
  PoolOverloadedError,
  PoolTimeoutError,
  StoreClosedError,
} from "./pool/errors.js";
export type { PoolLaneStats } from "./pool/lane.js";
export {
  type BusyRetryOptions,
  type CheckpointOptions,
  POOL_DEFAULTS,
  type PoolCloseOptions,
  type PoolOptions,
} from "./pool/options.js";
export type { WaitPercentiles } from "./pool/percentiles.js";
export type { PoolStats } from "./pool/stats.js";
export {
  LEGACY_ROLES,
  type LegacyV0Counts,
  MIGRATIONS,
  type MigrationResult,
  SCHEMA_VERSION,
} from "./schema/index.js";
export {
  /** The most work one `search` call may ask for (words, prefixes, page size); past them is a `ValidationError`. */
  SEARCH_BOUNDS,
  type SearchHit,
  type SearchOptions,
  type SnippetPart,
  toFtsQuery,
} from "./search/index.js";
export {
  type AppendOptions,
  type CompactOptions,
  type DataPart,
  DEFAULT_LIMITS,
  type FilePart,
  type ForkOptions,
  type HistoryOperation,
  type JsonObject,
  type JsonScalar,
  type JsonValue,
  type ListMessagesOptions,
  type ListSessionsOptions,
  type Message,
  type MessagePart,
  type MessageRole,
  MessagesApi,
  type MessageUsage,
  type NewMessage,
  type NewSession,
  type OperationRecord,
  type OperationResult,
  type Page,
  type ReasoningPart,
  type ReplaceTailOptions,
  type Session,
  type SessionOrder,
  type SessionPatch,
  type SessionStatus,
  SessionsApi,
  type StatsGroup,
  type StatsWindow,
  type StoreLimits,
  type StoreStats,
  type TextPart,
  type ToolCallPart,
  type ToolResultPart,
  type UsageSums,
  type UsageTotals,
  type WindowGroup,
  type WindowOptions,
  type WindowStats,
} from "./sessions/index.js";
export { type OpenStoreOptions, openStore, type SessionStore, Store } from "./store.js";
