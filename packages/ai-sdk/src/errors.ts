import { ConflictError } from "@llm-sessions/core";

/**
 * A save given `expectedVersion` found the chat changed since that version
 * (another request saved first), and would have changed it again. Nothing
 * was written: load the chat again and decide anew.
 */
export class StaleChatError extends ConflictError {
  /** The chat that changed. */
  readonly chatId: string;
  /** The version the save expected. */
  readonly expectedVersion: string;
  /** The chat's version when the save read it. */
  readonly actualVersion: string;

  constructor(chatId: string, expectedVersion: string, actualVersion: string) {
    super(
      `chat ${JSON.stringify(chatId)} changed since version ${expectedVersion} (it is at ${actualVersion}); nothing was written`,
      undefined,
      "STALE_CHAT",
    );
    this.chatId = chatId;
    this.expectedVersion = expectedVersion;
    this.actualVersion = actualVersion;
  }
}
