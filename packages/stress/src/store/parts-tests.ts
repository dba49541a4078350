import {
  IdempotencyConflictError,
  type MessagePart,
  type NewMessage,
  ValidationError,
} from "@llm-sessions/core";
import { describe, expect } from "vitest";
import type { StoreHarness } from "./harness.js";

/** One part of each type, with JSON whose key order, numbers and text must come back as given. */
const EVERY_PART: MessagePart[] = [
  { type: "reasoning", text: "the user wants the weather", providerMetadata: { sig: "abc" } },
  { type: "text", text: "Let me look that up 🌦" },
  {
    type: "tool-call",
    toolCallId: "call-1",
    toolName: "weather",
    input: { zeta: 1, alpha: [0.1, 1e21, -3, 9007199254740991], "mixed ü 😀": null },
  },
  { type: "tool-result", toolCallId: "call-1", toolName: "weather", output: { tempC: 21.5 } },
  { type: "tool-result", toolCallId: "call-1", output: "timeout\u0000text", isError: true },
  { type: "file", mediaType: "image/png", filename: "a.png", data: new Uint8Array([0, 255, 1]) },
  { type: "file", mediaType: "application/pdf", url: "https://example.com/a.pdf" },
  { type: "data", name: "weather-card", id: "d1", data: [{ b: 2, a: 1 }, "x", true] },
];

/** Store suite: message parts, roles, tool call rules and usage (schema v5). */
export function registerPartsTests(h: StoreHarness): void {
  describe("message parts and usage", () => {
    h.test(
      "parts.every-type-round-trips",
      "every part type round-trips byte for byte (key order, numbers, Unicode, bytes) through append, last, list, search, fork, archive and restore",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create();
        const [stored] = await store.messages.append(s.id, {
          role: "assistant",
          parts: EVERY_PART,
        });
        expect(stored?.parts).toEqual(EVERY_PART);
        // Key order of the caller's JSON is kept, not only the data.
        expect(JSON.stringify(stored?.parts?.[2])).toBe(JSON.stringify(EVERY_PART[2]));
        expect(JSON.stringify(stored?.parts?.[7])).toBe(JSON.stringify(EVERY_PART[7]));
        // Content is the text parts only.
        expect(stored?.content).toBe("Let me look that up 🌦");
        const [read] = await store.messages.last(s.id, 1);
        expect(read).toEqual(stored);
        expect(read?.parts?.[5]).toMatchObject({ data: new Uint8Array([0, 255, 1]) });
        expect((await store.messages.list(s.id)).items).toEqual([stored]);
        expect((await store.search("look")).items.map((hit) => hit.message)).toEqual([stored]);
        // Reasoning and tool names are not searched.
        expect((await store.search("weather")).items).toEqual([]);
        const fork = await store.sessions.fork(s.id);
        expect((await store.messages.last(fork.id, 1))[0]?.parts).toEqual(EVERY_PART);
        await store.lifecycle.archive(s.id);
        expect((await store.messages.list(s.id)).items).toEqual([stored]);
        await store.lifecycle.restore(s.id);
        expect((await store.messages.list(s.id)).items).toEqual([stored]);
        await expect(store.integrity.check()).resolves.toMatchObject({ ok: true, findings: [] });
      },
    );

    h.test(
      "parts.roles-and-plain-text",
      "every role is accepted; a plain text message has parts null; content may be given with parts",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create();
        const roles = ["system", "developer", "user", "assistant", "tool"] as const;
        const stored = await store.messages.append(
          s.id,
          roles.map((role) => ({ role, content: role })),
        );
        expect(stored.map((m) => [m.role, m.parts, m.usage])).toEqual(
          roles.map((r) => [r, null, null]),
        );
        const [withContent] = await store.messages.append(s.id, {
          role: "assistant",
          content: "searchable summary",
          parts: [{ type: "text", text: "a" }],
        });
        expect(withContent?.content).toBe("searchable summary");
        expect((await store.search("summary")).items).toHaveLength(1);
      },
    );

    h.test(
      "parts.tool-result-needs-call",
      "a tool result without its call is a ValidationError (nothing written) unless allowUnknownToolCalls; a call id used twice is refused",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create();
        const result = (id: string): NewMessage => ({
          role: "tool",
          parts: [{ type: "tool-result", toolCallId: id, output: "ok" }],
        });
        const call = (id: string): NewMessage => ({
          role: "assistant",
          parts: [{ type: "tool-call", toolCallId: id, toolName: "t", input: {} }],
        });
        await expect(
          store.messages.append(s.id, [{ role: "user", content: "hi" }, result("c1")]),
        ).rejects.toBeInstanceOf(ValidationError);
        expect((await store.sessions.get(s.id)).messageCount).toBe(0);
        // The call earlier in the same append, or in an earlier append, is enough.
        await store.messages.append(s.id, [call("c1"), result("c1")]);
        await store.messages.append(s.id, call("c2"));
        await store.messages.append(s.id, result("c2"));
        // A result may answer a call of its own message (a provider-executed tool).
        await store.messages.append(s.id, {
          role: "assistant",
          parts: [
            { type: "tool-call", toolCallId: "c3", toolName: "t", input: 1 },
            { type: "tool-result", toolCallId: "c3", output: 2 },
          ],
        });
        await expect(store.messages.append(s.id, call("c1"))).rejects.toBeInstanceOf(
          ValidationError,
        );
        await expect(store.messages.append(s.id, [call("c9"), call("c9")])).rejects.toBeInstanceOf(
          ValidationError,
        );
        const [orphan] = await store.messages.append(s.id, result("elsewhere"), {
          allowUnknownToolCalls: true,
        });
        expect(orphan?.parts?.[0]).toMatchObject({ toolCallId: "elsewhere" });
        // A call removed (pop) can be made again; another session's calls are not this one's.
        const other = await store.sessions.create();
        await expect(store.messages.append(other.id, result("c1"))).rejects.toBeInstanceOf(
          ValidationError,
        );
        await store.messages.pop(s.id);
        await store.messages.pop(s.id);
        await store.messages.append(s.id, call("c3"));
        expect((await store.sessions.get(s.id)).messageCount).toBe(5);
        await expect(store.integrity.check()).resolves.toMatchObject({ ok: true });
      },
    );

    h.test(
      "parts.validation-errors",
      "malformed parts and usage are ValidationErrors and write nothing",
      async () => {
        const store = await h.open({ limits: { maxPartsBytes: 1000 } });
        const s = await store.sessions.create();
        const bad: unknown[] = [
          { role: "critic", content: "x" },
          { role: "user" },
          { role: "user", parts: [] },
          { role: "user", parts: [{ type: "text" }] },
          { role: "user", parts: [{ type: "text", text: "a", extra: 1 }] },
          { role: "user", parts: [{ type: "video", text: "a" }] },
          { role: "user", parts: [{ type: "text", text: "lone \ud800" }] },
          { role: "user", parts: [{ type: "text", text: "nul \u0000" }] },
          { role: "user", parts: [{ type: "data", name: "d", data: { k: "\udc00" } }] },
          { role: "user", parts: [{ type: "data", name: "d", data: undefined }] },
          { role: "user", parts: [{ type: "data", name: "d", data: new Date(0) }] },
          { role: "user", parts: [{ type: "data", name: "d", data: Number.NaN }] },
          { role: "user", parts: [{ type: "file", mediaType: "image/png" }] },
          {
            role: "user",
            parts: [{ type: "file", mediaType: "a/b", url: "u", data: new Uint8Array(1) }],
          },
          { role: "user", parts: [{ type: "file", mediaType: "a/b", data: [1, 2] }] },
          { role: "user", parts: [{ type: "tool-call", toolCallId: "", toolName: "t", input: 1 }] },
          { role: "user", parts: [{ type: "data", name: "d", data: "x".repeat(2000) }] },
          { role: "user", content: "x", usage: { inputTokens: -1 } },
          { role: "user", content: "x", usage: { outputTokens: 1.5 } },
          { role: "user", content: "x", usage: { tokens: 1 } },
          { role: "user", content: "x", usage: { cost: { micros: 1 } } },
          { role: "user", content: "x", usage: { cost: { micros: 1, currency: "" } } },
        ];
        for (const message of bad) {
          await expect(
            store.messages.append(s.id, message as NewMessage),
            JSON.stringify(message),
          ).rejects.toBeInstanceOf(ValidationError);
        }
        await expect(
          store.messages.append(s.id, { role: "user", content: "x" }, {
            allowUnknownToolCalls: "yes",
          } as never),
        ).rejects.toBeInstanceOf(ValidationError);
        expect((await store.sessions.get(s.id)).messageCount).toBe(0);
      },
    );

    h.test(
      "parts.idempotency-compares-parts",
      "a retried key with the same parts and usage returns the stored message; different parts, part key order or usage is IdempotencyConflictError",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create();
        const message = (input: object, usage = { inputTokens: 3 }): NewMessage => ({
          role: "assistant",
          parts: [{ type: "tool-call", toolCallId: "c1", toolName: "t", input } as MessagePart],
          usage,
          idempotencyKey: "k",
        });
        const [first] = await store.messages.append(s.id, message({ a: 1, b: 2 }));
        const [again] = await store.messages.append(s.id, message({ a: 1, b: 2 }));
        expect(again).toEqual(first);
        for (const other of [
          message({ a: 1, b: 3 }),
          message({ b: 2, a: 1 }),
          message({ a: 1, b: 2 }, { inputTokens: 4 }),
        ]) {
          const error = await store.messages.append(s.id, other).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(IdempotencyConflictError);
        }
        expect((await store.sessions.get(s.id)).messageCount).toBe(1);
      },
    );

    h.test(
      "usage.totals-by-trigger",
      "usage is stored per message and summed into the session by triggers; delete, pop, fork, archive and restore keep the sums; one currency per session",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create({ model: "m" });
        const [a] = await store.messages.append(s.id, [
          {
            role: "assistant",
            content: "a",
            tokens: 7,
            usage: {
              inputTokens: 100,
              outputTokens: 20,
              cachedInputTokens: 40,
              reasoningTokens: 5,
              cost: { micros: 1500, currency: "USD" },
            },
          },
          { role: "assistant", content: "b", usage: { outputTokens: 2 } },
          { role: "user", content: "c" },
        ]);
        expect(a?.usage).toEqual({
          inputTokens: 100,
          outputTokens: 20,
          cachedInputTokens: 40,
          reasoningTokens: 5,
          cost: { micros: 1500, currency: "USD" },
        });
        const totals = {
          inputTokens: 100,
          outputTokens: 22,
          cachedInputTokens: 40,
          reasoningTokens: 5,
          costMicros: 1500,
          currency: "USD",
        };
        expect((await store.sessions.get(s.id)).usage).toEqual(totals);
        expect((await store.sessions.get(s.id)).tokenCount).toBe(7);
        await expect(
          store.messages.append(s.id, {
            role: "assistant",
            content: "d",
            usage: { cost: { micros: 1, currency: "EUR" } },
          }),
        ).rejects.toBeInstanceOf(ValidationError);
        const fork = await store.sessions.fork(s.id);
        expect(fork.usage).toEqual(totals);
        await store.lifecycle.archive(s.id);
        expect((await store.sessions.get(s.id)).usage).toEqual(totals);
        await store.lifecycle.restore(s.id);
        expect((await store.sessions.get(s.id)).usage).toEqual(totals);
        await store.messages.pop(s.id);
        await store.messages.pop(s.id);
        expect((await store.sessions.get(s.id)).usage).toMatchObject({ outputTokens: 20 });
        await expect(store.integrity.check()).resolves.toMatchObject({ ok: true, findings: [] });
      },
    );

    h.test(
      "usage.stats-per-model-tenant-window",
      "stats() sums usage per model and per tenant from the counters; stats({ since, until }) sums the metered messages appended in the window",
      async () => {
        const store = await h.open({ lifecycle: { sweepIntervalMs: 0 } });
        const acme = store.tenant("acme");
        const a = await acme.sessions.create({ model: "big" });
        const b = await store.sessions.create({ model: "small" });
        const t0 = h.clock.now;
        await acme.messages.append(a.id, {
          role: "assistant",
          content: "1",
          usage: { inputTokens: 10, outputTokens: 1, cost: { micros: 100, currency: "USD" } },
        });
        h.clock.advance(1000);
        await store.messages.append(b.id, [
          { role: "user", content: "not metered" },
          { role: "assistant", content: "2", tokens: 5, usage: { inputTokens: 20 } },
          // A message's own model counts in windows; the session's counts in all-time stats.
          {
            role: "assistant",
            content: "3",
            model: "other",
            usage: { outputTokens: 3, cost: { micros: 7, currency: "EUR" } },
          },
        ]);
        h.clock.advance(1000);
        await acme.messages.append(a.id, {
          role: "assistant",
          content: "4",
          usage: { inputTokens: 1000 },
        });

        const all = await store.stats();
        expect(all.usage).toEqual({
          inputTokens: 1030,
          outputTokens: 4,
          cachedInputTokens: 0,
          reasoningTokens: 0,
          cost: [
            { currency: "EUR", micros: 7 },
            { currency: "USD", micros: 100 },
          ],
        });
        expect(all.byModel.find((g) => g.model === "big")).toMatchObject({
          sessions: 1,
          messages: 2,
          usage: { inputTokens: 1010, cost: [{ currency: "USD", micros: 100 }] },
        });
        expect(all.byTenant.map((g) => [g.tenantId, g.messages, g.usage.inputTokens])).toEqual([
          [null, 3, 20],
          ["acme", 2, 1010],
        ]);
        const own = await acme.stats();
        expect(own.byTenant).toEqual([expect.objectContaining({ tenantId: "acme", messages: 2 })]);
        expect(own.usage.inputTokens).toBe(1010);

        const middle = await store.stats({ since: t0 + 1000, until: t0 + 2000 });
        expect(middle).toMatchObject({
          since: t0 + 1000,
          until: t0 + 2000,
          messages: 2,
          tokens: 5,
        });
        expect(middle.usage).toMatchObject({ inputTokens: 20, outputTokens: 3 });
        expect(middle.byModel.map((g) => [g.model, g.messages])).toEqual([
          ["other", 1],
          ["small", 1],
        ]);
        const first = await store.stats({ until: t0 + 1000 });
        expect(first.usage).toMatchObject({
          inputTokens: 10,
          cost: [{ currency: "USD", micros: 100 }],
        });
        expect((await store.stats({ since: t0 + 2000 })).usage.inputTokens).toBe(1000);
        // A tenant view's window is its own tenant's.
        expect((await acme.stats({ since: t0 })).usage.inputTokens).toBe(1010);
        expect((await store.stats({ since: t0 })).byTenant).toHaveLength(2);
        await expect(store.stats({ since: 5, until: 4 })).rejects.toBeInstanceOf(ValidationError);
        await expect(store.stats({ since: -1 })).rejects.toBeInstanceOf(ValidationError);
        await expect(store.stats({ from: 1 } as never)).rejects.toBeInstanceOf(ValidationError);
      },
    );

    h.test(
      "parts.large-payloads-in-chunks",
      "parts over inlinePartsBytes leave the row for chunks of at most 128 Ki characters (cut between code points) and come back whole through every read, fork, archive, restore and pop; deleted with their message; checked by integrity",
      async (ctx) => {
        const path = h.newPath();
        const driver = await h.createDriver({ path });
        const store = await h.open({
          path,
          limits: { inlinePartsBytes: 1024, maxPartsBytes: 4 * 1024 * 1024 },
        });
        const s = await store.sessions.create({ id: "big" });
        const bytes = new Uint8Array(300_000).map((_, i) => (i * 7919) % 256);
        // A long output whose surrogate pairs straddle every possible cut.
        const longText = `x${"🦜".repeat(150_000)}`;
        const parts: MessagePart[] = [
          { type: "text", text: "here is the file" },
          { type: "tool-call", toolCallId: "big-call", toolName: "fetch", input: { n: 1 } },
          { type: "file", mediaType: "application/octet-stream", data: bytes },
          { type: "tool-result", toolCallId: "big-call", output: longText },
        ];
        const [stored] = await store.messages.append(s.id, {
          role: "assistant",
          parts,
          idempotencyKey: "k",
        });
        expect(exact(stored?.parts)).toBe(exact(parts));
        expect(exact((await store.messages.last(s.id, 1))[0])).toBe(exact(stored));
        expect(exact((await store.messages.list(s.id)).items)).toBe(exact([stored]));
        expect(exact((await store.search("file")).items.map((hit) => hit.message))).toBe(
          exact([stored]),
        );
        // A retry with the same parts is the same message; the call is known to the session.
        expect(
          exact(
            await store.messages.append(s.id, { role: "assistant", parts, idempotencyKey: "k" }),
          ),
        ).toBe(exact([stored]));
        await store.messages.append(s.id, {
          role: "tool",
          parts: [{ type: "tool-result", toolCallId: "big-call", output: "again" }],
        });
        if (driver.capabilities.file) {
          const raw = await driver.connect();
          ctx.onTestFinished(() => raw.close());
          const row = await raw.get<{ parts: string | null; chunks: number; longest: number }>(
            `SELECT m.parts AS parts, m.parts_chunks AS chunks,
               (SELECT max(length(data)) FROM message_blobs WHERE message_pk = m.pk) AS longest
             FROM messages m JOIN sessions s ON s.pk = m.session_pk WHERE s.id = 'big' AND m.seq = 1`,
          );
          expect(row?.parts).toBeNull();
          expect(Number(row?.chunks)).toBeGreaterThan(3);
          expect(Number(row?.longest)).toBeLessThanOrEqual(128 * 1024);
        }
        const fork = await store.sessions.fork(s.id);
        expect(exact((await store.messages.list(fork.id)).items[0]?.parts)).toBe(exact(parts));
        // The fork's copy of the call is its own: a result answers it there.
        await store.messages.append(fork.id, {
          role: "tool",
          parts: [{ type: "tool-result", toolCallId: "big-call", output: "fork" }],
        });
        await store.lifecycle.archive(s.id);
        expect(exact((await store.messages.list(s.id)).items[0])).toBe(exact(stored));
        await store.lifecycle.restore(s.id);
        expect(exact((await store.messages.list(s.id)).items[0])).toBe(exact(stored));
        await expect(store.integrity.check()).resolves.toMatchObject({ ok: true, findings: [] });
        await store.messages.pop(s.id);
        expect(exact(await store.messages.pop(s.id))).toBe(exact(stored));
        // Its chunks and its call went with it.
        await expect(
          store.messages.append(s.id, {
            role: "tool",
            parts: [{ type: "tool-result", toolCallId: "big-call", output: "gone" }],
          }),
        ).rejects.toBeInstanceOf(ValidationError);
        await store.sessions.delete(fork.id);
        await expect(store.integrity.check()).resolves.toMatchObject({ ok: true, findings: [] });
        if (driver.capabilities.file) {
          const raw = await driver.connect();
          ctx.onTestFinished(() => raw.close());
          expect(await raw.get("SELECT count(*) AS n FROM message_blobs")).toEqual({ n: 0 });
        }
      },
    );
  });
}

/**
 * A value as one string, bytes included (as base64, tagged): comparing two of
 * these is exact and fast, where a deep equality walks a 300 kB byte array
 * one element at a time (seconds per comparison).
 */
function exact(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v instanceof Uint8Array ? { bytes: Buffer.from(v).toString("base64") } : v,
  );
}
