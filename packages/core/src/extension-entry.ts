/**
 * `@llm-sessions/core/extension`: for integration packages that keep their
 * own tables in the store's file (the LangGraph checkpointer, say). A
 * package defines its tables with `defineExtension`, and gets an
 * `ExtensionHandle` (transactions on the store's pool, the sessions its rows
 * hang from) from `attachExtension` or `openStore({ extensions })`. The
 * contract is in docs/architecture.md ("Extensions"). Users of the store
 * import `@llm-sessions/core` instead.
 */
export type { Queryable, Row, SqliteValue, Transaction } from "./driver/types.js";
export { ExtensionSchemaTooNewError } from "./errors.js";
export { attachExtension } from "./extensions/attach.js";
export { defineExtension } from "./extensions/define.js";
export type { ExtensionHandle } from "./extensions/handle.js";
export { extensionVersion } from "./extensions/migrate.js";
export type {
  ExtensionCheck,
  ExtensionMigration,
  ExtensionMigrationResult,
  StoreExtension,
} from "./extensions/types.js";
