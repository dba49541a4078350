import type { JsonObject, JsonValue, Message, MessagePart } from "@llm-sessions/core";
import { ENVELOPE_NAME, type Envelope, OTHER_PREFIX, type WireMessage } from "./encode.js";

/**
 * The UI message a stored message holds: the exact one `encodeMessage`
 * stored, rebuilt from its envelope and store parts. A message this package
 * did not write (plain text, or parts without an envelope) is converted as
 * well as its parts allow (`fromForeignParts`); a `tool` or `developer`
 * message, which UI messages have no role for, becomes `null` (left out).
 */
export function decodeMessage(message: Message): WireMessage | null {
  const role = uiRole(message.role);
  if (role === null) return null;
  const parts = message.parts;
  if (parts === null) {
    return { id: message.id, role, parts: [{ type: "text", text: message.content }] };
  }
  const last = parts[parts.length - 1];
  if (last?.type !== "data" || last.name !== ENVELOPE_NAME) {
    return { id: message.id, role, parts: fromForeignParts(parts) };
  }
  const envelope = last.data as unknown as Envelope;
  const ui: WireMessage = { id: message.id, role, parts: [] };
  if (envelope.metadata !== undefined) ui.metadata = envelope.metadata;
  for (const entry of envelope.parts) {
    const source = movedFrom(entry.rest.type as string, parts, entry.at);
    const part: JsonObject = { ...entry.rest };
    for (const key of entry.moved) part[key] = source[key] as JsonValue;
    ui.parts.push(part);
  }
  return ui;
}

/** Where the moved fields of a UI part of `type` are, given its first store part. */
function movedFrom(
  type: string,
  parts: readonly MessagePart[],
  at: number,
): Record<string, unknown> {
  const first = parts[at] as MessagePart;
  if (first.type === "tool-call") {
    const next = parts[at + 1];
    const result =
      next?.type === "tool-result" && next.toolCallId === first.toolCallId ? next : null;
    return { input: first.input, output: result?.output, errorText: result?.output };
  }
  if (first.type === "data" && !type.startsWith("data-")) return first.data as JsonObject;
  return first as unknown as Record<string, unknown>;
}

/** The UI role of a store role; `null` for the roles UI messages lack. */
function uiRole(role: Message["role"]): WireMessage["role"] | null {
  if (role === "developer") return "system";
  if (role === "tool") return null;
  return role;
}

/**
 * UI parts for store parts that no envelope describes: text, reasoning and
 * files as such, a tool call with its result (when the same message holds
 * it) as a `dynamic-tool` part, data as `data-<name>` (or the UI part an
 * `ai-sdk.` data part holds).
 */
function fromForeignParts(parts: readonly MessagePart[]): JsonObject[] {
  const results = new Map<string, MessagePart & { type: "tool-result" }>();
  for (const part of parts) if (part.type === "tool-result") results.set(part.toolCallId, part);
  const out: JsonObject[] = [];
  for (const part of parts) {
    const meta: JsonObject = part.providerMetadata
      ? { providerMetadata: part.providerMetadata }
      : {};
    switch (part.type) {
      case "text":
      case "reasoning":
        out.push({ type: part.type, text: part.text, ...meta });
        break;
      case "file":
        out.push({
          type: "file",
          mediaType: part.mediaType,
          url:
            part.url ??
            `data:${part.mediaType};base64,${Buffer.from(part.data ?? []).toString("base64")}`,
          ...(part.filename !== undefined ? { filename: part.filename } : {}),
          ...meta,
        });
        break;
      case "tool-call": {
        const result = results.get(part.toolCallId);
        const base = {
          type: "dynamic-tool",
          toolName: part.toolName,
          toolCallId: part.toolCallId,
          input: part.input,
        };
        if (!result) out.push({ ...base, state: "input-available" });
        else if (result.isError)
          out.push({
            ...base,
            state: "output-error",
            errorText:
              typeof result.output === "string" ? result.output : JSON.stringify(result.output),
          });
        else out.push({ ...base, state: "output-available", output: result.output });
        break;
      }
      case "tool-result":
        break;
      case "data":
        if (part.name.startsWith(OTHER_PREFIX)) {
          out.push({ type: part.name.slice(OTHER_PREFIX.length), ...(part.data as JsonObject) });
        } else {
          out.push({
            type: `data-${part.name}`,
            ...(part.id !== undefined ? { id: part.id } : {}),
            data: part.data,
          });
        }
        break;
    }
  }
  return out;
}
