import type { Queryable } from "../driver/index.js";

/**
 * One step of an extension's schema, applied in its own write transaction
 * together with the new version in `package_schemas`. Append only: a
 * released migration never changes.
 */
export interface ExtensionMigration {
  /** The extension's schema version after this step: 1, 2, 3… with no gaps. */
  readonly version: number;
  /** What the step does, in words (for logs and reviews). */
  readonly name: string;
  /** DDL (and data moves), run in order. Every object they create must be named `<extension name>_…`. */
  readonly statements: readonly string[];
}

/**
 * A check the extension adds to `store.integrity.check` (and to the check
 * `restoreBackup` runs when given the extension): a query that returns the
 * rows that are wrong, each with an `id` column naming one (a session id, a
 * key). No rows means the check passed.
 */
export interface ExtensionCheck {
  /** The finding's `check` name; it is prefixed with `<extension name>:`. */
  readonly check: string;
  /** What a row of the query means, in words. */
  readonly message: string;
  /** A read-only query returning one row per problem with an `id` column. */
  readonly sql: string;
}

/**
 * Tables an integration package owns in the store's file: its name, its
 * migration chain and its integrity checks. See "Extensions" in
 * docs/architecture.md for the rules (names, cascade on session delete,
 * what archive does to its rows).
 */
export interface StoreExtension {
  /** Key in `package_schemas` and prefix of its tables: `[a-z][a-z0-9_]*`, at most 40 characters. */
  readonly name: string;
  /** The migration chain, versions 1..n in order. */
  readonly migrations: readonly ExtensionMigration[];
  /** Checks for `integrity.check`; none by default. */
  readonly checks?: readonly ExtensionCheck[];
}

/** What `attachExtension` (or `openStore`) did to an extension's schema. */
export interface ExtensionMigrationResult {
  /** The extension's name. */
  readonly name: string;
  /** The version found in `package_schemas` (0: never installed). */
  readonly from: number;
  /** The version afterwards. */
  readonly to: number;
  /** Versions this call applied (empty when another process got there first or none was due). */
  readonly applied: readonly number[];
}

/** Reads the version of one extension; 0 when it (or the table) is absent. */
export type VersionReader = (q: Pick<Queryable, "get">, name: string) => Promise<number>;
