import {
  type CheckpointSaverTestInitializer,
  deltaChannelHistoryTests,
  specTest,
} from "@langchain/langgraph-checkpoint-validation";
import { SessionStoreSaver } from "../src/index.js";
import { ADAPTERS, tempStore } from "./adapters.js";

/**
 * LangGraph's own conformance suite for checkpointers
 * (`@langchain/langgraph-checkpoint-validation`), all of it: the default
 * spec (put, putWrites, getTuple, list, deleteThread) and the opt-in
 * `getDeltaChannelHistory` walk, on every local adapter. Each saver gets a
 * store on its own new file.
 */
for (const adapter of ADAPTERS) {
  const open = new Map<SessionStoreSaver, () => Promise<void>>();
  const initializer: CheckpointSaverTestInitializer<SessionStoreSaver> = {
    checkpointerName: `@llm-sessions/langgraph (${adapter.name})`,
    async createCheckpointer() {
      const { store, dispose } = await tempStore(adapter.driver);
      const saver = await SessionStoreSaver.open(store);
      open.set(saver, dispose);
      return saver;
    },
    async destroyCheckpointer(saver) {
      await open.get(saver)?.();
      open.delete(saver);
    },
  };
  specTest(initializer);
  deltaChannelHistoryTests(initializer);
}
