import type {
  JsonValue,
  Message,
  MessagePart,
  MessageRole,
  MessageUsage,
  NewMessage,
} from "@llm-sessions/core";
import type { AgentInputItem } from "@openai/agents-core";
import { decodeValue, encodeValue } from "./codec.js";

/**
 * The name of the `data` part that holds the item exactly as it was added
 * (encoded by `encodeValue`). `getItems` returns this, never a rebuild from
 * the mapped parts: the mapped parts are for the store's search, windows,
 * tool-group rules and stats.
 */
export const ITEM_PART = "openai-agents.item";

/** Item types that are results of a call, and the call type they answer. */
const RESULT_OF: Readonly<Record<string, string>> = {
  function_call_result: "function_call",
  computer_call_result: "computer_call",
  shell_call_output: "shell_call",
  apply_patch_call_output: "apply_patch_call",
};

/** Item types that are calls a later result answers by `callId`. */
const CALLS = new Set(Object.values(RESULT_OF));

type AnyItem = Record<string, unknown>;

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** The call id of a call item (`function_call`, `computer_call`, ...), else undefined. */
export function callIdOf(item: AgentInputItem): string | undefined {
  const it = item as AnyItem;
  return CALLS.has(it.type as string) ? str(it.callId) : undefined;
}

/** The call id a result item answers, else undefined. */
export function resultCallIdOf(item: AgentInputItem): string | undefined {
  const it = item as AnyItem;
  return RESULT_OF[it.type as string] !== undefined ? str(it.callId) : undefined;
}

/** Whether the item was produced by a model (a usage figure belongs on it). */
export function isModelOutput(item: AgentInputItem): boolean {
  const it = item as AnyItem;
  if (it.type === undefined || it.type === "message") return it.role === "assistant";
  return RESULT_OF[it.type as string] === undefined;
}

/** The searchable text of a message item's content (text, output text and refusals). */
function contentTexts(content: unknown): string[] {
  if (typeof content === "string") return [content];
  if (!Array.isArray(content)) return [];
  const texts: string[] = [];
  for (const c of content) {
    if (c === null || typeof c !== "object") continue;
    const part = c as AnyItem;
    const text = str(part.text) ?? str(part.refusal) ?? str(part.transcript);
    if (
      text !== undefined &&
      (part.type === "input_text" ||
        part.type === "output_text" ||
        part.type === "refusal" ||
        part.type === "audio")
    ) {
      texts.push(text);
    }
  }
  return texts;
}

const ROLES = new Set<MessageRole>(["system", "developer", "user", "assistant"]);

/**
 * Maps one item onto a store message: a role, parts the store understands
 * (text, reasoning, tool calls and results with their call id), and the
 * item itself in an `ITEM_PART` data part. `mapCall` false keeps a call
 * item's call id out of the store's tool-call index (the session already
 * holds a call with that id: the store's ids are unique per session, while
 * an Agents history may repeat one).
 */
export function toNewMessage(
  item: AgentInputItem,
  mapCall: boolean,
  usage?: MessageUsage,
): NewMessage {
  const it = item as AnyItem;
  const original: MessagePart = { type: "data", name: ITEM_PART, data: encodeValue(item) };
  const type = it.type as string | undefined;
  let role: MessageRole = "assistant";
  const parts: MessagePart[] = [];
  let name: string | null = null;
  if (type === undefined || type === "message") {
    role = ROLES.has(it.role as MessageRole) ? (it.role as MessageRole) : "user";
    for (const text of contentTexts(it.content)) parts.push({ type: "text", text });
  } else if (type === "reasoning") {
    for (const text of [...contentTexts(it.content), ...rawTexts(it.rawContent)]) {
      parts.push({ type: "reasoning", text });
    }
  } else if (CALLS.has(type)) {
    const callId = str(it.callId);
    const toolName = type === "function_call" ? (str(it.name) ?? type) : type.replace(/_call$/, "");
    name = toolName;
    if (mapCall && callId) {
      parts.push({ type: "tool-call", toolCallId: callId, toolName, input: callInput(it) });
    }
  } else if (RESULT_OF[type] !== undefined) {
    role = "tool";
    const callId = str(it.callId);
    const toolName = type === "function_call_result" ? str(it.name) : undefined;
    name = toolName ?? null;
    if (callId) {
      parts.push({
        type: "tool-result",
        toolCallId: callId,
        ...(toolName ? { toolName } : {}),
        output: encodeValue(it.output ?? null),
      });
    }
  }
  parts.push(original);
  return {
    role,
    parts,
    ...(name ? { name } : {}),
    ...(usage ? { usage } : {}),
  };
}

function rawTexts(raw: unknown): string[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((r) =>
    r && typeof r === "object" && typeof r.text === "string" ? [r.text] : [],
  );
}

/** A call's input as JSON: `arguments` of a function call, the action or operation of the others. */
function callInput(it: AnyItem): JsonValue {
  if (it.type === "function_call") return encodeValue(it.arguments ?? null);
  return encodeValue(it.action ?? it.operation ?? null);
}

/**
 * The item a stored message holds: the `ITEM_PART` data decoded. A message
 * the application appended by other means (no item part) becomes a plain
 * message item of its role and text, so that it reaches the agent too; a
 * `tool` message without an item part has no Agents shape and is skipped.
 */
export function toItem(message: Message): AgentInputItem | undefined {
  const part = message.parts?.find((p) => p.type === "data" && p.name === ITEM_PART);
  if (part && part.type === "data") return decodeValue(part.data) as AgentInputItem;
  switch (message.role) {
    case "assistant":
      return {
        type: "message",
        role: "assistant",
        status: "completed",
        content: [{ type: "output_text", text: message.content }],
      };
    case "user":
    case "system":
    case "developer":
      return {
        type: "message",
        role: message.role === "developer" ? "system" : message.role,
        content: message.content,
      } as AgentInputItem;
    default:
      return undefined;
  }
}
