import {
  jsonSchema,
  readUIMessageStream,
  simulateReadableStream,
  type ToolSet,
  tool,
  type UIMessage,
  type UIMessageChunk,
} from "ai";
import { MockLanguageModelV4 } from "ai/test";

/** A mock model's stream chunk (the language model v4 stream parts). */
// biome-ignore lint/suspicious/noExplicitAny: the provider's chunk union is not exported by `ai`.
export type Chunk = any;

/** Usage as a v4 model reports it. */
export function usage(input: number, output: number, reasoning?: number): Chunk {
  return {
    inputTokens: { total: input, noCache: input, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: output, text: output - (reasoning ?? 0), reasoning },
  };
}

/** The chunks of a text answer. */
export function textTurn(
  text: string,
  id = "t1",
  tokens: readonly [number, number] = [3, 10],
): Chunk[] {
  return [
    { type: "text-start", id },
    { type: "text-delta", id, delta: text },
    { type: "text-end", id },
    {
      type: "finish",
      finishReason: { unified: "stop", raw: undefined },
      usage: usage(tokens[0], tokens[1]),
    },
  ];
}

/** The chunks of a step that reasons, then calls `weather` for `city`. */
export function toolTurn(callId: string, city: string): Chunk[] {
  return [
    { type: "reasoning-start", id: "r1" },
    { type: "reasoning-delta", id: "r1", delta: `look up ${city}` },
    { type: "reasoning-end", id: "r1" },
    { type: "tool-call", toolCallId: callId, toolName: "weather", input: JSON.stringify({ city }) },
    {
      type: "finish",
      finishReason: { unified: "tool-calls", raw: undefined },
      usage: usage(5, 7, 2),
    },
  ];
}

/** A mock model answering each call with the next list of chunks. */
export function scriptedModel(turns: Chunk[][]): MockLanguageModelV4 {
  let call = 0;
  return new MockLanguageModelV4({
    modelId: "mock-model",
    doStream: async () => {
      const chunks = turns[call++];
      if (!chunks) throw new Error(`the script has no turn ${call}`);
      return { stream: simulateReadableStream({ chunks }) };
    },
  });
}

/** The `weather` tool: the server executes it. */
export const tools: ToolSet = {
  weather: tool({
    inputSchema: jsonSchema<{ city: string }>({
      type: "object",
      properties: { city: { type: "string" } },
      required: ["city"],
    }),
    execute: async ({ city }: { city: string }) => ({ city, celsius: city.length }),
  }),
};

/**
 * What a client makes of a UI message stream response: its SSE events parsed
 * back into chunks and read into the last state of the response message, as
 * `useChat` does.
 */
export async function clientView(response: Response, last?: UIMessage): Promise<UIMessage> {
  const text = await response.text();
  const chunks: UIMessageChunk[] = text
    .split("\n")
    .filter((line) => line.startsWith("data: ") && line !== "data: [DONE]")
    .map((line) => JSON.parse(line.slice("data: ".length)) as UIMessageChunk);
  const stream = new ReadableStream<UIMessageChunk>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  let message: UIMessage | undefined;
  for await (const m of readUIMessageStream({ stream, ...(last ? { message: last } : {}) }))
    message = m;
  if (!message) throw new Error("the response had no message");
  return message;
}

/** A user message as `useChat` sends it. */
export function userMessage(id: string, text: string): UIMessage {
  return { id, role: "user", parts: [{ type: "text", text }] };
}
