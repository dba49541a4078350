import { V1_STATEMENTS } from "./v1.js";
import { V2_STATEMENTS } from "./v2.js";
import { V3_STATEMENTS } from "./v3.js";
import { V4_STATEMENTS } from "./v4.js";
import { V5_STATEMENTS } from "./v5.js";

/** One step of the schema: applied in its own write transaction. */
export interface Migration {
  /** The `user_version` the database has after this migration. */
  readonly version: number;
  readonly name: string;
  readonly statements: readonly string[];
}

/** Every migration, in order. Append only: a released migration never changes. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: "sessions, messages, search index, snapshots", statements: V1_STATEMENTS },
  { version: 2, name: "quarantined messages", statements: V2_STATEMENTS },
  { version: 3, name: "search indexing just after commit", statements: V3_STATEMENTS },
  { version: 4, name: "ids scoped to their tenant", statements: V4_STATEMENTS },
  { version: 5, name: "message parts, roles and usage", statements: V5_STATEMENTS },
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/**
 * `PRAGMA application_id` of the store's files: "LLMS" in ASCII. Stamped
 * with each migration (it is a header field, not a schema change, so no
 * schema version is spent on it); files made before it have 0 and are known
 * by their `user_version`.
 */
export const STORE_APPLICATION_ID = 0x4c4c4d53;
