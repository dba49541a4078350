import type { Store } from "@llm-sessions/core";
import { Hono } from "hono";
import type { Simulation } from "../../simulation.js";
import { invalid } from "../errors.js";
import { cursorParam, enumParam, intParam, jsonBody, limitParam, textParam } from "../params.js";

const STATUSES = ["active", "idle", "archived"] as const;

/**
 * Sessions and their messages:
 *
 *   GET  /sessions?status=&model=&limit=&cursor=   { items, nextCursor }, most recent activity first
 *   POST /sessions                                  { title?, model? } → 201 the new session
 *   GET  /sessions/:id                              the session with its counters
 *   GET  /sessions/:id/messages?afterSeq=&limit=&cursor=   { items, nextCursor }, oldest first
 *   POST /sessions/:id/messages                     { content } → 201 [question, answer]
 *   POST /sessions/:id/archive                      → the archived session
 *   POST /sessions/:id/restore                      → the restored (and touched) session
 *   POST /sessions/:id/fork                         { atSeq? } → 201 the new session
 */
export function sessionRoutes(store: Store, sim: Simulation): Hono {
  const api = new Hono();

  api.get("/", async (c) => {
    const status = enumParam(c, "status", STATUSES);
    const model = textParam(c, "model");
    const page = await store.sessions.list({
      limit: limitParam(c, 20),
      cursor: cursorParam(c),
      ...(status ? { status } : {}),
      ...(model !== undefined ? { model } : {}),
    });
    return c.json(page);
  });

  api.post("/", async (c) => {
    const body = await jsonBody(c);
    const title = optionalText(body, "title");
    const model = optionalText(body, "model");
    const session = await store.sessions.create({
      title: title ?? "a conversation from the page",
      model: model ?? null,
      metadata: { via: "web" },
    });
    return c.json(session, 201);
  });

  api.get("/:id", async (c) => c.json(await store.sessions.get(c.req.param("id"))));

  api.get("/:id/messages", async (c) => {
    const afterSeq = intParam(c, "afterSeq");
    const page = await store.messages.list(c.req.param("id"), {
      limit: limitParam(c, 50),
      cursor: cursorParam(c),
      ...(afterSeq !== undefined ? { afterSeq } : {}),
    });
    return c.json(page);
  });

  api.post("/:id/messages", async (c) => {
    const body = await jsonBody(c);
    const content = body.content;
    if (typeof content !== "string" || content.trim() === "") {
      throw invalid("content", "must be a non-empty string");
    }
    if (content.length > 10_000) throw invalid("content", "must be at most 10000 characters");
    return c.json(await sim.chat(c.req.param("id"), content), 201);
  });

  api.post("/:id/archive", async (c) => {
    await jsonBody(c);
    return c.json(await sim.archive(c.req.param("id")));
  });

  api.post("/:id/restore", async (c) => {
    await jsonBody(c);
    return c.json(await sim.restore(c.req.param("id")));
  });

  api.post("/:id/fork", async (c) => {
    const body = await jsonBody(c);
    const atSeq = body.atSeq;
    if (
      atSeq !== undefined &&
      (typeof atSeq !== "number" || !Number.isInteger(atSeq) || atSeq < 0)
    ) {
      throw invalid("atSeq", "must be a non-negative integer");
    }
    return c.json(await sim.fork(c.req.param("id"), atSeq), 201);
  });

  return api;
}

function optionalText(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value.length > 200) {
    throw invalid(key, "must be a string of at most 200 characters");
  }
  return value;
}
