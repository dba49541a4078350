/**
 * The library's public face as a program: everything an application
 * developer writes (open, create, append, read the context, fork, search,
 * tenants), on whichever driver is passed in. Run it with
 * `node dist/public-face.js [better-sqlite3|libsql] [file]`.
 */
import { openStore, type SqliteDriver, type Store } from "@llm-sessions/core";

export interface PublicFaceResult {
  readonly store: Store;
  readonly contextLength: number;
  readonly forkMessages: number;
  readonly hits: number;
  readonly acmeSees: number;
}

export async function publicFace(driver: SqliteDriver): Promise<PublicFaceResult> {
  let now = Date.UTC(2026, 0, 1);
  const store = await openStore({
    driver,
    pool: { readers: 4, acquireTimeoutMs: 5_000, maxWaiting: 1_000 },
    durability: "normal",
    clock: () => now,
  });

  const s = await store.sessions.create({
    title: "Password help",
    model: "swift-mini",
    metadata: { channel: "web" },
    tenantId: null,
  });
  await store.messages.append(s.id, [
    { role: "user", content: "hi, how do I reset my password?", idempotencyKey: "req-1" },
  ]);
  // A retried request with the same key stores nothing new.
  await store.messages.append(s.id, [
    { role: "user", content: "hi, how do I reset my password?", idempotencyKey: "req-1" },
  ]);
  now += 1_000;
  await store.messages.append(s.id, [
    {
      role: "assistant",
      content: "Open Settings, then Security, then Reset password.",
      model: "swift-mini",
      tokens: 12,
      latencyMs: 420,
    },
    { role: "assistant", content: "oops, a duplicate answer" },
  ]);
  await store.messages.pop(s.id); // undo the last message
  const context = await store.messages.last(s.id, 50);
  const page = await store.messages.list(s.id, { afterSeq: 0, limit: 1 });
  await store.messages.list(s.id, { cursor: page.nextCursor, limit: 1 });
  const full = await store.sessions.get(s.id);
  await store.sessions.list({ status: "active", model: "swift-mini", limit: 10 });
  await store.sessions.update(s.id, {
    title: "Password reset",
    metadata: { channel: "web", solved: true },
  });
  const branch = await store.sessions.fork(s.id, { atSeq: 1 });
  const hits = await store.search("reset password", { limit: 5 });
  await store.stats();

  const acme = store.tenant("acme");
  await acme.sessions.create({ title: "acme's own" });
  const acmeSees = (await acme.sessions.list()).items.length;

  await store.sessions.delete(branch.id);
  if (full.messageCount !== 2) throw new Error(`expected 2 messages, got ${full.messageCount}`);
  return {
    store,
    contextLength: context.length,
    forkMessages: branch.messageCount,
    hits: hits.items.length,
    acmeSees,
  };
}
