import { constants } from "node:fs";
import { copyFile, open, rm, stat } from "node:fs/promises";

/** Suffix of the write-ahead log SQLite keeps beside a database in WAL mode. */
export const WAL_SUFFIX = "-wal";
/** Suffix of the shared-memory index SQLite keeps beside a WAL database. */
export const SHM_SUFFIX = "-shm";

/** Size of a file in bytes, or `undefined` when it does not exist. */
export async function fileSize(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * Copies a database as a crash would leave it: the main file and its WAL
 * (when there is one), never the `-shm` (SQLite rebuilds it). Fails when
 * `to` exists. Copy only while no write is in progress.
 */
export async function copyDatabase(from: string, to: string): Promise<void> {
  await copyFile(from, to, constants.COPYFILE_EXCL);
  if ((await fileSize(`${from}${WAL_SUFFIX}`)) !== undefined) {
    await copyFile(`${from}${WAL_SUFFIX}`, `${to}${WAL_SUFFIX}`, constants.COPYFILE_EXCL);
  }
}

/** Removes a database and its side files. */
export async function removeDatabase(path: string): Promise<void> {
  await Promise.all(
    ["", WAL_SUFFIX, SHM_SUFFIX, "-journal"].map((s) => rm(`${path}${s}`, { force: true })),
  );
}

/** Writes `bytes` at `offset` of an existing file and syncs it. */
export async function writeAt(path: string, offset: number, bytes: Uint8Array): Promise<void> {
  const file = await open(path, "r+");
  try {
    await file.write(bytes, 0, bytes.length, offset);
    await file.sync();
  } finally {
    await file.close();
  }
}
