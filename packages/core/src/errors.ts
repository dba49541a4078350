/**
 * The root of every error this library throws on purpose. A leaf module: it
 * imports nothing, so every layer (driver, pool, store) can extend it.
 */
export class LlmSessionsError extends Error {
  /** A stable, machine-readable name for the kind of failure. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** One problem with an input: where (a dotted path) and which rule it broke. */
export interface ValidationIssue {
  /** The field, e.g. `messages.0.content`; empty for the input as a whole. */
  readonly path: string;
  /** What the rule says, e.g. `must be at most 1000`. */
  readonly message: string;
}

/** An input broke a rule. Nothing was changed. */
export class ValidationError extends LlmSessionsError {
  /** Every rule the input broke: where (`path`) and what (`message`). */
  readonly issues: readonly ValidationIssue[];

  constructor(where: string, issues: readonly ValidationIssue[]) {
    const detail = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ");
    super("VALIDATION", `${where}: ${detail}`);
    this.issues = issues;
  }
}

/**
 * No session with this id is visible. A session of another tenant is
 * reported the same way, so a tenant cannot learn that it exists.
 */
export class SessionNotFoundError extends LlmSessionsError {
  /** The id that was asked for. */
  readonly sessionId: string;

  constructor(sessionId: string) {
    super("SESSION_NOT_FOUND", `session ${JSON.stringify(sessionId)} was not found`);
    this.sessionId = sessionId;
  }
}

/** The session is archived: restore it first (or open the store with `autoRestore`). */
export class SessionArchivedError extends LlmSessionsError {
  /** The archived session's id. */
  readonly sessionId: string;

  constructor(sessionId: string) {
    super(
      "SESSION_ARCHIVED",
      `session ${JSON.stringify(sessionId)} is archived: restore it before changing it`,
    );
    this.sessionId = sessionId;
  }
}

/** A caller-chosen id is already taken (in the caller's own tenant), or a write lost a race. */
export class ConflictError extends LlmSessionsError {
  constructor(message: string, options?: { cause?: unknown }, code = "CONFLICT") {
    super(code, message, options);
  }
}

/**
 * An append reused an idempotency key of its session for a different
 * message, or `messages.applyOperation` an operation id for a different
 * change (`fields` is then `["fingerprint"]`): a retry must send what it
 * sent the first time. Nothing was written (the whole batch is refused).
 */
export class IdempotencyConflictError extends ConflictError {
  /** The session the key belongs to. */
  readonly sessionId: string;
  /** The key that was reused. */
  readonly idempotencyKey: string;
  /** The fields in which the message differs from the one stored with the key. */
  readonly fields: readonly string[];

  constructor(sessionId: string, idempotencyKey: string, fields: readonly string[]) {
    super(
      fields.includes("fingerprint")
        ? `operation ${JSON.stringify(idempotencyKey)} of session ${JSON.stringify(sessionId)} was applied with a different change (its fingerprint differs): a retry must send the same change`
        : `idempotency key ${JSON.stringify(idempotencyKey)} of session ${JSON.stringify(sessionId)} was used for a different message (${fields.join(", ")} differ): a retry must send the same message`,
      undefined,
      "IDEMPOTENCY_CONFLICT",
    );
    this.sessionId = sessionId;
    this.idempotencyKey = idempotencyKey;
    this.fields = fields;
  }
}

/**
 * A write conditioned on the state the caller saw (`messages.replaceTail`'s
 * `expectedLastSeq` and `expectedLastId`) found the session changed since: another writer got
 * there first. Nothing was written; read the session again and decide anew.
 */
export class ConcurrentModificationError extends ConflictError {
  /** The session that changed. */
  readonly sessionId: string;
  /** The last seq the caller expected. */
  readonly expectedLastSeq: number;
  /** The session's last seq when the write was tried. */
  readonly actualLastSeq: number;
  /** The last message id the caller expected, when it named one (`null`: no messages). */
  readonly expectedLastId: string | null | undefined;
  /** The session's last message id when the write was tried, when the caller named one. */
  readonly actualLastId: string | null | undefined;

  constructor(
    sessionId: string,
    expectedLastSeq: number,
    actualLastSeq: number,
    ids?: { expectedLastId: string | null; actualLastId: string | null },
  ) {
    super(
      ids
        ? `session ${JSON.stringify(sessionId)} changed: its last message is ${JSON.stringify(ids.actualLastId)}, not the ${JSON.stringify(ids.expectedLastId)} expected (at seq ${actualLastSeq}); nothing was written`
        : `session ${JSON.stringify(sessionId)} changed: its last seq is ${actualLastSeq}, not the ${expectedLastSeq} expected; nothing was written`,
      undefined,
      "CONCURRENT_MODIFICATION",
    );
    this.sessionId = sessionId;
    this.expectedLastSeq = expectedLastSeq;
    this.actualLastSeq = actualLastSeq;
    this.expectedLastId = ids?.expectedLastId;
    this.actualLastId = ids?.actualLastId;
  }
}

/**
 * The root store (the all-tenants view) was given a session id that more
 * than one tenant holds: ids are unique per tenant, so the id alone does not
 * name one session. Address it through `store.tenant(tenantId)` (`null` for
 * the default tenant). Tenant views never see this error.
 */
export class AmbiguousSessionIdError extends LlmSessionsError {
  /** The id that was asked for. */
  readonly sessionId: string;
  /** The tenants that hold a session with this id (`null`: the default tenant). */
  readonly tenantIds: readonly (string | null)[];

  constructor(sessionId: string, tenantIds: readonly (string | null)[]) {
    super(
      "AMBIGUOUS_SESSION_ID",
      `session id ${JSON.stringify(sessionId)} is held by ${tenantIds.length} tenants (${tenantIds
        .map((t) => (t === null ? "the default tenant" : JSON.stringify(t)))
        .join(", ")}): use store.tenant(tenantId) to name one`,
    );
    this.sessionId = sessionId;
    this.tenantIds = tenantIds;
  }
}

/** The database was written by a newer version of this library. Nothing was changed. */
export class SchemaTooNewError extends LlmSessionsError {
  /** The schema version found in the database. */
  readonly found: number;
  /** The newest schema version this library knows. */
  readonly supported: number;

  constructor(found: number, supported: number) {
    super(
      "SCHEMA_TOO_NEW",
      `the database has schema version ${found}, newer than the ${supported} this version of @llm-sessions/core understands: upgrade the library`,
    );
    this.found = found;
    this.supported = supported;
  }
}

/**
 * The database has the older (v0) layout, or tables this library did not
 * make. Nothing was changed: run `migrate` (API or `llm-sessions migrate`).
 */
export class MigrationRequiredError extends LlmSessionsError {
  constructor(message: string) {
    super("MIGRATION_REQUIRED", message);
  }
}

/**
 * The database file is damaged: SQLite reported corruption (`CORRUPT`), the
 * file is not a database (`NOTADB`), or the check run on open found
 * problems. Raised instead of serving data from a damaged file. Restore a
 * backup, or run `integrity.repair` when only our own rules were broken.
 */
export class DatabaseCorruptError extends LlmSessionsError {
  /** The database (a file path or a URL without secrets). */
  readonly target: string;
  /** What failed: SQLite's message, or the first lines of `quick_check`. */
  readonly detail: string;
  /** What the library was doing, e.g. `opening`, `verifying on open (quick_check)`. */
  readonly during: string;

  constructor(target: string, during: string, detail: string, options?: { cause?: unknown }) {
    super("DATABASE_CORRUPT", `database ${target} is damaged (${during}): ${detail}`, options);
    this.target = target;
    this.detail = detail;
    this.during = during;
  }
}

/**
 * An extension's tables (see `StoreExtension`) were written by a newer
 * version of the package that owns them. Nothing was changed: upgrade that
 * package.
 */
export class ExtensionSchemaTooNewError extends LlmSessionsError {
  /** The extension's name (its key in `package_schemas`). */
  readonly extension: string;
  /** The version found in the database. */
  readonly found: number;
  /** The newest version this copy of the extension knows. */
  readonly supported: number;

  constructor(extension: string, found: number, supported: number) {
    super(
      "EXTENSION_SCHEMA_TOO_NEW",
      `the database has version ${found} of the "${extension}" tables, newer than the ${supported} this version of the package understands: upgrade it`,
    );
    this.extension = extension;
    this.found = found;
    this.supported = supported;
  }
}
