/**
 * The fields of a SQLite database header (the first 100 bytes of page 1)
 * that decide whether a file may be opened, read without SQLite so that
 * nothing is written before the decision. See
 * https://www.sqlite.org/fileformat2.html#the_database_header
 */
export interface SqliteHeader {
  /** Page size in bytes (the stored 1 means 65536). */
  readonly pageSize: number;
  /** Byte 18: 1 = rollback journal, 2 = WAL. */
  readonly writeVersion: number;
  /** Byte 19: 1 = rollback journal, 2 = WAL. */
  readonly readVersion: number;
  /** Offset 40: bumped by every schema change; 0 when no table was ever created. */
  readonly schemaCookie: number;
  /** Offset 60, signed: `PRAGMA user_version`, the store's schema version. */
  readonly userVersion: number;
  /** Offset 68, signed: `PRAGMA application_id`. */
  readonly applicationId: number;
}

/** The 16 bytes every SQLite 3 database starts with. */
export const SQLITE_MAGIC = Buffer.from("SQLite format 3\0", "latin1");

/** Bytes of the header. */
export const HEADER_BYTES = 100;

/**
 * The header's fields, or `undefined` when `bytes` does not start with a
 * SQLite 3 header (too short, or another magic).
 */
export function parseSqliteHeader(bytes: Uint8Array): SqliteHeader | undefined {
  if (bytes.length < HEADER_BYTES) return undefined;
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  if (!b.subarray(0, 16).equals(SQLITE_MAGIC)) return undefined;
  const raw = b.readUInt16BE(16);
  return {
    pageSize: raw === 1 ? 65536 : raw,
    writeVersion: b[18] ?? 0,
    readVersion: b[19] ?? 0,
    schemaCookie: b.readUInt32BE(40),
    userVersion: b.readInt32BE(60),
    applicationId: b.readInt32BE(68),
  };
}
