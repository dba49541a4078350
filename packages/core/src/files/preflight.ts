import {
  closeSync,
  constants,
  copyFileSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
} from "node:fs";
import { DatabaseCorruptError } from "../errors.js";
import { isOpenInThisProcess } from "../maintenance/open-files.js";
import { HEADER_BYTES, parseSqliteHeader, type SqliteHeader } from "./sqlite-header.js";
import { analyzeWal, recoveredPage } from "./wal.js";

/** How `inspectDatabaseFile` treats what it may find. */
export interface InspectOptions {
  /** An existing zero-byte file may become a new store. Default false: refused. */
  readonly initializeEmptyFile: boolean;
  /** Open although the WAL holds commits recovery will drop. Default false: refused. */
  readonly acceptWalLoss: boolean;
  /** Names the copy of a damaged WAL. */
  readonly clock: () => number;
}

/** What the file looked like before any connection touched it. */
export interface FileInspection {
  /** The file exists (SQLite creates it otherwise). */
  readonly exists: boolean;
  /**
   * The header SQLite will read: the newest page 1 the WAL keeps, else the
   * file's. Undefined for a missing, empty or too short file, or one whose
   * first bytes are not a SQLite header (SQLite then refuses it itself).
   */
  readonly header: SqliteHeader | undefined;
  /** Where a damaged WAL was copied, when it was. */
  readonly walCopy: string | undefined;
}

/**
 * Looks at a database file and its WAL with plain reads, before any
 * connection opens them: a connection applies pragmas (WAL mode) and runs
 * WAL recovery, and the first checkpoint after recovery erases what it
 * dropped. Refuses an existing empty file unless asked to initialise it,
 * and a WAL whose recovery would drop committed transactions unless the
 * caller accepts the loss (the WAL is copied aside either way).
 *
 * A WAL of a file this process already has open is live, not evidence:
 * it is not analysed; nor is one that changes between two reads (another
 * process is writing it).
 *
 * @throws DatabaseCorruptError for an empty file or a WAL that would lose commits.
 */
export function inspectDatabaseFile(
  path: string,
  target: string,
  options: InspectOptions,
): FileInspection {
  const size = sizeOf(path);
  if (size === undefined) return { exists: false, header: undefined, walCopy: undefined };
  if (size === 0 && !options.initializeEmptyFile) {
    throw new DatabaseCorruptError(
      target,
      "opening",
      "the file exists but is empty (0 bytes), so it holds no store: it is what a crash, a failed copy or a full disk leaves behind. Nothing was changed. Restore the file from a backup, or pass `initializeEmptyFile: true` to start a new store in it",
    );
  }
  const fd = openSync(path, "r");
  try {
    const first = Buffer.alloc(HEADER_BYTES);
    const got = readSync(fd, first, 0, HEADER_BYTES, 0);
    const fileHeader = parseSqliteHeader(first.subarray(0, got));
    if (isOpenInThisProcess(path)) return { exists: true, header: fileHeader, walCopy: undefined };
    const walPath = `${path}-wal`;
    const walSize = sizeOf(walPath) ?? 0;
    if (walSize < 32 + 24 + 512) return { exists: true, header: fileHeader, walCopy: undefined };
    const wal = readFileSync(walPath);
    const pageSize = fileHeader?.pageSize;
    const dbPage = (pgno: number): Uint8Array | undefined => {
      if (!pageSize) return undefined;
      const page = Buffer.alloc(pageSize);
      const n = readSync(fd, page, 0, pageSize, (pgno - 1) * pageSize);
      return n === pageSize ? page : undefined;
    };
    const analysis = analyzeWal(wal, { ...(pageSize ? { pageSize } : {}), dbPage });
    const page1 = recoveredPage(wal, analysis, 1);
    const header = (page1 && parseSqliteHeader(page1)) ?? fileHeader;
    if (analysis.lostCommits === 0) return { exists: true, header, walCopy: undefined };
    // Another process writing (or restarting) the WAL while it was read can
    // look like damage; damage at rest reads the same twice. A live WAL has
    // a valid index in that process, and recovery does not run here.
    if (!readFileSync(walPath).equals(wal)) return { exists: true, header, walCopy: undefined };
    const walCopy = keepAside(walPath, `${path}-wal.damaged-${options.clock()}`);
    if (options.acceptWalLoss) return { exists: true, header, walCopy };
    const where = analysis.headerValid
      ? `its checksums break at frame ${analysis.chainEnd}`
      : "its header is damaged";
    throw new DatabaseCorruptError(
      target,
      "checking the WAL before opening",
      `the WAL holds ${analysis.lostCommits} committed transaction(s) that SQLite's recovery would drop (${where}). Nothing was changed; the WAL was copied to ${walCopy}. See "Damaged WAL" in docs/operations.md, or pass \`acceptWalLoss: true\` to open without them`,
    );
  } finally {
    closeSync(fd);
  }
}

function sizeOf(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Copies `from` to `to`, or to `to-2`, `to-3`, ... when taken: an earlier copy is never overwritten. */
function keepAside(from: string, to: string): string {
  for (let n = 1; ; n++) {
    const name = n === 1 ? to : `${to}-${n}`;
    try {
      copyFileSync(from, name, constants.COPYFILE_EXCL);
      return name;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
}
