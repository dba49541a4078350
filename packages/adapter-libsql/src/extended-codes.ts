/**
 * SQLite's extended result codes by primary code, indexed by `rawCode >> 8`
 * (sqlite3.h, 3.45). libSQL's native layer names only the codes its Rust
 * bindings know and reports the others as `UNKNOWN_SQLITE_ERROR_<n>` (a STRICT
 * type error, 3091, arrives so), so the adapter names them itself.
 */
const EXTENDED: Readonly<Record<string, readonly (string | undefined)[]>> = {
  ERROR: [undefined, "MISSING_COLLSEQ", "RETRY", "SNAPSHOT"],
  ABORT: [undefined, undefined, "ROLLBACK"],
  BUSY: [undefined, "RECOVERY", "SNAPSHOT", "TIMEOUT"],
  LOCKED: [undefined, "SHAREDCACHE", "VTAB"],
  READONLY: [undefined, "RECOVERY", "CANTLOCK", "ROLLBACK", "DBMOVED", "CANTINIT", "DIRECTORY"],
  IOERR: [
    undefined,
    "READ",
    "SHORT_READ",
    "WRITE",
    "FSYNC",
    "DIR_FSYNC",
    "TRUNCATE",
    "FSTAT",
    "UNLOCK",
    "RDLOCK",
    "DELETE",
    "BLOCKED",
    "NOMEM",
    "ACCESS",
    "CHECKRESERVEDLOCK",
    "LOCK",
    "CLOSE",
    "DIR_CLOSE",
    "SHMOPEN",
    "SHMSIZE",
    "SHMLOCK",
    "SHMMAP",
    "SEEK",
    "DELETE_NOENT",
    "MMAP",
    "GETTEMPPATH",
    "CONVPATH",
    "VNODE",
    "AUTH",
    "BEGIN_ATOMIC",
    "COMMIT_ATOMIC",
    "ROLLBACK_ATOMIC",
    "DATA",
    "CORRUPTFS",
    "IN_PAGE",
  ],
  CORRUPT: [undefined, "VTAB", "SEQUENCE", "INDEX"],
  CANTOPEN: [undefined, "NOTEMPDIR", "ISDIR", "FULLPATH", "CONVPATH", "DIRTYWAL", "SYMLINK"],
  CONSTRAINT: [
    undefined,
    "CHECK",
    "COMMITHOOK",
    "FOREIGNKEY",
    "FUNCTION",
    "NOTNULL",
    "PRIMARYKEY",
    "TRIGGER",
    "UNIQUE",
    "VTAB",
    "ROWID",
    "PINNED",
    "DATATYPE",
  ],
  AUTH: [undefined, "USER"],
};

/**
 * The extended code's name (`SQLITE_CONSTRAINT_DATATYPE`) for a raw numeric
 * code whose primary code is `primary`; the primary name when the number has
 * no extended part or an unknown one.
 */
export function extendedName(primary: string, rawCode: number): string {
  const suffix = EXTENDED[primary]?.[rawCode >> 8];
  return suffix === undefined ? `SQLITE_${primary}` : `SQLITE_${primary}_${suffix}`;
}
