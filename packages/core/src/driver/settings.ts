import type { AdapterTuning, ConnectionSettings } from "./adapter.js";
import { SqliteError } from "./errors.js";
import { MAX_BUSY_TIMEOUT_MS } from "./limits.js";
import type { ConnectOptions, DriverCapabilities } from "./types.js";

/** Default of `ConnectOptions.busyTimeoutMs`. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;
/** Default of `AdapterTuning.statementCacheSize`. */
export const DEFAULT_STATEMENT_CACHE_SIZE = 200;
/** Default of `AdapterTuning.journalSizeLimitBytes`: 64 MiB. */
export const DEFAULT_JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024;

/** The adapter's tuning with core's defaults filled in. */
export interface ResolvedTuning {
  readonly readonly: boolean;
  readonly statementCacheSize: number;
  readonly journalSizeLimitBytes: number;
}

/** Checks an adapter's tuning once, when its driver is made; a bad value is `MISUSE`. */
export function resolveTuning(name: string, tuning: AdapterTuning = {}): ResolvedTuning {
  const statementCacheSize = tuning.statementCacheSize ?? DEFAULT_STATEMENT_CACHE_SIZE;
  if (!Number.isSafeInteger(statementCacheSize) || statementCacheSize < 1) {
    throw misuse(name, "statementCacheSize must be an integer >= 1");
  }
  const journalSizeLimitBytes = tuning.journalSizeLimitBytes ?? DEFAULT_JOURNAL_SIZE_LIMIT;
  // -1 is SQLite's "no limit"; the value is written into a pragma, so it must be an integer.
  if (!Number.isSafeInteger(journalSizeLimitBytes) || journalSizeLimitBytes < -1) {
    throw misuse(name, "journalSizeLimitBytes must be an integer >= -1");
  }
  if (tuning.readonly !== undefined && typeof tuning.readonly !== "boolean") {
    throw misuse(name, "readonly must be a boolean");
  }
  return { readonly: tuning.readonly === true, statementCacheSize, journalSizeLimitBytes };
}

/**
 * Checks the options the pool passes to `connect` and builds what the
 * adapter's `open` gets, the pragma list included. Every number is checked
 * to be an integer before it is written into a pragma.
 */
export function connectionSettings(
  name: string,
  capabilities: DriverCapabilities,
  tuning: ResolvedTuning,
  options: ConnectOptions = {},
): ConnectionSettings {
  if (typeof options !== "object" || options === null) {
    throw misuse(name, "connect options must be an object");
  }
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  if (
    !Number.isInteger(busyTimeoutMs) ||
    busyTimeoutMs < 0 ||
    busyTimeoutMs > MAX_BUSY_TIMEOUT_MS
  ) {
    throw misuse(name, `busyTimeoutMs must be an integer from 0 to ${MAX_BUSY_TIMEOUT_MS}`);
  }
  const durability = options.durability ?? "normal";
  if (durability !== "normal" && durability !== "full") {
    throw misuse(name, `durability must be "normal" or "full", got ${String(durability)}`);
  }
  const { cacheSizeKiB, mmapSizeBytes } = options;
  if (cacheSizeKiB !== undefined && (!Number.isSafeInteger(cacheSizeKiB) || cacheSizeKiB < 1)) {
    throw misuse(name, "cacheSizeKiB must be a positive integer");
  }
  if (mmapSizeBytes !== undefined && (!Number.isSafeInteger(mmapSizeBytes) || mmapSizeBytes < 0)) {
    throw misuse(name, "mmapSizeBytes must be a non-negative integer");
  }
  const readonly = tuning.readonly || options.readonly === true;
  // A server owns its pragmas (it accepts them only as reads): the options are checked all the same, so that mistakes surface.
  const pragmas = capabilities.remote
    ? []
    : connectionPragmas({
        file: capabilities.file,
        readonly,
        busyTimeoutMs,
        durability,
        journalSizeLimitBytes: tuning.journalSizeLimitBytes,
        cacheSizeKiB,
        mmapSizeBytes,
      });
  return { readonly, busyTimeoutMs, pragmas };
}

/** What one local connection's pragmas depend on, every number already checked. */
interface PragmaInputs {
  readonly file: boolean;
  readonly readonly: boolean;
  readonly busyTimeoutMs: number;
  readonly durability: "normal" | "full";
  readonly journalSizeLimitBytes: number;
  readonly cacheSizeKiB: number | undefined;
  readonly mmapSizeBytes: number | undefined;
}

/**
 * The pragmas every local connection gets. Per-connection pragmas (all but
 * `journal_mode`) are lost when a connection closes, so they are applied to
 * every connection, never once per file.
 */
function connectionPragmas(p: PragmaInputs): string[] {
  const pragmas = [
    // First, so that switching to WAL below waits for another process's lock instead of failing.
    `PRAGMA busy_timeout = ${p.busyTimeoutMs}`,
    "PRAGMA foreign_keys = ON",
  ];
  if (p.cacheSizeKiB !== undefined) pragmas.push(`PRAGMA cache_size = -${p.cacheSizeKiB}`);
  if (p.file) {
    // Reads the header: a file that is not a database (or has another key) fails here, at connect.
    pragmas.push("PRAGMA schema_version");
    if (p.mmapSizeBytes !== undefined) pragmas.push(`PRAGMA mmap_size = ${p.mmapSizeBytes}`);
    // Persistent in the file; a read-only connection cannot switch and reads what the writer set.
    if (!p.readonly) pragmas.push("PRAGMA journal_mode = WAL");
    // Explicit and after journal_mode: builds differ in their default (libSQL is FULL in every
    // mode), and a connection that switched a file to WAL may keep reporting FULL.
    pragmas.push(`PRAGMA synchronous = ${p.durability === "full" ? "FULL" : "NORMAL"}`);
    // Truncate the WAL after checkpoints so one burst does not leave a huge file behind.
    pragmas.push(`PRAGMA journal_size_limit = ${p.journalSizeLimitBytes}`);
  }
  // Last, and also on a file opened read-only: a private in-memory database cannot be opened
  // read-only, and a driver may have no read-only open at all.
  if (p.readonly) pragmas.push("PRAGMA query_only = ON");
  return pragmas;
}

function misuse(name: string, message: string): SqliteError {
  return new SqliteError("MISUSE", `${name}: ${message}`);
}
