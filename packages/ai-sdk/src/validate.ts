import { type JsonObject, ValidationError, type ValidationIssue } from "@llm-sessions/core";
import { safeValidateUIMessages, type UIMessage } from "ai";
import type { WireMessage } from "./encode.js";
import { toWireJson } from "./json.js";

/** What `validateUIMessages` takes besides the messages: tool, data and metadata schemas. */
export type UIMessageSchemas<M extends UIMessage = UIMessage> = Omit<
  Parameters<typeof safeValidateUIMessages<M>>[0],
  "messages"
>;

/** The longest message id the store takes. */
const MAX_ID_LENGTH = 128;

/** The roles of UI messages. */
const ROLES = new Set(["system", "user", "assistant"]);

/**
 * Checks UI messages given to a write (`where` names the call) before
 * anything is read or written: a non-empty array of messages with an `id`,
 * a UI `role` and `parts` (objects with a string `type`), every value JSON
 * as the wire carries it (`toWireJson`: well-formed strings, no functions,
 * no class instances), and ids the store can keep (1 to 128 characters,
 * each once in the list). Returns the plain JSON copies; anything else is a
 * `ValidationError` naming every problem found. The AI SDK's own checks
 * (`checkShapes`) come on top, for the messages that will be written.
 */
export function checkWire(where: string, messages: unknown): WireMessage[] {
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new ValidationError(where, [
      { path: "messages", message: "must be a non-empty array of UI messages" },
    ]);
  }
  const issues: ValidationIssue[] = [];
  const plain: WireMessage[] = [];
  const ids = new Set<string>();
  messages.forEach((message: unknown, i: number) => {
    const at = `messages.${i}`;
    const wire = toWireJson(message, at);
    if (!wire.ok) {
      issues.push(...wire.issues);
      return;
    }
    const m = wire.value as JsonObject;
    if (m === null || typeof m !== "object" || Array.isArray(m)) {
      issues.push({ path: at, message: "must be a UI message (an object)" });
      return;
    }
    if (typeof m.role !== "string" || !ROLES.has(m.role)) {
      issues.push({ path: `${at}.role`, message: "must be system, user or assistant" });
    }
    const parts = m.parts;
    if (!Array.isArray(parts)) {
      issues.push({ path: `${at}.parts`, message: "must be an array" });
    } else {
      parts.forEach((part, k) => {
        const type = (part as JsonObject | null)?.type;
        if (
          typeof part !== "object" ||
          part === null ||
          Array.isArray(part) ||
          typeof type !== "string"
        ) {
          issues.push({ path: `${at}.parts.${k}`, message: "must be a part with a string type" });
        }
      });
    }
    const id = m.id;
    if (typeof id !== "string" || id.length === 0) {
      issues.push({
        path: `${at}.id`,
        message:
          "must be a non-empty string (an assistant response gets one when the stream is given originalMessages and generateMessageId)",
      });
    } else if (id.length > MAX_ID_LENGTH) {
      issues.push({ path: `${at}.id`, message: `must be at most ${MAX_ID_LENGTH} characters` });
    } else if (ids.has(id)) {
      issues.push({
        path: `${at}.id`,
        message: `repeats the id ${JSON.stringify(id)} of an earlier message`,
      });
    } else {
      ids.add(id);
    }
    plain.push(m as unknown as WireMessage);
  });
  if (issues.length > 0) throw new ValidationError(where, issues);
  return plain;
}

/**
 * The AI SDK's `validateUIMessages` with `schemas`, its refusal as a
 * `ValidationError`. `first` is the index of `messages[0]` in the caller's
 * list, for the error's path.
 */
export async function checkShapes<M extends UIMessage>(
  where: string,
  messages: readonly WireMessage[],
  schemas: UIMessageSchemas<M>,
  first = 0,
): Promise<void> {
  if (messages.length === 0) return;
  const result = await safeValidateUIMessages<M>({ ...schemas, messages });
  if (!result.success) {
    const path = first === 0 ? "messages" : `messages (from ${first})`;
    throw new ValidationError(where, [{ path, message: result.error.message }]);
  }
}

/** `checkWire` and `checkShapes` of the whole list. */
export async function checkMessages<M extends UIMessage>(
  where: string,
  messages: unknown,
  schemas: UIMessageSchemas<M>,
): Promise<WireMessage[]> {
  const plain = checkWire(where, messages);
  await checkShapes(where, plain, schemas);
  return plain;
}
