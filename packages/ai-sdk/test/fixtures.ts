import type { UIMessage } from "ai";

/**
 * A chat using every UI part the AI SDK (ai 7) has, tool parts in every
 * state (static `tool-<name>` and `dynamic-tool`, approvals included),
 * message metadata and provider metadata.
 */
export function everyPartChat(): UIMessage[] {
  return [
    { id: "sys-1", role: "system", parts: [{ type: "text", text: "Be brief." }] },
    {
      id: "user-1",
      role: "user",
      metadata: { sentAt: 1767225600000, client: { app: "web", build: [1, 2] } },
      parts: [
        { type: "text", text: "What is in this picture, and the weather in Paris?" },
        {
          type: "file",
          mediaType: "image/png",
          url: "data:image/png;base64,iVBORw0KGgo=",
          filename: "cat.png",
        },
        { type: "file", mediaType: "application/pdf", url: "https://example.com/report.pdf" },
      ],
    },
    {
      id: "assistant-1",
      role: "assistant",
      metadata: { model: "mock", finishReason: "tool-calls" },
      parts: [
        { type: "step-start" },
        {
          type: "reasoning",
          id: "r-1",
          text: "A cat; then look up the weather.",
          state: "done",
          providerMetadata: { anthropic: { signature: "sig==" } },
        },
        { type: "text", text: "A cat. ", state: "done" },
        {
          type: "tool-weather",
          toolCallId: "call-ok",
          state: "output-available",
          input: { city: "Paris", units: ["c", "f"] },
          output: { celsius: 21, sky: "clear", nested: { z: 1, a: [null, true] } },
          callProviderMetadata: { openai: { itemId: "fc_1" } },
        },
        {
          type: "tool-weather",
          toolCallId: "call-err",
          state: "output-error",
          input: { city: "Atlantis" },
          errorText: "no such city",
        },
        {
          type: "tool-weather",
          toolCallId: "call-streaming",
          state: "input-streaming",
          input: { city: "Ly" },
          rawInput: '{"city":"Ly',
        },
        {
          type: "tool-weather",
          toolCallId: "call-ready",
          state: "input-available",
          input: { city: "Oslo" },
        },
        {
          type: "tool-deleteFile",
          toolCallId: "call-approve",
          state: "approval-requested",
          input: { path: "/tmp/x" },
          approval: { id: "appr-1" },
        },
        {
          type: "tool-deleteFile",
          toolCallId: "call-responded",
          state: "approval-responded",
          input: { path: "/tmp/y" },
          approval: { id: "appr-2", approved: true, reason: "fine" },
        },
        {
          type: "tool-deleteFile",
          toolCallId: "call-denied",
          state: "output-denied",
          input: { path: "/etc" },
          approval: { id: "appr-3", approved: false, reason: "not there" },
        },
        {
          type: "dynamic-tool",
          toolName: "mcp_search",
          toolCallId: "call-dyn",
          state: "output-available",
          input: { q: "llm" },
          output: [{ title: "a" }, { title: "b" }],
          providerExecuted: true,
        },
        { type: "step-start" },
        { type: "source-url", sourceId: "s-1", url: "https://example.com/paris", title: "Paris" },
        {
          type: "source-document",
          sourceId: "s-2",
          mediaType: "application/pdf",
          title: "Report",
          filename: "r.pdf",
        },
        { type: "data-weather", id: "w-1", data: { city: "Paris", celsius: 21 } },
        { type: "data-notice", data: "plain string data" },
        { type: "text", text: "Paris: 21 °C, clear. Ünïcödé ✓ 😀", state: "done" },
      ],
    },
  ];
}
