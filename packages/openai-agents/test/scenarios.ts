import {
  Agent,
  handoff,
  OutputGuardrailTripwireTriggered,
  run,
  type Session,
  tool,
} from "@openai/agents-core";
import { z } from "zod";
import { ToyModel } from "./toy-model.js";

const getWeather = tool({
  name: "get_weather",
  description: "The weather in a city.",
  parameters: z.object({ city: z.string() }),
  execute: async ({ city }) => `sunny in ${city}`,
});

/** What a scenario reports: the usage its completed runs' model calls reported, summed. */
export interface ScenarioResult {
  inputTokens: number;
  outputTokens: number;
  /** Model responses of the completed runs. */
  modelCalls: number;
}

/** A sequence of real `run()`s of the SDK against `session`. */
export type Scenario = (session: Session) => Promise<ScenarioResult>;

/** Anything with the model responses of a run (a result, streamed or not). */
interface Responses {
  rawResponses: { usage: { inputTokens: number; outputTokens: number } }[];
}

function tally(results: Responses[]): ScenarioResult {
  let inputTokens = 0;
  let outputTokens = 0;
  let calls = 0;
  for (const r of results) {
    for (const raw of r.rawResponses) {
      calls++;
      inputTokens += raw.usage.inputTokens;
      outputTokens += raw.usage.outputTokens;
    }
  }
  return { inputTokens, outputTokens, modelCalls: calls };
}

/** The scenarios every adapter runs, each on a fresh session and fresh models. */
export const SCENARIOS: Record<string, Scenario> = {
  "multi-turn with reasoning": async (session) => {
    const model = new ToyModel("assistant");
    const agent = new Agent({ name: "assistant", instructions: "Be brief.", model });
    const results: Responses[] = [];
    for (const input of ["hello", "how are you", "think about rain"]) {
      results.push(await run(agent, input, { session }));
    }
    return tally(results);
  },
  "tool calls": async (session) => {
    const model = new ToyModel("assistant");
    const agent = new Agent({ name: "assistant", model, tools: [getWeather] });
    const results: Responses[] = [];
    for (const input of ["weather Paris", "thanks", "weather Oslo"]) {
      results.push(await run(agent, input, { session }));
    }
    return tally(results);
  },
  streaming: async (session) => {
    const model = new ToyModel("assistant");
    const agent = new Agent({ name: "assistant", model, tools: [getWeather] });
    const results: Responses[] = [];
    for (const input of ["weather Lima", "hello again"]) {
      const result = await run(agent, input, { session, stream: true });
      let text = "";
      for await (const chunk of result.toTextStream()) text += chunk;
      await result.completed;
      if (!text.includes(input === "hello again" ? "hello again" : "sunny in Lima")) {
        throw new Error(`streamed text was ${JSON.stringify(text)}`);
      }
      results.push(result);
    }
    return tally(results);
  },
  handoffs: async (session) => {
    const billingModel = new ToyModel("billing");
    const triageModel = new ToyModel("triage");
    const billing = new Agent({ name: "billing", instructions: "Bills.", model: billingModel });
    const triage = new Agent({
      name: "triage",
      instructions: "Route.",
      model: triageModel,
      handoffs: [handoff(billing)],
    });
    const results: Responses[] = [];
    results.push(await run(triage, "transfer", { session }));
    results.push(await run(triage, "hello", { session }));
    return tally(results);
  },
  "a run that fails midway and is retried": async (session) => {
    const model = new ToyModel("assistant");
    const agent = new Agent({ name: "assistant", model, tools: [getWeather] });
    const results: Responses[] = [];
    results.push(await run(agent, "hello", { session }));
    // The first model call makes a tool call, the tool runs, the second call fails.
    model.failAt = model.calls + 2;
    let failed = false;
    try {
      await run(agent, "weather Rome", { session });
    } catch {
      failed = true;
    }
    if (!failed) throw new Error("the run was meant to fail");
    results.push(await run(agent, "weather Rome", { session }));
    return tally(results);
  },
  "an output guardrail blocks an answer (history transactions)": async (session) => {
    const model = new ToyModel("assistant");
    const agent = new Agent({
      name: "assistant",
      model,
      tools: [getWeather],
      // The tool's output is the final output: a blocked one is replaced in the history.
      toolUseBehavior: "stop_on_first_tool",
      outputGuardrails: [
        {
          name: "no secrets",
          execute: async ({ agentOutput }) => ({
            tripwireTriggered: String(agentOutput).includes("Oslo"),
            outputInfo: null,
          }),
        },
      ],
    });
    const results: Responses[] = [];
    results.push(await run(agent, "weather Paris", { session }));
    let blocked = false;
    try {
      await run(agent, "weather Oslo", { session });
    } catch (error) {
      blocked = error instanceof OutputGuardrailTripwireTriggered;
      // The blocked run's history is persisted (a transaction), with its usage.
      const state = blocked
        ? (error as { state?: { _modelResponses: Responses["rawResponses"] } }).state
        : undefined;
      if (state) results.push({ rawResponses: state._modelResponses });
    }
    if (!blocked) throw new Error("the guardrail was meant to trip");
    results.push(await run(agent, "hello", { session }));
    return tally(results);
  },
  compaction: async (session) => {
    const model = new ToyModel("assistant");
    const agent = new Agent({ name: "assistant", model, tools: [getWeather] });
    const results: Responses[] = [];
    for (const input of ["hello", "weather Bern", "compact", "after compaction"]) {
      results.push(await run(agent, input, { session }));
    }
    return tally(results);
  },
};
