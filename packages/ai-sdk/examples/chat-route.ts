import { createChats } from "@llm-sessions/ai-sdk";
import type { Store } from "@llm-sessions/core";
import { convertToModelMessages, type LanguageModel, streamText, type UIMessage } from "ai";

/**
 * `POST /api/chat` of a `useChat` app whose transport sends the chat id and
 * only the newest message (`prepareSendMessagesRequest`).
 */
export function chatRoute(store: Store, model: LanguageModel, userOf: (req: Request) => string) {
  return async function POST(req: Request): Promise<Response> {
    // One tenant per user: no user can reach, or learn of, another's chats.
    const chats = createChats(store.tenant(userOf(req)));
    const { id, message } = (await req.json()) as { id: string; message: UIMessage };
    // The stored history plus the new message, validated (a new id: a new chat).
    const { messages, version } = await chats.load(id, { message, missingAsEmpty: true });
    const result = streamText({ model, messages: await convertToModelMessages(messages) });
    return result.toUIMessageStreamResponse({
      originalMessages: messages,
      generateMessageId: chats.generateMessageId,
      // Saves each message once by its id, usage on the answer; a retry is a no-op.
      onEnd: chats.onEnd(id, { usage: result.totalUsage, expectedVersion: version }),
    });
  };
}
