import { LlmSessionsError, SqliteError } from "@llm-sessions/core";
import { canonical } from "./serialize.js";

/** What one call did: returned a value or threw. */
export type Outcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: unknown };

/** How an outcome counts. */
export type OutcomeClass = "success" | "typed" | "untyped";

/**
 * A typed error is one of the store's own classes (`LlmSessionsError` and its
 * subclasses). A raw driver error (`SqliteError`, which is one of them only
 * so that adapters can throw it) escaping to the caller is not: the store
 * should have said what was wrong with the input.
 */
export function isTyped(error: unknown): boolean {
  return error instanceof LlmSessionsError && !(error instanceof SqliteError);
}

/** Success, typed error or untyped error. */
export function classify(outcome: Outcome): OutcomeClass {
  if (outcome.ok) return "success";
  return isTyped(outcome.error) ? "typed" : "untyped";
}

/** Runs `fn` and catches whatever it throws (synchronously or not). */
export async function settle(fn: () => unknown): Promise<Outcome> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * What a caller observes of an outcome, as a string: the whole value, or the
 * error's class, code, message and issues. Two stores that answer alike give
 * equal strings.
 */
export function observed(outcome: Outcome): string {
  if (outcome.ok) return `ok ${canonical(outcome.value)}`;
  const e = outcome.error;
  if (e instanceof Error) {
    const extra = e as Error & { code?: unknown; issues?: unknown };
    return `threw ${e.constructor?.name ?? e.name} ${canonical({
      name: e.name,
      code: extra.code,
      message: e.message,
      issues: extra.issues,
    })}`;
  }
  return `threw non-error ${canonical(e)}`;
}

/** A short name for an outcome in reports: `ok`, or the error's class and message. */
export function summary(outcome: Outcome, max = 200): string {
  if (outcome.ok) return "ok";
  const e = outcome.error;
  const text = e instanceof Error ? `${e.constructor?.name ?? e.name}: ${e.message}` : canonical(e);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** The `nextCursor` of a page, when the outcome is one. */
export function cursorOf(outcome: Outcome): string | null {
  if (!outcome.ok || typeof outcome.value !== "object" || outcome.value === null) return null;
  const c = (outcome.value as { nextCursor?: unknown }).nextCursor;
  return typeof c === "string" ? c : null;
}
