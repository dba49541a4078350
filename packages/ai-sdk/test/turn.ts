import {
  convertToModelMessages,
  type LanguageModel,
  stepCountIs,
  streamText,
  type ToolSet,
  type UIMessage,
} from "ai";
import type { Chats, SaveOnEnd, SaveOptions } from "../src/index.js";
import { clientView } from "./model.js";

/** What one chat request did. */
export interface Turn {
  /** The response message as the client built it from the wire. */
  readonly client: UIMessage;
  /** The event `onEnd` got. */
  readonly event: Parameters<SaveOnEnd<UIMessage>>[0] & { isContinuation: boolean };
  /** The save callback the stream called (call it again to retry the save). */
  readonly save: SaveOnEnd<UIMessage>;
}

/**
 * One chat request as a route serves it: `messages` to the model through
 * `streamText`, the answer to the client through
 * `toUIMessageStreamResponse` with `originalMessages`, `generateMessageId`
 * and the chats' save as `onEnd` (or the deprecated `onFinish`); resolves
 * once the client has read the response and the save has run.
 */
export async function turn(
  chats: Chats,
  chatId: string,
  model: LanguageModel,
  messages: UIMessage[],
  options: {
    tools?: ToolSet;
    /** Tools whose calls wait for the user's approval. */
    approve?: string[];
    save?: Omit<SaveOptions, "usage">;
    callback?: "onEnd" | "onFinish";
  } = {},
): Promise<Turn> {
  const result = streamText({
    model,
    messages: await convertToModelMessages(messages, {
      ...(options.tools ? { tools: options.tools } : {}),
    }),
    ...(options.tools ? { tools: options.tools, stopWhen: stepCountIs(4) } : {}),
    ...(options.approve
      ? {
          toolApproval: Object.fromEntries(
            options.approve.map((name) => [name, "user-approval" as const]),
          ),
        }
      : {}),
  });
  const save = chats.onEnd(chatId, { ...options.save, usage: result.totalUsage });
  let event: Turn["event"] | undefined;
  let saved: Promise<void> | undefined;
  const callback = (e: Turn["event"]) => {
    event = e;
    saved = save(e);
    return saved;
  };
  const response = result.toUIMessageStreamResponse({
    originalMessages: messages,
    generateMessageId: chats.generateMessageId,
    ...(options.callback === "onFinish" ? { onFinish: callback } : { onEnd: callback }),
  });
  const last = messages[messages.length - 1];
  const client = await clientView(
    response,
    last?.role === "assistant" ? structuredClone(last) : undefined,
  );
  if (!saved || !event) throw new Error("the stream ended without calling back");
  await saved;
  return { client, event, save };
}
