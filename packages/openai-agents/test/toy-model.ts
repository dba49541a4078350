import {
  type AgentInputItem,
  type AgentOutputItem,
  type Model,
  type ModelRequest,
  type ModelResponse,
  type StreamEvent,
  Usage,
} from "@openai/agents-core";

/**
 * A deterministic model of our own (no network) for real `run()`s. It reads
 * the request's input and answers:
 * - after a function result: "result: <output>";
 * - "weather <city>": a `get_weather` function call;
 * - "transfer": a call of the first handoff tool;
 * - "think <x>": a reasoning item and "thought about <x>";
 * - "compact": a compaction item, then "compacted";
 * - anything else: "<agent>: <text>".
 * Each call reports usage (input tokens grow with the input).
 * `failAt` makes that call (1-based) throw (a run that fails midway).
 */
export class ToyModel implements Model {
  calls = 0;
  failAt: number | undefined;
  #responses = 0;

  constructor(readonly agentName = "toy") {}

  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    this.calls++;
    if (this.calls === this.failAt) {
      throw new Error("toy model: provider unavailable");
    }
    const output = this.#answer(request);
    const n = ++this.#responses;
    return { usage: this.#usage(request), output, responseId: `resp_${this.agentName}_${n}` };
  }

  async *getStreamedResponse(request: ModelRequest): AsyncIterable<StreamEvent> {
    const response = await this.getResponse(request);
    yield { type: "response_started" };
    for (const item of response.output) {
      if (item.type === "message" && Array.isArray(item.content)) {
        for (const c of item.content) {
          if (typeof c === "object" && c.type === "output_text") {
            for (const word of c.text.split(/(?= )/))
              yield { type: "output_text_delta", delta: word };
          }
        }
      }
    }
    const u = response.usage;
    yield {
      type: "response_done",
      response: {
        id: response.responseId ?? "resp",
        usage: {
          requests: 1,
          inputTokens: u.inputTokens,
          outputTokens: u.outputTokens,
          totalTokens: u.totalTokens,
          inputTokensDetails: u.inputTokensDetails[0] ?? {},
          outputTokensDetails: u.outputTokensDetails[0] ?? {},
        },
        output: response.output,
      },
    } as StreamEvent;
  }

  #usage(request: ModelRequest): Usage {
    const inputs = Array.isArray(request.input) ? request.input.length : 1;
    return new Usage({
      requests: 1,
      input_tokens: 10 + inputs,
      output_tokens: 5,
      total_tokens: 15 + inputs,
      input_tokens_details: { cached_tokens: 2 },
      output_tokens_details: { reasoning_tokens: 1 },
    });
  }

  #answer(request: ModelRequest): AgentOutputItem[] {
    const input: AgentInputItem[] =
      typeof request.input === "string"
        ? [{ role: "user", content: request.input }]
        : request.input;
    const last = input.at(-1);
    const n = this.#responses + 1;
    if (last?.type === "function_call_result") {
      const out = last.output;
      const text =
        typeof out === "string" ? out : "text" in out ? String(out.text) : JSON.stringify(out);
      return [message(`result: ${text}`, `msg_${this.agentName}_${n}`)];
    }
    const text = lastUserText(input);
    if (text.startsWith("weather ")) {
      return [
        {
          type: "function_call",
          id: `fc_${n}`,
          callId: `call_${this.agentName}_${n}`,
          name: "get_weather",
          arguments: JSON.stringify({ city: text.slice(8) }),
          status: "completed",
        },
      ];
    }
    const handoff = request.handoffs[0];
    if (text === "transfer" && handoff) {
      return [
        {
          type: "function_call",
          id: `fc_${n}`,
          callId: `call_handoff_${n}`,
          name: handoff.toolName,
          arguments: "{}",
          status: "completed",
        },
      ];
    }
    if (text.startsWith("think ")) {
      return [
        {
          type: "reasoning",
          id: `rs_${n}`,
          content: [{ type: "input_text", text: `pondering ${text.slice(6)}` }],
        },
        message(`thought about ${text.slice(6)}`, `msg_${this.agentName}_${n}`),
      ];
    }
    if (text === "compact") {
      return [
        {
          type: "compaction",
          id: `cmp_${n}`,
          encrypted_content: `summary of ${input.length} items`,
        },
        message("compacted", `msg_${this.agentName}_${n}`),
      ];
    }
    return [message(`${this.agentName}: ${text}`, `msg_${this.agentName}_${n}`)];
  }
}

function message(text: string, id: string): AgentOutputItem {
  return {
    type: "message",
    id,
    role: "assistant",
    status: "completed",
    content: [{ type: "output_text", text }],
  };
}

function lastUserText(input: AgentInputItem[]): string {
  for (let i = input.length - 1; i >= 0; i--) {
    const item = input[i];
    if (item && (item.type === undefined || item.type === "message") && item.role === "user") {
      const c = item.content;
      if (typeof c === "string") return c;
      const t = c.find((p) => p.type === "input_text");
      return t && "text" in t ? t.text : "";
    }
  }
  return "";
}
