import type { Context } from "hono";
import { readBodyText } from "./body.js";
import { HttpError, invalid } from "./errors.js";

/**
 * Query parameters and bodies are checked here, at the edge, before the store
 * sees them: a wrong one is a 400 that names it.
 */

/** The largest page the API serves. */
export const MAX_LIMIT = 100;

/** `?limit=`: an integer 1..MAX_LIMIT, or `fallback` when absent. */
export function limitParam(c: Context, fallback: number): number {
  const raw = c.req.query("limit");
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d{1,6}$/.test(raw)) throw invalid("limit", "must be an integer");
  const n = Number(raw);
  if (n < 1 || n > MAX_LIMIT) throw invalid("limit", `must be between 1 and ${MAX_LIMIT}`);
  return n;
}

/** `?cursor=`: an opaque cursor from a previous page (base64url), or null. */
export function cursorParam(c: Context): string | null {
  const raw = c.req.query("cursor");
  if (raw === undefined || raw === "") return null;
  if (!/^[A-Za-z0-9_-]{1,512}$/.test(raw))
    throw invalid("cursor", "is not a cursor this API issued");
  return raw;
}

/** A non-negative integer parameter, or undefined when absent. */
export function intParam(c: Context, name: string): number | undefined {
  const raw = c.req.query(name);
  if (raw === undefined || raw === "") return undefined;
  if (!/^\d{1,15}$/.test(raw)) throw invalid(name, "must be a non-negative integer");
  return Number(raw);
}

/** One of `values`, or undefined when absent. */
export function enumParam<T extends string>(
  c: Context,
  name: string,
  values: readonly T[],
): T | undefined {
  const raw = c.req.query(name);
  if (raw === undefined || raw === "") return undefined;
  if (!(values as readonly string[]).includes(raw)) {
    throw invalid(name, `must be one of ${values.join(", ")}`);
  }
  return raw as T;
}

/** A text parameter of at most `max` characters, or undefined when absent. */
export function textParam(c: Context, name: string, max = 1000): string | undefined {
  const raw = c.req.query(name);
  if (raw === undefined || raw === "") return undefined;
  if (raw.length > max) throw invalid(name, `must be at most ${max} characters`);
  return raw;
}

/**
 * The request's JSON object body (`{}` when empty), at most `MAX_BODY_BYTES`.
 * Only `application/json` is accepted: a page of another site cannot send
 * that without the browser asking first, so a cross-site form cannot archive
 * or fork anything.
 */
export async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new HttpError(415, "UNSUPPORTED_MEDIA_TYPE", "send the body as application/json");
  }
  const text = await readBodyText(c.req.raw);
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid("body", "is not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalid("body", "must be a JSON object");
  }
  return value as Record<string, unknown>;
}
