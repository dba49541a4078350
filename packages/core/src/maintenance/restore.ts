import { constants } from "node:fs";
import { copyFile, link, rename, rm, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import type { SqliteDriver } from "../driver/index.js";
import {
  ConflictError,
  DatabaseCorruptError,
  ExtensionSchemaTooNewError,
  SchemaTooNewError,
  ValidationError,
} from "../errors.js";
import { latestVersion } from "../extensions/define.js";
import { extensionVersion } from "../extensions/migrate.js";
import type { StoreExtension } from "../extensions/types.js";
import { checkIntegrity } from "../integrity/index.js";
import { Pool } from "../pool/index.js";
import { SCHEMA_VERSION } from "../schema/index.js";
import { filePath, parse } from "../sessions/validation.js";
import { BackupVerificationError } from "./errors.js";
import {
  exists,
  fileSize,
  fsyncDirectory,
  fsyncFile,
  isCode,
  removeWithSideFiles,
  SIDE_FILES,
  tempPathBeside,
} from "./files.js";
import { collectGarbage } from "./gc.js";
import { assertNotInUse } from "./in-use.js";

/** Options of `restoreBackup`. */
export interface RestoreOptions {
  /**
   * Makes a driver for a database file: the adapter the store runs on, e.g.
   * `(path) => betterSqlite({ filename: path })` or
   * `(path) => libsql({ url: \`file:${path}\` })`. The backup is checked
   * through it, and it probes whether the target is in use.
   */
  readonly createDriver: (path: string) => SqliteDriver | Promise<SqliteDriver>;
  /** Called as each step starts. */
  readonly onProgress?: (step: RestoreStep) => void;
  /**
   * Extensions whose tables the file holds (e.g. the LangGraph
   * checkpointer's): the backup must not have a newer version of their
   * tables than these know, and their checks join the verification.
   * SQLite's own check and the foreign-key check cover their tables either way.
   */
  readonly extensions?: readonly StoreExtension[];
}

/** The steps of a restore, in order. */
export type RestoreStep = "copy" | "verify" | "probe" | "replace";

/** What `restoreBackup` did. */
export interface RestoreResult {
  /** The restored database (absolute path). */
  readonly path: string;
  /** The backup it came from (absolute path). */
  readonly from: string;
  /** Where the replaced database was kept, or `null` when there was none. */
  readonly preRestorePath: string | null;
  /** Whether the replaced file could be opened as a database (false: damaged or not a database). */
  readonly replacedReadable: boolean | null;
  /** Size of the restored database file, in bytes. */
  readonly bytes: number;
  /** The restored database's schema version (`user_version`). */
  readonly schemaVersion: number;
  /** Sessions in the restored database. */
  readonly sessions: number;
  /** Messages in the restored database. */
  readonly messages: number;
  /** Time the copy, verification and replacement took, in milliseconds. */
  readonly durationMs: number;
}

const optionsSchema = z.strictObject({
  createDriver: z.custom<RestoreOptions["createDriver"]>(
    (f) => typeof f === "function",
    "must be a function (path) => driver, e.g. (path) => betterSqlite({ filename: path })",
  ),
  onProgress: z
    .custom<RestoreOptions["onProgress"]>((f) => typeof f === "function", "must be a function")
    .optional(),
  extensions: z
    .array(
      z.custom<StoreExtension>(
        (e) =>
          typeof e === "object" && e !== null && Array.isArray((e as StoreExtension).migrations),
        "must be a StoreExtension",
      ),
    )
    .optional(),
});

/**
 * Puts a backup in place of a database, safely:
 *
 * 1. **copy**: the backup (and a `-wal` beside it, if any) is copied to a
 *    hidden temporary file in the target's directory; the backup itself is
 *    never opened or changed;
 * 2. **verify**: the copy is opened through `createDriver` and must pass the
 *    store's full integrity check (`integrity_check`, foreign keys, counters,
 *    seq, search index, snapshot checksums) at a schema version this library
 *    knows (1..`SCHEMA_VERSION`); closing it folds its WAL in, and it is
 *    fsynced;
 * 3. **probe**: the target must not be in use — not by a store in this
 *    process, nor by any connection in another process (see `assertNotInUse`);
 * 4. **replace**: the target is kept as `<target>.pre-restore` (a hard link,
 *    so the target name never disappears), its stale `-wal`/`-journal` go with
 *    it and its `-shm` is removed, then the copy is renamed over the target
 *    (atomic) and the directory fsynced.
 *
 * Nothing is changed unless every check passed. Stop every process that uses
 * the database first: the probe refuses, it cannot wait for them.
 *
 * @throws ValidationError for a missing backup, bad options, or the same file twice.
 * @throws ConflictError when `<target>.pre-restore` exists already (move it away first).
 * @throws BackupVerificationError when the backup fails its check.
 * @throws SchemaTooNewError when the backup was made by a newer version.
 * @throws DatabaseInUseError when the target is open.
 */
export async function restoreBackup(
  from: string,
  to: string,
  options: RestoreOptions,
): Promise<RestoreResult> {
  const where = "restoreBackup";
  const source = resolve(parse(where, filePath(), from));
  const target = resolve(parse(where, filePath(), to));
  const opts = parse(where, optionsSchema, options);
  const step = opts.onProgress ?? (() => {});
  const started = performance.now();
  await checkPaths(where, source, target);
  const preRestore = `${target}.pre-restore`;
  const targetExists = await exists(target);
  if (targetExists && (await exists(preRestore))) {
    throw new ConflictError(
      `${preRestore} already exists (kept by an earlier restore): move it away first, nothing was changed`,
    );
  }

  const temp = tempPathBeside(target, "restore");
  try {
    step("copy");
    await copyFile(source, temp, constants.COPYFILE_EXCL);
    if (((await fileSize(`${source}-wal`)) ?? 0) > 0) {
      // Commits still in the backup's WAL belong to it; SQLite folds them in when it opens the copy.
      await copyFile(`${source}-wal`, `${temp}-wal`, constants.COPYFILE_EXCL);
    }

    step("verify");
    const verified = await verify(temp, source, opts.createDriver, opts.extensions ?? []).catch(
      (error: unknown) => {
        if (error instanceof DatabaseCorruptError) {
          throw new BackupVerificationError(source, [error.detail], { cause: error });
        }
        throw error;
      },
    );
    // SQLite removes the WAL when the last connection closes; if it is still there, a
    // driver has not really closed (see collectGarbage): let it, so it folds its WAL in.
    if (await exists(`${temp}-wal`)) collectGarbage();
    await rm(`${temp}-shm`, { force: true });
    if (((await fileSize(`${temp}-wal`)) ?? 0) > 0) {
      throw new BackupVerificationError(source, [
        "the checked copy kept a non-empty WAL after closing; refusing to put it in place",
      ]);
    }
    await rm(`${temp}-wal`, { force: true });
    await fsyncFile(temp);

    step("probe");
    const probe = await assertNotInUse(target, opts.createDriver);

    step("replace");
    if (targetExists) await keepReplaced(target, preRestore);
    await rename(temp, target);
    await fsyncDirectory(dirname(target));
    return {
      path: target,
      from: source,
      preRestorePath: targetExists ? preRestore : null,
      replacedReadable: probe === "absent" ? null : probe === "idle",
      bytes: (await fileSize(target)) ?? 0,
      ...verified,
      durationMs: performance.now() - started,
    };
  } finally {
    await removeWithSideFiles(temp);
  }
}

async function checkPaths(where: string, source: string, target: string): Promise<void> {
  const info = await stat(source).catch((error: unknown) => {
    if (isCode(error, "ENOENT")) return undefined;
    throw error;
  });
  if (!info?.isFile()) {
    throw new ValidationError(where, [
      { path: "from", message: info ? `${source} is not a file` : `${source} does not exist` },
    ]);
  }
  if (source === target) {
    throw new ValidationError(where, [{ path: "to", message: "is the backup itself" }]);
  }
  const dir = dirname(target);
  if (
    !(await stat(dir).then(
      (s) => s.isDirectory(),
      () => false,
    ))
  ) {
    throw new ValidationError(where, [
      { path: "to", message: `the directory ${dir} does not exist` },
    ]);
  }
}

/** Opens the copy of `backup` at `path` as a store would and runs the full check; closes it (folding its WAL in). */
async function verify(
  path: string,
  backup: string,
  createDriver: RestoreOptions["createDriver"],
  extensions: readonly StoreExtension[],
): Promise<{ schemaVersion: number; sessions: number; messages: number }> {
  const pool = await Pool.open(await createDriver(path), { readers: 0, checkpoint: false });
  try {
    const version = Number(
      (await pool.read((q) => q.get<{ user_version: number }>("PRAGMA user_version")))
        ?.user_version ?? 0,
    );
    if (version > SCHEMA_VERSION) throw new SchemaTooNewError(version, SCHEMA_VERSION);
    if (version < 1) {
      throw new BackupVerificationError(backup, [
        "schema version 0: not a backup of an llm-sessions store (an older v0 database is copied into place by hand, then brought forward with `llm-sessions migrate`)",
      ]);
    }
    for (const extension of extensions) {
      const found = await pool.read((q) => extensionVersion(q, extension.name));
      const known = latestVersion(extension);
      if (found > known) throw new ExtensionSchemaTooNewError(extension.name, found, known);
    }
    const report = await checkIntegrity(pool, { full: true }, extensions);
    if (!report.ok) {
      throw new BackupVerificationError(
        backup,
        report.findings.map((f) => `${f.check}: ${f.message} (${f.count})`),
      );
    }
    const counts = await pool.read((q) =>
      q.get<{ s: number; m: number }>(
        "SELECT (SELECT count(*) FROM sessions) AS s, (SELECT count(*) FROM messages) AS m",
      ),
    );
    return {
      schemaVersion: version,
      sessions: Number(counts?.s ?? 0),
      messages: Number(counts?.m ?? 0),
    };
  } finally {
    await pool.close();
  }
}

/**
 * Keeps the database being replaced as `<target>.pre-restore`: a hard link
 * (the target name stays in place until the rename), a copy where links are
 * not supported. Its side files go with it (`-wal`, `-journal`: they hold
 * its last commits) or away (`-shm`: rebuilt on open), so that none of them
 * is ever applied to the restored file.
 */
async function keepReplaced(target: string, preRestore: string): Promise<void> {
  try {
    await link(target, preRestore);
  } catch (error) {
    if (!isCode(error, "EPERM", "ENOTSUP", "EOPNOTSUPP", "EXDEV", "ENOSYS")) throw error;
    await copyFile(target, preRestore, constants.COPYFILE_EXCL);
  }
  for (const suffix of SIDE_FILES) {
    const side = `${target}${suffix}`;
    if (!(await exists(side))) continue;
    if (suffix === "-shm") await rm(side, { force: true });
    else await rename(side, `${preRestore}${suffix}`);
  }
}
