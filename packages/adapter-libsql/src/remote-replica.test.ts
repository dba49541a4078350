import { openStore, type Store } from "@llm-sessions/core";
import { type SqldCluster, startSqldWithReplica } from "@llm-sessions/stress/sqld";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { libsql } from "./index.js";
import { REMOTE_SCHEMES } from "./test-support/remote-suites.js";
import { serverOf } from "./test-support/sqld-target.js";

/** Polls `read` every 10 ms until `done` holds for its value (a hang guard of 60 s). */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const available = serverOf(inject("sqld")) !== undefined;

/**
 * A store on a sqld replica: writes go through it to the primary, reads are
 * served by the replica. What a caller sees is what the README says.
 */
describe.skipIf(!available)("a store on a sqld replica", () => {
  let cluster: SqldCluster;
  beforeAll(async () => {
    cluster = await startSqldWithReplica();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  for (const scheme of REMOTE_SCHEMES) {
    it(`over ${scheme}: appends through the replica are on the primary once acknowledged, once each; the replica serves them once it has caught up`, async () => {
      const at = (s: { httpUrl: string; wsUrl: string }) => (scheme === "ws" ? s.wsUrl : s.httpUrl);
      const stores: Store[] = [];
      try {
        const onReplica = await openStore({ driver: libsql({ url: at(cluster.replica) }) });
        stores.push(onReplica);
        const onPrimary = await openStore({ driver: libsql({ url: at(cluster.primary) }) });
        stores.push(onPrimary);
        const session = await onReplica.sessions.create({ title: `replica ${scheme}` });
        for (let i = 0; i < 20; i++) {
          const [stored] = await onReplica.messages.append(session.id, [
            { role: "user", content: `m${i} ${scheme}needle`, idempotencyKey: `k${i}` },
          ]);
          expect(stored?.seq).toBe(i + 1);
          // The append answered with what it stored: the primary has it now.
          expect((await onPrimary.messages.last(session.id, 1)).map((m) => m.content)).toEqual([
            `m${i} ${scheme}needle`,
          ]);
        }
        // The same key again stores nothing, through the replica too.
        await onReplica.messages.append(session.id, [
          { role: "user", content: `m0 ${scheme}needle`, idempotencyKey: "k0" },
        ]);
        expect((await onPrimary.sessions.get(session.id)).messageCount).toBe(20);
        // The replica serves reads once it has caught up (replication is asynchronous).
        const seen = await eventually(
          () => onReplica.messages.last(session.id, 50),
          (m) => m.length === 20,
        );
        expect(seen.map((m) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
        const found = await eventually(
          () => onReplica.search(`${scheme}needle`, { limit: 100 }),
          (r) => r.items.length === 20,
        );
        expect(found.items).toHaveLength(20);
      } finally {
        await Promise.allSettled(stores.map((s) => s.close()));
      }
    }, 120_000);
  }
});
