import {
  Annotation,
  type BaseCheckpointSaver,
  END,
  interrupt,
  START,
  StateGraph,
} from "@langchain/langgraph";

/** A state with a growing log (appended by each node) and a step counter. */
export const GraphState = Annotation.Root({
  log: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
  steps: Annotation<number>({ reducer: (_, b) => b, default: () => 0 }),
});

/**
 * START → plan → act → ask (interrupts for an answer) → finish → END. Plain
 * functions, no model: what is checked is what the checkpointer keeps.
 */
export function buildGraph(checkpointer: BaseCheckpointSaver) {
  return new StateGraph(GraphState)
    .addNode("plan", (s) => ({ log: ["plan"], steps: s.steps + 1 }))
    .addNode("act", (s) => ({ log: ["act"], steps: s.steps + 1 }))
    .addNode("ask", (s) => {
      const answer = interrupt<string, string>("approve?");
      return { log: [`answer:${answer}`], steps: s.steps + 1 };
    })
    .addNode("finish", (s) => ({ log: ["finish"], steps: s.steps + 1 }))
    .addEdge(START, "plan")
    .addEdge("plan", "act")
    .addEdge("act", "ask")
    .addEdge("ask", "finish")
    .addEdge("finish", END)
    .compile({ checkpointer });
}
