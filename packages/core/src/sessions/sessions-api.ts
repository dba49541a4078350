import { SqliteError } from "../driver/index.js";
import { ConflictError, SessionArchivedError, ValidationError } from "../errors.js";
import { loadSession, loadWritableSession, type StoreContext } from "./context.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { MAX_METADATA_DEPTH, type StoreLimits } from "./limits.js";
import { mergePatch } from "./merge-patch.js";
import { toPlainJson } from "./plain-json.js";
import {
  MESSAGE_COPY_COLUMNS,
  SESSION_COLUMNS,
  type SessionRow,
  tenantToDb,
  toSession,
} from "./rows.js";
import { everyTenantPage, type PageKey, tenantPage } from "./session-pages.js";
import type {
  ForkOptions,
  JsonObject,
  ListSessionsOptions,
  NewSession,
  Page,
  Session,
  SessionOrder,
  SessionPatch,
} from "./types.js";
import { parse } from "./validation.js";

/** The unique constraints that hold caller-chosen ids, and where each id is unique. */
const ID_CONSTRAINTS = [
  { failed: "sessions.id, sessions.tenant_id", within: "this tenant" },
  { failed: "messages.session_pk, messages.id", within: "this session" },
] as const;

/**
 * A caller-chosen id that is taken surfaces as a `ConflictError`, not a raw
 * constraint. Session ids are unique per tenant and message ids per session,
 * so only an id of the caller's own tenant can be taken.
 */
export function rethrowIdConflict(error: unknown, what: string, id: string): never {
  if (error instanceof SqliteError && error.code === "CONSTRAINT") {
    const held = ID_CONSTRAINTS.find((c) =>
      error.message.includes(`UNIQUE constraint failed: ${c.failed}`),
    );
    if (held) {
      throw new ConflictError(
        `${what} id ${JSON.stringify(id)} is already taken in ${held.within}`,
        { cause: error },
      );
    }
  }
  throw error;
}

/**
 * The stored metadata with `patch` merged in, checked by the rules every
 * metadata write obeys (the merge can grow it past `maxMetadataBytes`).
 */
function mergedMetadata(stored: string, patch: JsonObject, limits: StoreLimits): JsonObject {
  const merged = mergePatch(JSON.parse(stored) as JsonObject, patch);
  const checked = toPlainJson(merged, {
    maxDepth: MAX_METADATA_DEPTH,
    maxBytes: limits.maxMetadataBytes,
  });
  if (checked.ok) return checked.value;
  const path = ["metadataPatch", ...checked.issue.path].join(".");
  throw new ValidationError("sessions.update", [
    { path, message: `after merging into the stored metadata: ${checked.issue.message}` },
  ]);
}

/**
 * A list cursor names its order, so that one issued for another order is
 * refused: by last activity `[time, id]`, by creation `["created", time,
 * id]`. A page of the all-tenants list adds the session's stored tenant
 * (`tenant`), as two tenants' sessions can tie on time and id.
 */
function encodeListCursor(last: Session, order: SessionOrder, everyTenant: boolean): string {
  const key: (string | number)[] =
    order === "created" ? ["created", last.createdAt, last.id] : [last.lastActivityAt, last.id];
  if (everyTenant) key.push(tenantToDb(last.tenantId));
  return encodeCursor(key);
}

function decodeListCursor(cursor: string, order: SessionOrder): PageKey {
  const created = order === "created";
  const types = (created ? ["string", "number", "string"] : ["number", "string"]) as (
    | "string"
    | "number"
  )[];
  let key: (string | number)[];
  try {
    key = decodeCursor("sessions.list", cursor, types);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    key = decodeCursor("sessions.list", cursor, [...types, "string"]);
  }
  if (created && key.shift() !== "created") {
    throw new ValidationError("sessions.list", [
      { path: "cursor", message: "is not a cursor this store issued" },
    ]);
  }
  const [time, id, tenant] = key as [number, string, string | undefined];
  return tenant === undefined ? [time, id] : [time, id, tenant];
}

/** The session operations of the public face: `store.sessions`. */
export class SessionsApi {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /**
   * Creates a session. Session ids are unique per tenant: a caller-chosen
   * `id` that a session of the same tenant has is a `ConflictError`; one
   * that another tenant holds is no concern of this tenant's and is created.
   * On the root store, without `tenantId` the session belongs to the
   * default tenant.
   */
  async create(input: NewSession = {}): Promise<Session> {
    const { scope, schemas } = this.#ctx;
    const data = parse("sessions.create", schemas.newSession, input);
    if (
      scope.tenantId !== null &&
      data.tenantId !== undefined &&
      tenantToDb(data.tenantId) !== scope.tenantId
    ) {
      throw new ValidationError("sessions.create", [
        { path: "tenantId", message: "cannot differ from the tenant this store is scoped to" },
      ]);
    }
    const id = data.id ?? this.#ctx.newId();
    const tenant = tenantToDb(scope.tenantId ?? data.tenantId);
    const now = this.#ctx.clock();
    return this.#ctx.db.write(async (tx) => {
      try {
        const row = await tx.get<SessionRow>(
          `INSERT INTO sessions (id, tenant_id, title, model, metadata, created_at, updated_at, last_activity_at, expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${SESSION_COLUMNS}`,
          [
            id,
            tenant,
            data.title ?? null,
            data.model ?? null,
            JSON.stringify(data.metadata ?? {}),
            now,
            now,
            now,
            data.expiresAt ?? null,
          ],
        );
        return toSession(row as SessionRow);
      } catch (error) {
        rethrowIdConflict(error, "session", id);
      }
    });
  }

  /**
   * The session with its counters, or `SessionNotFoundError` (also for a
   * session of another tenant, on a tenant view; the root store reaches every
   * tenant's).
   */
  async get(id: string): Promise<Session> {
    const sessionId = parse("sessions.get", this.#ctx.schemas.id, id);
    return toSession(await this.#ctx.db.read((q) => loadSession(q, this.#ctx.scope, sessionId)));
  }

  /**
   * One page of sessions, newest first: by last activity (default) or by
   * creation (`orderBy`), ties by id. Pages are keyset pages: a session whose
   * activity changes while you page may move ahead of the cursor, but no page
   * repeats a session of an earlier page. `metadata` and `titleContains`
   * narrow the list (see `ListSessionsOptions` for what they cost). A tenant
   * view lists its own tenant's sessions. The root store lists every
   * tenant's, or one tenant's when given `tenantId` (`null` = the default
   * tenant).
   */
  async list(options: ListSessionsOptions = {}): Promise<Page<Session>> {
    const { scope, schemas, limits } = this.#ctx;
    const opts = parse("sessions.list", schemas.listSessions, options);
    if (
      scope.tenantId !== null &&
      opts.tenantId !== undefined &&
      tenantToDb(opts.tenantId) !== scope.tenantId
    ) {
      throw new ValidationError("sessions.list", [
        { path: "tenantId", message: "cannot differ from the tenant this store is scoped to" },
      ]);
    }
    const limit = opts.limit ?? limits.defaultPageSize;
    const order = opts.orderBy ?? "lastActivity";
    const after = opts.cursor ? decodeListCursor(opts.cursor, order) : null;
    const tenant = scope.tenantId ?? opts.tenantId;
    const everyTenant = tenant === undefined;
    const query = everyTenant
      ? everyTenantPage(opts, order, after, limit + 1)
      : tenantPage(tenant, opts, order, after, limit + 1);
    const rows = await this.#ctx.db.read((q) => q.all<SessionRow>(query.sql, query.params));
    const items = rows.slice(0, limit).map(toSession);
    const last = items[items.length - 1];
    return {
      items,
      nextCursor: rows.length > limit && last ? encodeListCursor(last, order, everyTenant) : null,
    };
  }

  /**
   * Changes title, model, metadata or expiry; absent fields stay. `metadata`
   * replaces the whole object, `metadataPatch` merges into it (RFC 7386: a
   * `null` value deletes the key), read and written in one transaction; a
   * merged object past the metadata rules is a `ValidationError` and nothing
   * changes. An archived session cannot change (`SessionArchivedError`).
   */
  async update(id: string, patch: SessionPatch): Promise<Session> {
    const { schemas, scope, limits } = this.#ctx;
    const sessionId = parse("sessions.update", schemas.id, id);
    const data = parse("sessions.update", schemas.sessionPatch, patch);
    const column = {
      title: "title",
      model: "model",
      metadata: "metadata",
      expiresAt: "expires_at",
    } as const;
    const now = this.#ctx.clock();
    return this.#ctx.db.write(async (tx) => {
      const current = await loadSession(tx, scope, sessionId);
      if (current.status === "archived") throw new SessionArchivedError(sessionId);
      const values: { -readonly [K in keyof typeof column]?: SessionPatch[K] } = { ...data };
      if (data.metadataPatch !== undefined) {
        values.metadata = mergedMetadata(current.metadata, data.metadataPatch, limits);
      }
      const sets: string[] = [];
      const params: (string | number | null)[] = [];
      for (const [key, name] of Object.entries(column) as [keyof typeof column, string][]) {
        const value = values[key];
        if (value === undefined) continue;
        sets.push(`${name} = ?`);
        params.push(key === "metadata" ? JSON.stringify(value) : (value as string | number | null));
      }
      const row = await tx.get<SessionRow>(
        `UPDATE sessions SET ${[...sets, "updated_at = ?"].join(", ")} WHERE pk = ? RETURNING ${SESSION_COLUMNS}`,
        [...params, now, current.pk],
      );
      return toSession(row as SessionRow);
    });
  }

  /**
   * Deletes the session and everything that belongs to it — messages, their
   * search index rows, its snapshot (unless the lifecycle policy keeps
   * snapshots) — in one transaction. Forks of it stay
   * and lose their `parentId`.
   */
  async delete(id: string): Promise<void> {
    const sessionId = parse("sessions.delete", this.#ctx.schemas.id, id);
    await this.#ctx.db.write(async (tx) => {
      const session = await loadSession(tx, this.#ctx.scope, sessionId);
      await tx.run("DELETE FROM sessions WHERE pk = ?", [session.pk]);
      if (!this.#ctx.archived.keepSnapshots) {
        await tx.run("DELETE FROM snapshots WHERE tenant_id = ? AND session_id = ?", [
          session.tenant_id,
          sessionId,
        ]);
      }
    });
  }

  /**
   * A new session whose history is a copy of the first `atSeq` messages
   * (default: all), linked to its parent by `parentId`/`parentSeq`. Copies keep
   * their seq, content, times and metadata; they get new ids.
   */
  async fork(id: string, options: ForkOptions = {}): Promise<Session> {
    const { schemas } = this.#ctx;
    const sessionId = parse("sessions.fork", schemas.id, id);
    const opts = parse("sessions.fork", schemas.fork, options);
    const forkId = opts.id ?? this.#ctx.newId();
    const now = this.#ctx.clock();
    const fork = await this.#ctx.db.write(async (tx) => {
      const parent = await loadWritableSession(tx, this.#ctx, sessionId);
      const atSeq = opts.atSeq ?? Number(parent.last_seq);
      if (atSeq > Number(parent.last_seq)) {
        throw new ValidationError("sessions.fork", [
          { path: "atSeq", message: `must be at most the session's lastSeq (${parent.last_seq})` },
        ]);
      }
      const metadata: JsonObject = opts.metadata ?? (JSON.parse(parent.metadata) as JsonObject);
      let made: { pk: number } | undefined;
      try {
        made = await tx.get<{ pk: number }>(
          `INSERT INTO sessions (id, tenant_id, title, model, metadata, created_at, updated_at, last_activity_at, expires_at, parent_pk, parent_seq)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING pk`,
          [
            forkId,
            parent.tenant_id,
            opts.title !== undefined ? opts.title : parent.title,
            parent.model,
            JSON.stringify(metadata),
            now,
            now,
            now,
            parent.expires_at,
            parent.pk,
            atSeq,
          ],
        );
      } catch (error) {
        rethrowIdConflict(error, "session", forkId);
      }
      const forkPk = Number(made?.pk);
      if (atSeq > 0) {
        // seq is gap-free 1..lastSeq, so the new ids can be matched by position.
        const ids = Array.from({ length: atSeq }, () => this.#ctx.newId());
        // CROSS JOIN makes json_each the outer loop (SQLite never reorders it):
        // one pass over the ids, one index lookup per message. A plain JOIN let
        // the planner loop over the messages and re-scan json_each for each of
        // them, quadratic in the session's length.
        await tx.run(
          `INSERT INTO messages (session_pk, parts_chunks, ${MESSAGE_COPY_COLUMNS.join(", ")})
           SELECT ?, m.parts_chunks, ${MESSAGE_COPY_COLUMNS.map((c) => (c === "id" ? "j.value" : `m.${c}`)).join(", ")}
           FROM json_each(?) AS j CROSS JOIN messages AS m ON m.session_pk = ? AND m.seq = j.key + 1
           ORDER BY j.key`,
          [forkPk, JSON.stringify(ids), parent.pk],
        );
        // Parts kept in chunks: the chunks are copied in order (the last one indexes the tool calls).
        await tx.run(
          `INSERT INTO message_blobs (message_pk, chunk, data)
           SELECT n.pk, b.chunk, b.data
           FROM messages AS o CROSS JOIN messages AS n ON n.session_pk = ? AND n.seq = o.seq
             CROSS JOIN message_blobs AS b ON b.message_pk = o.pk
           WHERE o.session_pk = ? AND o.seq <= ? AND o.parts_chunks IS NOT NULL
           ORDER BY n.pk, b.chunk`,
          [forkPk, parent.pk, atSeq],
        );
      }
      const row = await tx.get<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE pk = ?`, [
        forkPk,
      ]);
      return toSession(row as SessionRow);
    });
    // The copies are queued for the search index like appended messages.
    this.#ctx.searchIndex.appended(fork.messageCount);
    return fork;
  }
}
