import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { link, open, rename, rm, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** The files SQLite may keep beside a database. */
export const SIDE_FILES = ["-wal", "-shm", "-journal"] as const;

/** A fresh, hidden name in the same directory as `path` (so a rename is atomic). */
export function tempPathBeside(path: string, tag: string): string {
  const suffix = `${process.pid}-${randomBytes(4).toString("hex")}`;
  return join(dirname(path), `.${basename(path)}.${tag}-${suffix}.tmp`);
}

/** The size of a file in bytes, or `undefined` when it does not exist. */
export async function fileSize(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if (isCode(error, "ENOENT")) return undefined;
    throw error;
  }
}

/** Whether `path` exists (any kind of entry). */
export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (isCode(error, "ENOENT")) return false;
    throw error;
  }
}

/** Flushes a file's data to the disk, so a rename never publishes bytes still in the page cache. */
export async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Flushes a directory, so a rename or link in it survives a power loss.
 * Some platforms cannot open or sync a directory (Windows): that is not an
 * error there.
 */
export async function fsyncDirectory(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, constants.O_RDONLY);
    await handle.sync();
  } catch (error) {
    if (!isCode(error, "EISDIR", "EPERM", "EINVAL", "EBADF", "EACCES")) throw error;
  } finally {
    await handle?.close();
  }
}

/**
 * Puts `from` at `to` only if `to` does not exist (a hard link, then the
 * temporary name is removed), so a file someone created meanwhile is never
 * clobbered. Falls back to a rename where hard links are not supported.
 *
 * @returns false when `to` already exists (nothing moved).
 */
export async function publishNoClobber(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
  } catch (error) {
    if (isCode(error, "EEXIST")) return false;
    if (!isCode(error, "EPERM", "ENOTSUP", "EOPNOTSUPP", "EXDEV", "ENOSYS")) throw error;
    if (await exists(to)) return false;
    await rename(from, to);
    return true;
  }
  await unlink(from);
  return true;
}

/** Removes a file and the side files SQLite may have left beside it; missing ones are fine. */
export async function removeWithSideFiles(path: string): Promise<void> {
  await Promise.all(["", ...SIDE_FILES].map((suffix) => rm(`${path}${suffix}`, { force: true })));
}

/** Whether `error` is a Node.js system error with one of these codes. */
export function isCode(error: unknown, ...codes: string[]): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && codes.includes(code);
}
