import {
  DatabaseCorruptError,
  openStore,
  type SqliteDriver,
  SqliteError,
} from "@llm-sessions/core";
import { describe } from "../invariants/index.js";

/** How the store reacted to a damaged file. */
export interface Detection {
  /** The store refused or reported the damage. */
  readonly detected: boolean;
  /** Where: `open` (verify on open), `check` (integrity check), or `none`. */
  readonly by: "open" | "check" | "none";
  /** The error or finding, in one line. */
  readonly detail: string;
  /** The damage surfaced as an error that does not say "corrupt" (a violation of its own). */
  readonly unclear: boolean;
}

/** True for the errors that name damage: `DatabaseCorruptError`, SQLite's CORRUPT and NOTADB. */
export function isCorruption(error: unknown): boolean {
  return (
    error instanceof DatabaseCorruptError ||
    (error instanceof SqliteError && (error.code === "CORRUPT" || error.code === "NOTADB"))
  );
}

/**
 * Opens a damaged database the way a user would (default options: the store
 * verifies a file on open) and, if that succeeds, runs the full integrity
 * check. Damage must show at one of the two.
 */
export async function detect(driver: SqliteDriver): Promise<Detection> {
  let store: Awaited<ReturnType<typeof openStore>>;
  try {
    store = await openStore({ driver });
  } catch (error) {
    return { detected: true, by: "open", detail: describe(error), unclear: !isCorruption(error) };
  }
  try {
    const report = await store.integrity.check({ full: true });
    if (report.ok) {
      return {
        detected: false,
        by: "none",
        detail: "opened, and the full check was clean",
        unclear: false,
      };
    }
    const first = report.findings[0];
    return {
      detected: true,
      by: "check",
      detail: first
        ? `${first.check}: ${first.message}: ${first.sample.slice(0, 2).join("; ")}`
        : "",
      unclear: false,
    };
  } catch (error) {
    return { detected: true, by: "check", detail: describe(error), unclear: !isCorruption(error) };
  } finally {
    await store.close().catch(() => {});
  }
}
