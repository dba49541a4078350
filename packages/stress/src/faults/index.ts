/**
 * Damage helpers: what disks, crashes and bad copies do to a database file
 * and its WAL. Each works on a closed copy; none knows about the store.
 */
export {
  appendGarbage,
  damageHeader,
  type Fill,
  freelistPages,
  HEADER_BYTES,
  overwritePage,
  pageCount,
  pagesInUse,
  readPageSize,
  tearWal,
  truncateFile,
} from "./damage.js";
export {
  copyDatabase,
  fileSize,
  removeDatabase,
  SHM_SUFFIX,
  WAL_SUFFIX,
  writeAt,
} from "./files.js";
