import { DatabaseCorruptError } from "../errors.js";
import type { Pool } from "../pool/index.js";

/**
 * What `openStore` checks before it touches the schema: `quick` runs
 * `PRAGMA quick_check` (every page's structure, not index contents; time
 * grows with the file: 1.6-1.9 s for 384 MB / 1M messages, warm cache),
 * `full` runs `integrity_check` (also every index against its table: 2.2-3.7
 * s there), `false` nothing.
 */
export type VerifyOnOpen = "quick" | "full" | false;

/**
 * Runs the check on the writer, before migrations, so a damaged file is
 * refused before anything is written to it.
 *
 * @throws DatabaseCorruptError naming the database and SQLite's first findings.
 */
export async function verifyOnOpen(pool: Pool, mode: "quick" | "full"): Promise<void> {
  const pragma = mode === "full" ? "integrity_check" : "quick_check";
  const during = `verifying on open (${pragma})`;
  const target = pool.driver.target;
  let lines: string[];
  try {
    const rows = await pool.withWriter((conn) =>
      conn.all<Record<string, string>>(`PRAGMA ${pragma}`),
    );
    lines = rows.map((r) => String(Object.values(r)[0] ?? ""));
  } catch (error) {
    // The pool already turned CORRUPT/NOTADB into DatabaseCorruptError; say when it happened.
    if (error instanceof DatabaseCorruptError) {
      throw new DatabaseCorruptError(target, during, error.detail, { cause: error });
    }
    throw error;
  }
  if (lines.length === 1 && lines[0] === "ok") return;
  const shown = lines.slice(0, 5).join("; ");
  const more = lines.length > 5 ? ` (and ${lines.length - 5} more)` : "";
  throw new DatabaseCorruptError(target, during, `${shown}${more}`);
}
