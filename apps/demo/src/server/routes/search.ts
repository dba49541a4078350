import { type SearchHit, type Session, SessionNotFoundError, type Store } from "@llm-sessions/core";
import { Hono } from "hono";
import { invalid } from "../errors.js";
import { cursorParam, enumParam, limitParam, textParam } from "../params.js";

const ROLES = ["system", "user", "assistant", "tool"] as const;

/** A hit with a little of its session, so a result can say where it was found. */
export interface SearchResult extends SearchHit {
  readonly session: Pick<Session, "id" | "title" | "model" | "status"> | null;
}

/**
 * GET /search?q=&limit=&cursor=&sessionId=&role=&model=
 *   { items: [{ message, rank, snippet, snippetParts, session }], nextCursor }
 * Newest first. `snippetParts` is the excerpt as `{ text, match }` parts.
 */
export function searchRoutes(store: Store): Hono {
  const api = new Hono();
  api.get("/", async (c) => {
    const q = textParam(c, "q");
    if (q === undefined || q.trim() === "") throw invalid("q", "must not be empty");
    const sessionId = textParam(c, "sessionId", 128);
    const role = enumParam(c, "role", ROLES);
    const model = textParam(c, "model");
    const page = await store.search(q, {
      limit: limitParam(c, 20),
      cursor: cursorParam(c),
      ...(sessionId !== undefined ? { sessionId } : {}),
      ...(role ? { role } : {}),
      ...(model !== undefined ? { model } : {}),
    });
    const ids = [...new Set(page.items.map((hit) => hit.message.sessionId))];
    const sessions = new Map(
      await Promise.all(ids.map(async (id) => [id, await sessionSummary(store, id)] as const)),
    );
    const items: SearchResult[] = page.items.map((hit) => ({
      ...hit,
      session: sessions.get(hit.message.sessionId) ?? null,
    }));
    return c.json({ items, nextCursor: page.nextCursor });
  });
  return api;
}

async function sessionSummary(store: Store, id: string): Promise<SearchResult["session"]> {
  try {
    const s = await store.sessions.get(id);
    return { id: s.id, title: s.title, model: s.model, status: s.status };
  } catch (error) {
    if (error instanceof SessionNotFoundError) return null; // purged since
    throw error;
  }
}
