import { SessionNotFoundError, type Store, ValidationError } from "@llm-sessions/core";
import fc from "fast-check";
import { describe, expect } from "vitest";
import { expectSound, type StoreHarness } from "./harness.js";

type Op =
  | { kind: "append"; session: number; count: number; key: number | null; tokens: number }
  | { kind: "pop"; session: number }
  | { kind: "fork"; session: number; at: number }
  | { kind: "delete"; session: number }
  | { kind: "create" };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("append" as const),
      session: fc.nat(5),
      count: fc.integer({ min: 1, max: 4 }),
      key: fc.option(fc.nat(6)),
      tokens: fc.nat(50),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("pop" as const), session: fc.nat(5) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("fork" as const), session: fc.nat(5), at: fc.nat(8) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("delete" as const), session: fc.nat(5) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("create" as const) }) },
);

/** Applies one op; returns the session ids that exist afterwards. */
async function apply(store: Store, ids: string[], op: Op, words: string[]): Promise<string[]> {
  if (op.kind === "create" || ids.length === 0) {
    return [...ids, (await store.sessions.create()).id];
  }
  const id = ids[op.session % ids.length]!;
  switch (op.kind) {
    case "append": {
      // The same key inside a batch and across batches must store one message;
      // a keyed message is a function of its key, so a reused key is a retry
      // (a different message under a used key is IdempotencyConflictError).
      const messages = Array.from({ length: op.count }, (_, i) =>
        op.key === null
          ? {
              role: "user" as const,
              content: `${words[(op.tokens + i) % words.length]} ${op.tokens}`,
              tokens: op.tokens,
              idempotencyKey: null,
            }
          : {
              role: "user" as const,
              content: `${words[op.key % words.length]} key ${op.key}`,
              tokens: op.key,
              idempotencyKey: `k${op.key}`,
            },
      );
      const before = await store.sessions.get(id);
      const stored = await store.messages.append(id, messages);
      const after = await store.sessions.get(id);
      const newIds = new Set(stored.filter((m) => m.seq > before.lastSeq).map((m) => m.id));
      expect(after.messageCount - before.messageCount).toBe(newIds.size);
      return ids;
    }
    case "pop":
      await store.messages.pop(id);
      return ids;
    case "fork": {
      const s = await store.sessions.get(id);
      const fork = await store.sessions.fork(id, { atSeq: Math.min(op.at, s.lastSeq) });
      return [...ids, fork.id];
    }
    case "delete":
      await store.sessions.delete(id);
      await expect(store.sessions.get(id)).rejects.toBeInstanceOf(SessionNotFoundError);
      return ids.filter((x) => x !== id);
  }
}

/** fast-check properties of the session rules. */
export function registerPropertyTests(h: StoreHarness, runs: number): void {
  describe("properties", () => {
    h.test(
      "properties.after-appends-repeated-keys",
      "after any appends (with repeated keys), pops, forks and deletes the rules hold",
      async () => {
        const store = await h.open();
        const words = ["alpha", "bravo", "charlie", "delta", "echo"];
        await fc.assert(
          fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 25 }), async (ops) => {
            let ids: string[] = [];
            for (const op of ops) ids = await apply(store, ids, op, words);
            // counters = rows, seq gap-free, no orphans, FTS index = rows
            await expectSound(store);
            for (const id of ids) {
              const s = await store.sessions.get(id);
              const all = (await store.messages.list(id, { limit: 1000 })).items;
              expect(all.map((m) => m.seq)).toEqual(all.map((_, i) => i + 1));
              expect(s.messageCount).toBe(all.length);
              const keys = all.map((m) => m.idempotencyKey).filter((k) => k !== null);
              expect(new Set(keys).size).toBe(keys.length);
            }
            // Every stored message is found by search through its word.
            for (const word of words) {
              let found = 0;
              let cursor: string | null = null;
              do {
                const page: Awaited<ReturnType<Store["search"]>> = await store.search(word, {
                  limit: 200,
                  cursor,
                });
                found += page.items.length;
                cursor = page.nextCursor;
              } while (cursor);
              let expected = 0;
              for (const id of ids) {
                expected += (await store.messages.list(id, { limit: 1000 })).items.filter((m) =>
                  m.content.startsWith(`${word} `),
                ).length;
              }
              expect(found).toBe(expected);
            }
            // Leave an empty store for the next run, so its counts are its own.
            for (const id of ids) await store.sessions.delete(id);
            expect((await store.stats()).messages).toBe(0);
          }),
          { numRuns: runs },
        );
      },
    );

    h.test(
      "properties.string-given-search-yields",
      "any string given to search yields results or a ValidationError for an empty query, nothing else",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create();
        await store.messages.append(s.id, [
          { role: "user", content: 'AND OR NOT NEAR(a b) "quoted" * - : ^ ( ) col:umn 日本語 😀' },
        ]);
        const syntax = fc.constantFrom(
          '"',
          "AND",
          "OR",
          "NOT",
          "NEAR(",
          "*",
          "-",
          ":",
          "(",
          ")",
          "^",
          "{",
          "}",
          "+",
          "\u0000",
          " ",
          "日本",
          "😀",
          "a",
          "quoted",
        );
        const queries = fc.oneof(
          fc.string({ unit: "grapheme", maxLength: 40 }),
          fc.string({ unit: "binary", maxLength: 40 }),
          fc.array(syntax, { maxLength: 12 }).map((parts) => parts.join("")),
          fc.array(syntax, { maxLength: 8 }).map((parts) => parts.join(" ")),
        );
        let errors = 0;
        await fc.assert(
          fc.asyncProperty(queries, async (q) => {
            try {
              const page = await store.search(q);
              expect(Array.isArray(page.items)).toBe(true);
            } catch (error) {
              errors += 1;
              expect(error).toBeInstanceOf(ValidationError);
              // Refused only when empty, over a documented search bound, or text no
              // field accepts (a NUL, a lone surrogate).
              const bound = /at most \d+ (prefix )?words|prefix word needs/;
              const badText = q.includes("\u0000") || /\p{Surrogate}/u.test(q);
              if (q.trim() !== "") {
                for (const issue of (error as ValidationError).issues) {
                  expect(issue.message).toMatch(
                    badText ? /NUL character|well-formed UTF-16|at most|prefix/ : bound,
                  );
                }
              }
            }
          }),
          { numRuns: 500 },
        );
        expect(errors).toBeLessThan(500);
      },
    );

    h.test(
      "properties.nothing-done-through-tenant",
      "nothing done through tenant a reads or changes tenant b's data",
      async () => {
        const store = await h.open();
        const b = store.tenant("b");
        const bSession = await b.sessions.create({ title: "b's" });
        await b.messages.append(bSession.id, [{ role: "user", content: "tenant b secret words" }]);
        const snapshot = async () => ({
          session: await b.sessions.get(bSession.id),
          messages: await b.messages.last(bSession.id, 100),
          stats: await b.stats(),
        });
        const before = await snapshot();
        const a = store.tenant("a");
        const aOp = fc.oneof(
          fc.constant(async () => a.sessions.get(bSession.id)),
          fc.constant(async () => a.sessions.update(bSession.id, { title: "pwned" })),
          fc.constant(async () => a.sessions.delete(bSession.id)),
          fc.constant(async () => a.sessions.fork(bSession.id)),
          fc.constant(async () => a.messages.append(bSession.id, { role: "user", content: "x" })),
          fc.constant(async () => a.messages.pop(bSession.id)),
          fc.constant(async () => a.messages.last(bSession.id, 10)),
          fc.constant(async () => a.messages.list(bSession.id)),
          fc.constant(async () => {
            const hits = await a.search("secret words");
            expect(hits.items.some((h) => h.message.sessionId === bSession.id)).toBe(false);
          }),
          fc.constant(async () => {
            const list = await a.sessions.list();
            expect(list.items.some((s) => s.id === bSession.id)).toBe(false);
          }),
          fc.constant(async () => {
            const own = await a.sessions.create();
            await a.messages.append(own.id, { role: "user", content: "a's own secret words" });
          }),
        );
        await fc.assert(
          fc.asyncProperty(fc.array(aOp, { minLength: 1, maxLength: 10 }), async (ops) => {
            for (const op of ops) {
              try {
                await op();
              } catch (error) {
                expect(error).toBeInstanceOf(SessionNotFoundError);
              }
            }
            expect(await snapshot()).toEqual(before);
          }),
          { numRuns: runs },
        );
      },
    );
  });
}
