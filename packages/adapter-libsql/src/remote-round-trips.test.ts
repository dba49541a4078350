import {
  IdempotencyConflictError,
  openStore,
  SessionArchivedError,
  SessionNotFoundError,
  type Store,
} from "@llm-sessions/core";
import { createNamespace, resolveLocalhostSubdomains } from "@llm-sessions/stress/sqld";
import { afterEach, describe, expect, it } from "vitest";
import { countingDriver } from "./test-support/counting-driver.js";
import { forEachRemoteScheme } from "./test-support/remote-suites.js";

let namespaces = 0;

/**
 * Round trips of the hot paths on a server, counted as the HTTP requests
 * the client sends: an append is one request (its statements and its rules
 * in one batch), and so are `last`, `sessions.get` and `search`.
 */
forEachRemoteScheme("round trips", (scheme, _createDriver, server) => {
  // Requests are counted on http://; ws:// sends the same client calls over a socket.
  if (scheme !== "http") return;
  describe("store on sqld over http: requests per call", () => {
    const stores: Store[] = [];
    afterEach(async () => {
      await Promise.allSettled(stores.splice(0).map((s) => s.close()));
    });

    const open = async () => {
      resolveLocalhostSubdomains();
      const name = `rt${process.pid}x${namespaces++}x${Date.now()}`;
      const { httpUrl } = await createNamespace(server.adminUrl, server.httpUrl, name);
      const { driver, requests } = countingDriver(httpUrl);
      // No background index pass: its requests would land in the counts.
      const store = await openStore({
        driver,
        searchIndexing: { batch: 100_000, delayMs: 60_000 },
      });
      stores.push(store);
      /** Requests `call` sent. */
      const count = async (call: () => Promise<unknown>): Promise<number> => {
        const before = requests();
        await call();
        return requests() - before;
      };
      return { store, count };
    };
    const user = (content: string, idempotencyKey?: string) => ({
      role: "user" as const,
      content,
      ...(idempotencyKey ? { idempotencyKey } : {}),
    });

    it("an append is one request, one message or several, with or without idempotency keys", async () => {
      const { store, count } = await open();
      const s = await store.sessions.create({});
      await store.messages.append(s.id, user("warm-up"));
      expect(await count(() => store.messages.append(s.id, user("one")))).toBe(1);
      expect(await count(() => store.messages.append(s.id, [user("a"), user("b")]))).toBe(1);
      expect(
        await count(() => store.messages.append(s.id, [user("k", "k1"), user("l", "k2")])),
      ).toBe(1);
      const last = await store.messages.last(s.id, 10);
      expect(last.map((m) => [m.seq, m.content])).toEqual([
        [1, "warm-up"],
        [2, "one"],
        [3, "a"],
        [4, "b"],
        [5, "k"],
        [6, "l"],
      ]);
      expect((await store.sessions.get(s.id)).messageCount).toBe(6);
    });

    it("last, sessions.get and search are one request each", async () => {
      const { store, count } = await open();
      const s = await store.sessions.create({});
      await store.messages.append(s.id, [user("alpha"), user("beta")]);
      await store.flushSearchIndex();
      await store.messages.last(s.id, 50);
      await store.sessions.get(s.id);
      await store.search("alpha");
      expect(await count(() => store.messages.last(s.id, 50))).toBe(1);
      expect(await count(() => store.sessions.get(s.id))).toBe(1);
      expect(await count(() => store.search("alpha"))).toBe(1);
    });
  });

  describe("store on sqld over http: the append's rules, in one request or not", () => {
    const stores: Store[] = [];
    afterEach(async () => {
      await Promise.allSettled(stores.splice(0).map((s) => s.close()));
    });
    const open = async (options: { autoRestore?: boolean } = {}) => {
      resolveLocalhostSubdomains();
      const name = `rr${process.pid}x${namespaces++}x${Date.now()}`;
      const { httpUrl } = await createNamespace(server.adminUrl, server.httpUrl, name);
      const store = await openStore({ driver: countingDriver(httpUrl).driver, ...options });
      stores.push(store);
      return store;
    };
    const user = (content: string, idempotencyKey?: string) => ({
      role: "user" as const,
      content,
      ...(idempotencyKey ? { idempotencyKey } : {}),
    });

    it("a retry returns what was stored; a partial retry stores the rest; a changed message is a conflict", async () => {
      const store = await open();
      const s = await store.sessions.create({});
      const first = await store.messages.append(s.id, [user("a", "k1"), user("b", "k2")]);
      expect(await store.messages.append(s.id, [user("a", "k1"), user("b", "k2")])).toEqual(first);
      const partial = await store.messages.append(s.id, [user("b", "k2"), user("c", "k3")]);
      expect(partial.map((m) => [m.seq, m.content])).toEqual([
        [2, "b"],
        [3, "c"],
      ]);
      await expect(
        store.messages.append(s.id, [user("d", "k4"), user("changed", "k1")]),
      ).rejects.toBeInstanceOf(IdempotencyConflictError);
      const all = await store.messages.last(s.id, 10);
      expect(all.map((m) => m.content)).toEqual(["a", "b", "c"]);
    });

    it("a repeated message id is ConflictError and writes nothing", async () => {
      const store = await open();
      const s = await store.sessions.create({});
      await store.messages.append(s.id, { id: "m1", role: "user", content: "a" });
      await expect(
        store.messages.append(s.id, [
          { role: "user", content: "b" },
          { id: "m1", role: "user", content: "c" },
        ]),
      ).rejects.toMatchObject({ name: "ConflictError" });
      expect((await store.messages.last(s.id, 10)).map((m) => m.content)).toEqual(["a"]);
    });

    it("a missing, another tenant's or an archived session is refused and nothing is written", async () => {
      const store = await open();
      await expect(store.messages.append("nope", user("x"))).rejects.toBeInstanceOf(
        SessionNotFoundError,
      );
      const theirs = await store.tenant("b").sessions.create({});
      await expect(store.tenant("a").messages.append(theirs.id, user("x"))).rejects.toBeInstanceOf(
        SessionNotFoundError,
      );
      const s = await store.sessions.create({});
      await store.messages.append(s.id, user("before"));
      await store.lifecycle.archive(s.id);
      await expect(store.messages.append(s.id, user("x"))).rejects.toBeInstanceOf(
        SessionArchivedError,
      );
      expect((await store.messages.last(s.id, 10)).map((m) => m.content)).toEqual(["before"]);
      expect(await store.messages.last(theirs.id, 10)).toEqual([]);
    });

    it("an archived session is restored by an append with autoRestore", async () => {
      const store = await open({ autoRestore: true });
      const s = await store.sessions.create({});
      await store.messages.append(s.id, user("before"));
      await store.lifecycle.archive(s.id);
      const [stored] = await store.messages.append(s.id, user("after"));
      expect(stored?.seq).toBe(2);
      expect((await store.sessions.get(s.id)).status).toBe("active");
    });

    it("the root store refuses an id two tenants hold", async () => {
      const store = await open();
      await store.tenant("a").sessions.create({ id: "same" });
      await store.tenant("b").sessions.create({ id: "same" });
      await expect(store.messages.append("same", user("x"))).rejects.toMatchObject({
        name: "AmbiguousSessionIdError",
      });
      expect(await store.tenant("a").messages.last("same", 10)).toEqual([]);
      await store.tenant("a").messages.append("same", user("mine"));
      expect(await store.tenant("b").messages.last("same", 10)).toEqual([]);
    });
  });
});
