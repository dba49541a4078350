export * from "./driver/index.js";
export {
  ConflictError,
  LlmSessionsError,
  MigrationRequiredError,
  SchemaTooNewError,
  SessionArchivedError,
  SessionNotFoundError,
  ValidationError,
  type ValidationIssue,
} from "./errors.js";
export type {
  IntegrityCheckOptions,
  IntegrityFinding,
  IntegrityReport,
} from "./integrity/index.js";
export {
  LifecycleApi,
  type LifecycleFigures,
  type LifecyclePolicy,
  type ResolvedPolicy,
  SnapshotCorruptError,
  type SweepResult,
} from "./lifecycle/index.js";
export * from "./pool/index.js";
export { MIGRATIONS, type MigrationResult, SCHEMA_VERSION } from "./schema/index.js";
export {
  type SearchHit,
  type SearchOptions,
  type SnippetPart,
  toFtsQuery,
} from "./search/index.js";
export {
  DEFAULT_LIMITS,
  type ForkOptions,
  type JsonObject,
  type JsonValue,
  type ListMessagesOptions,
  type ListSessionsOptions,
  type Message,
  type MessageRole,
  MessagesApi,
  type NewMessage,
  type NewSession,
  type Page,
  type Session,
  type SessionPatch,
  type SessionStatus,
  SessionsApi,
  type StoreLimits,
  type StoreStats,
} from "./sessions/index.js";
export { type OpenStoreOptions, openStore, type SessionStore, Store } from "./store.js";
