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

/**
 * Checks UI messages given to a write (`where` names the call): a non-empty
 * array the AI SDK's `validateUIMessages` accepts with `schemas`, every
 * value JSON as the wire carries it (`toWireJson`: well-formed strings, no
 * functions, no class instances), and ids the store can keep (1 to 128
 * characters, each once in the list). Returns the plain JSON copies;
 * anything else is a `ValidationError` naming every problem found.
 */
export async function checkMessages<M extends UIMessage>(
  where: string,
  messages: unknown,
  schemas: UIMessageSchemas<M>,
): Promise<WireMessage[]> {
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new ValidationError(where, [
      { path: "messages", message: "must be a non-empty array of UI messages" },
    ]);
  }
  const result = await safeValidateUIMessages<M>({ ...schemas, messages });
  if (!result.success) {
    throw new ValidationError(where, [{ path: "messages", message: result.error.message }]);
  }
  const issues: ValidationIssue[] = [];
  const plain: WireMessage[] = [];
  const ids = new Set<string>();
  messages.forEach((message: unknown, i: number) => {
    const wire = toWireJson(message, `messages.${i}`);
    if (!wire.ok) {
      issues.push(...wire.issues);
      return;
    }
    const m = wire.value as JsonObject as unknown as WireMessage;
    if (typeof m.id !== "string" || m.id.length === 0) {
      issues.push({
        path: `messages.${i}.id`,
        message:
          "must be a non-empty string (an assistant response gets one when the stream is given originalMessages and generateMessageId)",
      });
    } else if (m.id.length > MAX_ID_LENGTH) {
      issues.push({
        path: `messages.${i}.id`,
        message: `must be at most ${MAX_ID_LENGTH} characters`,
      });
    } else if (ids.has(m.id)) {
      issues.push({
        path: `messages.${i}.id`,
        message: `repeats the id ${JSON.stringify(m.id)} of an earlier message`,
      });
    }
    ids.add(m.id);
    plain.push(m);
  });
  if (issues.length > 0) throw new ValidationError(where, issues);
  return plain;
}
