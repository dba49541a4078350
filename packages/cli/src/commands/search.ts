import { type MessageRole, SEARCH_BOUNDS } from "@llm-sessions/core";
import { EXIT, usageError } from "../errors.js";
import { json, table } from "../format.js";
import { DEFAULT_SEARCH_LIMIT, wholeNumberOption } from "../numbers.js";
import { existingDatabase, withStore } from "../target.js";
import type { CommandContext } from "./context.js";

export interface SearchCommandOptions {
  readonly json?: boolean;
  /** A number when defaulted, the text typed otherwise. */
  readonly limit?: string | number;
  readonly session?: string;
  readonly role?: string;
}

const ROLES = ["system", "user", "assistant", "tool"];

/** `search <db> <text>`: full-text search, newest first, with snippets. */
export async function searchCommand(
  db: string,
  text: string,
  opts: SearchCommandOptions,
  ctx: CommandContext,
): Promise<number> {
  const { io, globals } = ctx;
  const limit =
    typeof opts.limit === "number"
      ? opts.limit
      : opts.limit === undefined
        ? DEFAULT_SEARCH_LIMIT
        : wholeNumberOption(opts.limit, "--limit", 1, SEARCH_BOUNDS.maxPageSize);
  if (opts.role !== undefined && !ROLES.includes(opts.role)) {
    throw usageError(`--role must be one of ${ROLES.join(", ")} (got "${opts.role}")`);
  }
  const path = existingDatabase(db, globals.driver);
  const page = await withStore(path, globals, (store) =>
    store.search(text, {
      limit,
      ...(opts.session ? { sessionId: opts.session } : {}),
      ...(opts.role ? { role: opts.role as MessageRole } : {}),
    }),
  );
  if (opts.json) {
    io.out(json(page));
    return EXIT.ok;
  }
  if (page.items.length === 0) {
    io.out(`no messages match ${JSON.stringify(text)}\n`);
    return EXIT.ok;
  }
  const width = Math.max(40, (io.columns ?? 120) - 70);
  io.out(
    table(
      ["#", "session", "seq", "role", "snippet"],
      page.items.map((hit, i) => [
        String(i + 1),
        hit.message.sessionId,
        String(hit.message.seq),
        hit.message.role,
        hit.snippet,
      ]),
      width,
    ),
  );
  if (page.nextCursor) io.out(`(more results: raise --limit)\n`);
  return EXIT.ok;
}
