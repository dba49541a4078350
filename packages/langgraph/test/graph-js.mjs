// The graph of graph.ts, in plain JavaScript for the worker process.
import { Annotation, END, interrupt, START, StateGraph } from "@langchain/langgraph";

const GraphState = Annotation.Root({
  log: Annotation({ reducer: (a, b) => a.concat(b), default: () => [] }),
  steps: Annotation({ reducer: (_, b) => b, default: () => 0 }),
});

export function buildGraph(checkpointer) {
  return new StateGraph(GraphState)
    .addNode("plan", (s) => ({ log: ["plan"], steps: s.steps + 1 }))
    .addNode("act", (s) => ({ log: ["act"], steps: s.steps + 1 }))
    .addNode("ask", (s) => ({ log: [`answer:${interrupt("approve?")}`], steps: s.steps + 1 }))
    .addNode("finish", (s) => ({ log: ["finish"], steps: s.steps + 1 }))
    .addEdge(START, "plan")
    .addEdge("plan", "act")
    .addEdge("act", "ask")
    .addEdge("ask", "finish")
    .addEdge("finish", END)
    .compile({ checkpointer });
}
