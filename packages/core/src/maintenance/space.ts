import type { Queryable } from "../driver/index.js";
import { readDatabaseFigures } from "../metrics/database-figures.js";
import type { SpaceFigures } from "./reports.js";

/** The space figures a maintenance report shows, read on the connection the task holds. */
export async function readSpace(
  q: Pick<Queryable, "get">,
  file: string | undefined,
): Promise<SpaceFigures> {
  const f = await readDatabaseFigures(q, file);
  return {
    pages: f.pageCount,
    freePages: f.freelistCount,
    pageSize: f.pageSize,
    fileBytes: f.fileBytes,
    walBytes: f.walBytes,
  };
}
