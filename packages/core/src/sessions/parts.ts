import { z } from "zod";
import { MAX_METADATA_DEPTH } from "./limits.js";
import { toPlainJson } from "./plain-json.js";
import type { JsonObject, JsonValue, MessagePart } from "./types.js";

/**
 * Message parts: their validation, their stored form (one JSON array in
 * `messages.parts`) and the text search sees.
 *
 * The shapes follow the AI SDK's message parts (`text`, `reasoning`,
 * `tool-call`, `tool-result`, `file`, `data-<name>`) and map the OpenAI
 * Agents SDK's items (`message` text, `reasoning`, `function_call` with
 * `callId`/`name`/`arguments`, `function_call_result` with `callId`/`output`).
 */

/** Rules of the strings of a part, given by `makeSchemas`. */
export interface PartStrings {
  /** Text that may be searched: well-formed, no NUL. */
  readonly text: z.ZodType<string>;
  /** Names and ids: well-formed, no NUL, at most `maxTextLength`. */
  readonly name: z.ZodType<string>;
  /** Largest JSON value, as JSON bytes. */
  readonly maxJsonBytes: number;
}

/** Any JSON value, as data: the metadata rules (plain, well-formed, bounded) at any top. */
function jsonValue(maxBytes: number) {
  return z.unknown().transform((value, ctx): JsonValue => {
    const result = toPlainJson({ v: value }, { maxDepth: MAX_METADATA_DEPTH + 1, maxBytes });
    if (result.ok) return result.value.v as JsonValue;
    ctx.addIssue({
      code: "custom",
      message: result.issue.message,
      path: result.issue.path.slice(1),
    });
    return z.NEVER;
  });
}

function jsonObject(maxBytes: number) {
  return z.unknown().transform((value, ctx): JsonObject => {
    const result = toPlainJson(value, { maxDepth: MAX_METADATA_DEPTH, maxBytes });
    if (result.ok) return result.value;
    ctx.addIssue({ code: "custom", message: result.issue.message, path: result.issue.path });
    return z.NEVER;
  });
}

/** The zod schema of one part. */
export function partSchema(s: PartStrings) {
  const json = jsonValue(s.maxJsonBytes);
  const providerMetadata = jsonObject(s.maxJsonBytes).optional();
  const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, "must be a Uint8Array");
  return z.discriminatedUnion("type", [
    z.strictObject({ type: z.literal("text"), text: s.text, providerMetadata }),
    z.strictObject({ type: z.literal("reasoning"), text: s.text, providerMetadata }),
    z.strictObject({
      type: z.literal("tool-call"),
      toolCallId: s.name,
      toolName: s.name,
      input: json,
      providerMetadata,
    }),
    z.strictObject({
      type: z.literal("tool-result"),
      toolCallId: s.name,
      toolName: s.name.optional(),
      output: json,
      isError: z.boolean().optional(),
      providerMetadata,
    }),
    z
      .strictObject({
        type: z.literal("file"),
        mediaType: s.name,
        filename: s.name.optional(),
        url: s.text.optional(),
        data: bytes.optional(),
        providerMetadata,
      })
      .refine((p) => (p.url === undefined) !== (p.data === undefined), {
        message: "must have exactly one of url and data",
      }),
    z.strictObject({
      type: z.literal("data"),
      name: s.name,
      id: s.name.optional(),
      data: json,
      providerMetadata,
    }),
  ]);
}

/**
 * The stored JSON of validated parts. Fields keep a fixed order per type,
 * absent optional fields are left out, and a file's bytes are base64; the
 * caller's JSON values (input, output, data, providerMetadata) keep their
 * own key order.
 */
export function encodeParts(parts: readonly MessagePart[]): string {
  return JSON.stringify(
    parts.map((p) =>
      p.type === "file" && p.data !== undefined
        ? {
            ...p,
            data: Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength).toString(
              "base64",
            ),
          }
        : p,
    ),
  );
}

/** The parts of a stored row (`null` for a plain text message). */
export function decodeParts(stored: string | null): MessagePart[] | null {
  if (stored === null) return null;
  const parts = JSON.parse(stored) as MessagePart[];
  for (const p of parts) {
    if (p.type === "file" && typeof p.data === "string") {
      (p as { data: Uint8Array }).data = new Uint8Array(Buffer.from(p.data, "base64"));
    }
  }
  return parts;
}

/**
 * The text search sees for a message given with parts and no content: its
 * text parts, joined by a newline. Reasoning is left out (it is the model's
 * working, often long, redacted or encrypted, and not what people said);
 * tool names, inputs and outputs are left out too (identifiers and machine
 * data would match nearly every search for a common word like "search").
 */
export function searchableText(parts: readonly MessagePart[]): string {
  return parts
    .filter((p): p is Extract<MessagePart, { type: "text" }> => p.type === "text")
    .map((p) => p.text)
    .join("\n");
}

/** The ids of the tool calls of `parts`. */
export function toolCallIds(parts: readonly MessagePart[] | null | undefined): string[] {
  return (parts ?? []).flatMap((p) => (p.type === "tool-call" ? [p.toolCallId] : []));
}

/** The call ids the tool results of `parts` answer. */
export function toolResultIds(parts: readonly MessagePart[] | null | undefined): string[] {
  return (parts ?? []).flatMap((p) => (p.type === "tool-result" ? [p.toolCallId] : []));
}

/** Characters in one `message_blobs` chunk: at most 384 KiB of UTF-8, far below any row or request limit. */
export const CHUNK_CHARS = 128 * 1024;

/**
 * `text` cut into pieces of at most `size` UTF-16 units, never between the
 * two halves of a surrogate pair (a lone half has no UTF-8 form: the driver
 * would bind it as something else).
 */
export function chunkText(text: string, size = CHUNK_CHARS): string[] {
  const chunks: string[] = [];
  let at = 0;
  while (at < text.length) {
    let end = Math.min(at + size, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    chunks.push(text.slice(at, end));
    at = end;
  }
  return chunks;
}
