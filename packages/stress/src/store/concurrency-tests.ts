import { describe, expect } from "vitest";
import { expectSound, type StoreHarness } from "./harness.js";

/** Many concurrent callers in one process: nothing lost, duplicated or misordered. */
export function registerConcurrencyTests(h: StoreHarness, scale: number): void {
  describe("concurrency in one process", () => {
    h.test(
      "concurrency.appends-exact",
      `${1000 * scale} concurrent appends over 50 sessions leave exactly that many messages, seq 1..n`,
      async () => {
        const store = await h.open({
          pool: { readers: 4, maxWaiting: 100_000, acquireTimeoutMs: 60_000 },
        });
        const sessions = await Promise.all(
          Array.from({ length: 50 }, () => store.sessions.create()),
        );
        const total = 1000 * scale;
        const results = await Promise.allSettled(
          Array.from({ length: total }, (_, i) =>
            store.messages.append(sessions[i % 50]!.id, {
              role: "user",
              content: `message ${i}`,
              tokens: i % 7,
            }),
          ),
        );
        const failures = results.filter((r) => r.status === "rejected");
        expect(failures).toEqual([]);
        let stored = 0;
        for (const s of sessions) {
          const session = await store.sessions.get(s.id);
          const page = await store.messages.list(s.id, { limit: 1000 });
          expect(page.items.map((m) => m.seq)).toEqual(
            Array.from({ length: page.items.length }, (_, i) => i + 1),
          );
          expect(session.messageCount).toBe(page.items.length);
          expect(session.tokenCount).toBe(page.items.reduce((sum, m) => sum + (m.tokens ?? 0), 0));
          stored += page.items.length;
        }
        expect(stored).toBe(total);
        // Every append's own content is stored exactly once.
        const contents = new Set<string>();
        for (const s of sessions) {
          for (const m of (await store.messages.list(s.id, { limit: 1000 })).items)
            contents.add(m.content);
        }
        expect(contents.size).toBe(total);
        await expectSound(store);
      },
    );

    h.test(
      "concurrency.concurrent-readers-writers-reads",
      "concurrent readers and writers: reads never fail and see whole batches",
      async () => {
        const store = await h.open({ pool: { readers: 3 } });
        const s = await store.sessions.create();
        const writes = Array.from({ length: 100 }, (_, i) =>
          store.messages.append(s.id, [
            { role: "user", content: `q${i}` },
            { role: "assistant", content: `a${i}` },
          ]),
        );
        const reads = Array.from({ length: 100 }, async () => {
          const last = await store.messages.last(s.id, 50);
          // A batch of two is all-or-nothing, so a reader never sees an odd count.
          expect(last.length % 2).toBe(0);
          const session = await store.sessions.get(s.id);
          expect(session.messageCount % 2).toBe(0);
        });
        await Promise.all([...writes, ...reads]);
        expect((await store.sessions.get(s.id)).messageCount).toBe(200);
      },
    );
  });
}
