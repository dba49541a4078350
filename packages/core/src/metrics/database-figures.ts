import type { Queryable } from "../driver/index.js";
import { fileSize } from "../maintenance/files.js";

/** The size and shape of the database file at one moment. */
export interface DatabaseFigures {
  /** Bytes per page (`PRAGMA page_size`). */
  readonly pageSize: number;
  /** Pages in the database, free ones included (`PRAGMA page_count`). */
  readonly pageCount: number;
  /** Pages on the free list: space `vacuum()` would give back (`PRAGMA freelist_count`). */
  readonly freelistCount: number;
  /** `freelistCount / pageCount` (0 for an empty database). */
  readonly freeRatio: number;
  /**
   * Bytes of the database file on disk; for `:memory:` or a server,
   * `pageCount × pageSize`.
   */
  readonly fileBytes: number;
  /**
   * Bytes of the `-wal` file on disk (0 when there is none); on a server,
   * the pool's last WAL measure × page size; `undefined` when unknown.
   */
  readonly walBytes: number | undefined;
}

interface PragmaRow {
  page_size: number | bigint;
  page_count: number | bigint;
  freelist_count: number | bigint;
}

/**
 * Reads the figures in one statement (one round trip on a server) plus, for
 * a local file, two `stat` calls.
 *
 * @param file the database file when it is local (see `locateDatabaseFile`).
 * @param walPages the pool's last WAL measure, used when there is no file to look at.
 */
export async function readDatabaseFigures(
  q: Pick<Queryable, "get">,
  file: string | undefined,
  walPages?: number,
): Promise<DatabaseFigures> {
  const row = await q.get<PragmaRow>(
    "SELECT * FROM pragma_page_size(), pragma_page_count(), pragma_freelist_count()",
  );
  const pageSize = Number(row?.page_size ?? 0);
  const pageCount = Number(row?.page_count ?? 0);
  const freelistCount = Number(row?.freelist_count ?? 0);
  let fileBytes = pageCount * pageSize;
  let walBytes = walPages !== undefined && walPages >= 0 ? walPages * pageSize : undefined;
  if (file !== undefined) {
    const [main, wal] = await Promise.all([fileSize(file), fileSize(`${file}-wal`)]);
    fileBytes = main ?? fileBytes;
    walBytes = wal ?? 0;
  }
  return {
    pageSize,
    pageCount,
    freelistCount,
    freeRatio: pageCount > 0 ? freelistCount / pageCount : 0,
    fileBytes,
    walBytes,
  };
}
