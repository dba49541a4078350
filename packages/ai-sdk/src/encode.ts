import type { JsonObject, JsonValue, MessagePart, NewMessage } from "@llm-sessions/core";

/**
 * The name of the `data` part that makes a stored message a UI message
 * again: always the message's last part. Its data is an `Envelope`.
 */
export const ENVELOPE_NAME = "ai-sdk.ui-message";

/** The prefix of the `data` parts that hold UI parts without a store part type of their own. */
export const OTHER_PREFIX = "ai-sdk.";

/**
 * How one UI part is rebuilt: the store part it became (`at`, an index in
 * the stored parts), the fields of the UI part that were moved into that
 * store part rather than kept here (`moved`: the bulky ones, text, urls,
 * tool inputs and outputs, so that they are stored once), and the rest of
 * the UI part (`rest`, which holds at least its `type`).
 */
export interface EnvelopeEntry {
  /** The index, in the stored parts, of the first store part the UI part became. */
  at: number;
  /** The UI part's fields kept in that store part (or its tool result) instead of here. */
  moved: string[];
  /** The UI part without the moved fields; at least its `type`. */
  rest: JsonObject;
}

/** What the last part of a stored UI message holds besides the store parts. */
export interface Envelope {
  /** The format's version. */
  v: 1;
  /** The UI message's `metadata`, when it has one. */
  metadata?: JsonValue;
  /** One entry per UI part, in the UI message's order. */
  parts: EnvelopeEntry[];
}

/** A UI message as plain JSON (see `toWireJson`), its shape already checked by the AI SDK. */
export interface WireMessage {
  id: string;
  role: "system" | "user" | "assistant";
  metadata?: JsonValue;
  parts: JsonObject[];
}

/**
 * The store message of a UI message: the UI message id is the store id, the
 * UI parts map onto the store's parts (text → text, reasoning → reasoning,
 * a tool part → tool-call, plus tool-result once it has an output or an
 * error, file → file, `data-<name>` → data `<name>`, every other part →
 * data `ai-sdk.<type>`), and an `Envelope` data part keeps what those do
 * not say (states, ids, approvals, metadata), so the UI message comes back
 * exactly. A user or system message that is one bare text part and no
 * metadata is stored as plain text (no parts): the store's cheapest append.
 */
export function encodeMessage(message: WireMessage): NewMessage {
  const [only] = message.parts;
  if (
    message.role !== "assistant" &&
    message.metadata === undefined &&
    message.parts.length === 1 &&
    only !== undefined &&
    isBareText(only)
  ) {
    return { id: message.id, role: message.role, content: only.text as string };
  }
  const parts: MessagePart[] = [];
  const entries: EnvelopeEntry[] = [];
  for (const part of message.parts) {
    const at = parts.length;
    const moved = mapPart(part, parts);
    const rest: JsonObject = {};
    for (const [key, value] of Object.entries(part)) {
      if (!moved.includes(key)) rest[key] = value;
    }
    entries.push({ at, moved, rest });
  }
  const envelope: Envelope = { v: 1, parts: entries };
  if (message.metadata !== undefined) envelope.metadata = message.metadata;
  parts.push({ type: "data", name: ENVELOPE_NAME, data: envelope as unknown as JsonObject });
  return { id: message.id, role: message.role, parts };
}

/** `{ type: "text", text }` and nothing else. */
function isBareText(part: JsonObject): boolean {
  const keys = Object.keys(part);
  return (
    part.type === "text" &&
    typeof part.text === "string" &&
    keys.length === 2 &&
    keys.includes("text")
  );
}

/**
 * Pushes the store parts of one UI part and returns the UI fields moved into
 * them (each stored once, in the store part, under the same name; a tool
 * part's `input` is the call's, its `output` or `errorText` the result's).
 */
function mapPart(part: JsonObject, out: MessagePart[]): string[] {
  const type = part.type as string;
  const has = (key: string) => part[key] !== undefined;
  const providerMetadata = has("providerMetadata")
    ? { providerMetadata: part.providerMetadata as JsonObject }
    : {};
  if (type === "text" || type === "reasoning") {
    out.push({ type, text: part.text as string, ...providerMetadata });
    return ["text", ...(has("providerMetadata") ? ["providerMetadata"] : [])];
  }
  if (type === "file") {
    out.push({
      type: "file",
      mediaType: part.mediaType as string,
      url: part.url as string,
      ...(has("filename") ? { filename: part.filename as string } : {}),
      ...providerMetadata,
    });
    return ["mediaType", "url", ...["filename", "providerMetadata"].filter(has)];
  }
  if (type === "dynamic-tool" || type.startsWith("tool-")) {
    return mapToolPart(
      part,
      type === "dynamic-tool" ? (part.toolName as string) : type.slice(5),
      out,
    );
  }
  if (type.startsWith("data-")) {
    out.push({
      type: "data",
      name: type.slice(5),
      ...(has("id") ? { id: part.id as string } : {}),
      data: part.data ?? null,
    });
    return ["data", "id"].filter(has);
  }
  // Sources, step boundaries, custom and reasoning-file parts, steering:
  // kept whole in a data part of their own (searchable by nothing, counted
  // as data), nothing left in the envelope but their type.
  const data: JsonObject = {};
  for (const [key, value] of Object.entries(part)) if (key !== "type") data[key] = value;
  out.push({ type: "data", name: `${OTHER_PREFIX}${type}`, data });
  return Object.keys(data);
}

/**
 * A tool part: a `tool-call` (its input, or `null` while the input is still
 * streaming and has none), and a `tool-result` once there is an outcome:
 * the output, the error text (`isError`), or a denial (`isError`, output
 * `{ type: "execution-denied", reason? }`, as the AI SDK tells the model).
 */
function mapToolPart(part: JsonObject, toolName: string, out: MessagePart[]): string[] {
  const toolCallId = part.toolCallId as string;
  const moved: string[] = [];
  const hasInput = part.input !== undefined;
  out.push({
    type: "tool-call",
    toolCallId,
    toolName,
    input: hasInput ? (part.input as JsonValue) : null,
  });
  if (hasInput) moved.push("input");
  if (part.state === "output-available") {
    out.push({ type: "tool-result", toolCallId, toolName, output: part.output ?? null });
    if (part.output !== undefined) moved.push("output");
  } else if (part.state === "output-error") {
    out.push({
      type: "tool-result",
      toolCallId,
      toolName,
      output: part.errorText ?? null,
      isError: true,
    });
    if (part.errorText !== undefined) moved.push("errorText");
  } else if (part.state === "output-denied") {
    const reason = (part.approval as JsonObject | undefined)?.reason;
    out.push({
      type: "tool-result",
      toolCallId,
      toolName,
      output: { type: "execution-denied", ...(reason !== undefined ? { reason } : {}) },
      isError: true,
    });
  }
  return moved;
}
