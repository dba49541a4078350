import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { hostname as machineName, tmpdir } from "node:os";
import { join } from "node:path";
import { betterSqlite } from "@llm-sessions/adapter-better-sqlite";
import {
  DatabaseCorruptError,
  type HealthReason,
  openStore,
  PoolOverloadedError,
  PoolTimeoutError,
  type Session,
  type Store,
} from "@llm-sessions/core";
import type { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Simulation } from "../simulation.js";
import { allowedHostsFor, createApp, LOOPBACK_HOSTS } from "./app.js";
import { MAX_BODY_BYTES } from "./body.js";
import { toHttpError } from "./errors.js";
import { healthHttpStatus } from "./health-status.js";
import { PUBLIC_DIR } from "./static.js";

const dir = mkdtempSync(join(tmpdir(), "llm-sessions-demo-api-"));
let store: Store;
let sim: Simulation;
let app: Hono;
const ids: string[] = [];

const HOSTILE = `<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> and a zebracorn`;

beforeAll(async () => {
  store = await openStore({
    driver: betterSqlite({ filename: join(dir, "api.db") }),
    lifecycle: { idleAfterMs: 60_000, archiveAfterMs: 120_000, sweepIntervalMs: 0 },
  });
  sim = new Simulation(store, { users: 0 });
  app = createApp(store, sim, {
    info: { driver: "better-sqlite3", database: join(dir, "api.db") },
    onError: () => {},
  });
  for (let i = 0; i < 5; i++) {
    const s = await store.sessions.create({ title: `session ${i}`, model: "swift-mini" });
    await store.messages.append(s.id, [
      { role: "user", content: `question ${i} about sqlite wal mode` },
      {
        role: "assistant",
        content: `answer ${i}: wal means write-ahead log`,
        model: "swift-mini",
        tokens: 7,
      },
      { role: "user", content: i === 4 ? HOSTILE : `thanks ${i}` },
    ]);
    ids.push(s.id);
  }
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (path: string) => app.request(path);
const post = (path: string, body: unknown = {}, type = "application/json") =>
  app.request(path, {
    method: "POST",
    headers: { "content-type": type },
    body: JSON.stringify(body),
  });

async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/json");
  const body = await json<{ error: { code: string; message: string } }>(res);
  expect(body.error.code).toBe(code);
  expect(body.error.message).toBeTypeOf("string");
  return body;
}

const id = (n: number) => ids[n] as string;

describe("the page", () => {
  it("is served with a strict Content-Security-Policy", async () => {
    const res = await get("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const html = await res.text();
    expect(html).toContain('<script type="module" src="/app.js"></script>');
    expect(html).not.toMatch(/<script>|\son\w+=/); // no inline script, no inline handlers
  });

  it("serves its script and style with their types", async () => {
    expect((await get("/app.js")).headers.get("content-type")).toContain("text/javascript");
    expect((await get("/style.css")).headers.get("content-type")).toContain("text/css");
    expect((await get("/favicon.svg")).status).toBe(200);
    expect((await get("/../package.json")).status).toBe(404);
    expect((await get("/nothing.html")).status).toBe(404);
  });

  it("never builds markup from strings", () => {
    const source = readFileSync(join(PUBLIC_DIR, "app.js"), "utf8");
    expect(source).not.toMatch(
      /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/,
    );
  });
});

describe("GET /api/sessions", () => {
  it("answers { items, nextCursor }, most recent first", async () => {
    const res = await get("/api/sessions");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const page = await json<{ items: Session[]; nextCursor: string | null }>(res);
    expect(page.items.map((s) => s.id)).toEqual([...ids].reverse());
    expect(page.nextCursor).toBeNull();
    expect(page.items[0]?.messageCount).toBe(3);
  });

  it("pages with limit and cursor", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/api/sessions?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      const page: { items: Session[]; nextCursor: string | null } = await json(res);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((s) => s.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
  });

  it("filters by status and model", async () => {
    const page = await json<{ items: Session[] }>(await get("/api/sessions?status=archived"));
    expect(page.items).toEqual([]);
    const byModel = await json<{ items: Session[] }>(await get("/api/sessions?model=swift-mini"));
    expect(byModel.items).toHaveLength(5);
  });

  it.each([
    ["limit=0", "limit"],
    ["limit=101", "limit"],
    ["limit=abc", "limit"],
    ["limit=-1", "limit"],
    ["cursor=not%20a%20cursor", "cursor"],
    ["cursor=WzFd", "cursor"], // base64url of [1]: well-formed, but not a cursor the store issued
    ["status=deleted", "status"],
  ])("refuses %s with a 400 naming it", async (query, field) => {
    const body = await expectError(await get(`/api/sessions?${query}`), 400, "VALIDATION");
    expect(body.error.message).toContain(field);
  });
});

describe("one session", () => {
  it("GET /api/sessions/:id", async () => {
    const s = await json<Session>(await get(`/api/sessions/${id(0)}`));
    expect(s).toMatchObject({ id: id(0), title: "session 0", status: "active", messageCount: 3 });
  });

  it("404 for an unknown session, 400 for an id that cannot be one", async () => {
    await expectError(await get("/api/sessions/nope"), 404, "SESSION_NOT_FOUND");
    await expectError(await get("/api/sessions/a%20b"), 400, "VALIDATION");
    await expectError(await get("/api/sessions/nope/messages"), 404, "SESSION_NOT_FOUND");
  });

  it("GET /api/sessions/:id/messages pages in order", async () => {
    const first = await json<{ items: { seq: number }[]; nextCursor: string }>(
      await get(`/api/sessions/${id(1)}/messages?limit=2`),
    );
    expect(first.items.map((m) => m.seq)).toEqual([1, 2]);
    const rest = await json<{ items: { seq: number }[]; nextCursor: string | null }>(
      await get(`/api/sessions/${id(1)}/messages?limit=2&cursor=${first.nextCursor}`),
    );
    expect(rest.items.map((m) => m.seq)).toEqual([3]);
    expect(rest.nextCursor).toBeNull();
    const after = await json<{ items: { seq: number }[] }>(
      await get(`/api/sessions/${id(1)}/messages?afterSeq=2`),
    );
    expect(after.items.map((m) => m.seq)).toEqual([3]);
    await expectError(await get(`/api/sessions/${id(1)}/messages?afterSeq=x`), 400, "VALIDATION");
  });

  it("POST /api/sessions/:id/messages stores the message and the model's answer", async () => {
    const res = await post(`/api/sessions/${id(2)}/messages`, { content: "hello from a test" });
    expect(res.status).toBe(201);
    const [q, a] =
      await json<
        [
          { role: string; content: string; seq: number },
          { role: string; model: string; seq: number },
        ]
      >(res);
    expect(q).toMatchObject({ role: "user", content: "hello from a test", seq: 4 });
    expect(a).toMatchObject({ role: "assistant", model: "swift-mini", seq: 5 });
    await expectError(
      await post(`/api/sessions/${id(2)}/messages`, { content: " " }),
      400,
      "VALIDATION",
    );
    await expectError(await post(`/api/sessions/${id(2)}/messages`, {}), 400, "VALIDATION");
  });

  it("POST /api/sessions creates a session", async () => {
    const res = await post("/api/sessions", { title: "made by a script", model: "coder-pro" });
    expect(res.status).toBe(201);
    const s = await json<Session>(res);
    expect(s).toMatchObject({ title: "made by a script", model: "coder-pro", messageCount: 0 });
    await store.sessions.delete(s.id);
    await expectError(await post("/api/sessions", { title: 42 }), 400, "VALIDATION");
  });

  it("a POST must be application/json (a cross-site form cannot send one)", async () => {
    await expectError(
      await post(`/api/sessions/${id(0)}/archive`, {}, "application/x-www-form-urlencoded"),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    );
    await expectError(
      await post(`/api/sessions/${id(0)}/archive`, {}, "text/plain"),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    );
    const bad = await app.request(`/api/sessions/${id(0)}/fork`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    await expectError(bad, 400, "VALIDATION");
    expect((await store.sessions.get(id(0))).status).toBe("active");
  });

  it("archive, then restore, round-trips a session", async () => {
    const before = await store.messages.list(id(3));
    const archived = await json<Session>(await post(`/api/sessions/${id(3)}/archive`));
    expect(archived.status).toBe("archived");
    // Archived: still readable (from the snapshot), not searchable, not writable.
    const readable = await json<{ items: unknown[] }>(await get(`/api/sessions/${id(3)}/messages`));
    expect(readable.items).toEqual(before.items);
    const hits = await json<{ items: { message: { sessionId: string } }[] }>(
      await get(`/api/search?q=${encodeURIComponent("question 3")}`),
    );
    expect(hits.items.some((h) => h.message.sessionId === id(3))).toBe(false);
    await expectError(
      await post(`/api/sessions/${id(3)}/messages`, { content: "hi" }),
      409,
      "SESSION_ARCHIVED",
    );
    await expectError(await post(`/api/sessions/${id(3)}/fork`), 409, "SESSION_ARCHIVED");

    const restored = await json<Session>(await post(`/api/sessions/${id(3)}/restore`));
    expect(restored.status).toBe("active");
    expect(restored.messageCount).toBe(3);
    expect((await store.messages.list(id(3))).items).toEqual(before.items);
    const again = await json<{ items: { message: { sessionId: string } }[] }>(
      await get(`/api/search?q=${encodeURIComponent("question 3")}`),
    );
    expect(again.items.some((h) => h.message.sessionId === id(3))).toBe(true);
    await expectError(await post("/api/sessions/nope/archive"), 404, "SESSION_NOT_FOUND");
  });

  it("POST /api/sessions/:id/fork forks at a message", async () => {
    const res = await post(`/api/sessions/${id(0)}/fork`, { atSeq: 2 });
    expect(res.status).toBe(201);
    const branch = await json<Session>(res);
    expect(branch).toMatchObject({ parentId: id(0), parentSeq: 2, messageCount: 2 });
    await store.sessions.delete(branch.id);
    await expectError(await post(`/api/sessions/${id(0)}/fork`, { atSeq: "2" }), 400, "VALIDATION");
  });
});

describe("GET /api/search", () => {
  it("finds messages, with snippets as parts", async () => {
    const res = await get("/api/search?q=zebracorn");
    expect(res.status).toBe(200);
    const page = await json<{
      items: {
        message: { sessionId: string; content: string };
        snippetParts: { text: string; match: boolean }[];
        session: { title: string };
      }[];
      nextCursor: string | null;
    }>(res);
    expect(page.items).toHaveLength(1);
    const hit = page.items[0]!;
    expect(hit.message.sessionId).toBe(id(4));
    expect(hit.message.content).toBe(HOSTILE); // data, as written; the page shows it as text
    expect(hit.session.title).toBe("session 4");
    expect(hit.snippetParts.filter((p) => p.match).map((p) => p.text)).toEqual(["zebracorn"]);
    expect(hit.snippetParts.map((p) => p.text).join("")).toContain("<script>");
  });

  it("pages", async () => {
    const first = await json<{ items: unknown[]; nextCursor: string }>(
      await get("/api/search?q=wal&limit=2"),
    );
    expect(first.items).toHaveLength(2);
    const next = await json<{ items: unknown[] }>(
      await get(`/api/search?q=wal&limit=2&cursor=${first.nextCursor}`),
    );
    expect(next.items.length).toBeGreaterThan(0);
  });

  it("needs a query", async () => {
    await expectError(await get("/api/search"), 400, "VALIDATION");
    await expectError(await get("/api/search?q=%20"), 400, "VALIDATION");
    await expectError(await get("/api/search?q=wal&role=robot"), 400, "VALIDATION");
  });
});

describe("figures", () => {
  it("GET /api/stats", async () => {
    const stats = await json<{ sessions: { total: number }; byModel: { model: string }[] }>(
      await get("/api/stats"),
    );
    expect(stats.sessions.total).toBe(5);
    expect(stats.byModel.map((m) => m.model)).toContain("swift-mini");
  });

  it("GET /api/health", async () => {
    const res = await get("/api/health");
    expect(res.status).toBe(200);
    const health = await json<{ status: string; reasons: unknown[] }>(res);
    expect(health.status).toBe("ok");
    expect(health.reasons).toEqual([]);
  });

  it("GET /api/metrics and /metrics (Prometheus)", async () => {
    const metrics = await json<{ operations: Record<string, { count: number }> }>(
      await get("/api/metrics"),
    );
    expect(metrics.operations["messages.append"]?.count).toBeGreaterThan(0);
    const text = await (await get("/metrics")).text();
    expect(text).toMatch(/^# (HELP|TYPE) /m);
  });

  it("GET /api/live carries the pool, health, lifecycle and the events", async () => {
    const live = await json<{
      pool: { size: number };
      health: { status: string };
      lifecycle: { policy: { idleAfterMs: number } };
      events: { kind: string; text: string }[];
    }>(await get("/api/live"));
    expect(live.pool.size).toBeGreaterThan(0);
    expect(live.health.status).toBe("ok");
    expect(live.lifecycle.policy.idleAfterMs).toBe(60_000);
    expect(live.events.map((e) => e.kind)).toEqual(
      expect.arrayContaining(["archive", "restore", "fork"]),
    );
  });

  it("unknown API routes are a JSON 404", async () => {
    await expectError(await get("/api/nope"), 404, "NOT_FOUND");
    await expectError(await post("/api/stats"), 404, "NOT_FOUND");
  });
});

describe("errors and hosts", () => {
  it("maps pool back-pressure to 503 with Retry-After, anything unknown to a bare 500", () => {
    expect(toHttpError(new PoolOverloadedError("writer", 10))).toMatchObject({
      status: 503,
      retryAfter: 1,
      body: { error: { code: "POOL_OVERLOADED" } },
    });
    expect(toHttpError(new PoolTimeoutError("readers", 5000, 3))).toMatchObject({
      status: 503,
      body: { error: { code: "POOL_TIMEOUT" } },
    });
    const unknown = toHttpError(new Error("secret detail"));
    expect(unknown.status).toBe(500);
    expect(JSON.stringify(unknown.body)).not.toContain("secret");
  });

  it("bound to loopback, answers to loopback host names only (DNS rebinding)", async () => {
    const local = createApp(store, sim, { allowedHosts: LOOPBACK_HOSTS });
    const at = (host: string) => local.request("http://x/api/stats", { headers: { host } });
    expect((await at("127.0.0.1:3000")).status).toBe(200);
    expect((await at("localhost:3000")).status).toBe(200);
    expect((await at("[::1]:3000")).status).toBe(200);
    await expectError(await at("evil.example:3000"), 403, "FORBIDDEN_HOST");
  });
});

describe("bodies, hosts, paths and health (issue 13)", () => {
  it("a chunked body without Content-Length is refused with 413 once it passes the limit, not read whole", async () => {
    const chunk = new Uint8Array(64 * 1024).fill(0x20); // spaces: valid JSON padding
    const total = 4 * 1024 * 1024;
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          if (pulled >= total) {
            controller.close();
            return;
          }
          pulled += chunk.byteLength;
          controller.enqueue(chunk);
        },
      },
      { highWaterMark: 0 },
    );
    const before = (await store.sessions.get(id(1))).messageCount;
    const res = await app.request(`/api/sessions/${id(1)}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    await expectError(res, 413, "TOO_LARGE");
    // Read up to the first chunk past the limit, and not a chunk more.
    expect(pulled).toBeLessThanOrEqual(MAX_BODY_BYTES + chunk.byteLength);
    expect(pulled).toBeLessThan(total);
    expect((await store.sessions.get(id(1))).messageCount).toBe(before);
  });

  it("a declared Content-Length over the limit is refused before reading; bytes that are not UTF-8 are a 400", async () => {
    const big = await app.request(`/api/sessions/${id(1)}/archive`, {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(MAX_BODY_BYTES + 1) },
      body: "{}",
    });
    await expectError(big, 413, "TOO_LARGE");
    const latin1 = await app.request(`/api/sessions/${id(1)}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new Uint8Array([0x7b, 0x22, 0x63, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d]), // {"c":"\xe9"}
    });
    await expectError(latin1, 400, "VALIDATION");
    expect((await store.sessions.get(id(1))).status).toBe("active");
  });

  it("answers to loopback names by default, whatever it was given", async () => {
    const plain = createApp(store, sim, { onError: () => {} });
    const at = (host: string) => plain.request("http://x/api/stats", { headers: { host } });
    expect((await at("localhost:3000")).status).toBe(200);
    await expectError(await at("evil.example"), 403, "FORBIDDEN_HOST");
  });

  it("bound to another address, answers to it and to loopback names, and refuses other names", async () => {
    const lan = createApp(store, sim, { allowedHosts: allowedHostsFor("192.168.7.9") });
    const at = (host: string) => lan.request("http://x/api/stats", { headers: { host } });
    expect((await at("192.168.7.9:8080")).status).toBe(200);
    expect((await at("127.0.0.1:8080")).status).toBe(200);
    await expectError(await at("evil.example:8080"), 403, "FORBIDDEN_HOST");
    await expectError(await at("192.168.7.10:8080"), 403, "FORBIDDEN_HOST");

    const v6 = allowedHostsFor("fd00::7");
    expect(v6).toContain("[fd00::7]");
    const all = allowedHostsFor("0.0.0.0");
    expect(all).toEqual(expect.arrayContaining([...LOOPBACK_HOSTS, machineName().toLowerCase()]));
    expect(all).not.toContain("evil.example");
    const wild = createApp(store, sim, { allowedHosts: all });
    await expectError(
      await wild.request("http://x/api/stats", { headers: { host: "evil.example" } }),
      403,
      "FORBIDDEN_HOST",
    );
  });

  it("/api/live names the database file, never its directory; a 500 names no file", async () => {
    const res = await get("/api/live");
    const text = await res.text();
    expect((JSON.parse(text) as { info: { database: string } }).info.database).toBe("api.db");
    expect(text).not.toContain(dir);
    const corrupt = toHttpError(
      new DatabaseCorruptError(join(dir, "api.db"), "opening", "bad page"),
    );
    expect(corrupt.status).toBe(500);
    expect(corrupt.body.error.code).toBe("DATABASE_CORRUPT");
    expect(JSON.stringify(corrupt.body)).not.toContain(dir);
  });

  it("/api/health is 503 only for what stops service (a closed store, refused or starved callers), 200 for the rest", async () => {
    const reason = (check: HealthReason["check"], level: HealthReason["level"]): HealthReason => ({
      check,
      level,
      value: 1,
      threshold: 1,
      message: "",
    });
    expect(healthHttpStatus({ reasons: [] })).toBe(200);
    expect(healthHttpStatus({ reasons: [reason("freePageRatio", "critical")] })).toBe(200);
    expect(healthHttpStatus({ reasons: [reason("walBytes", "critical")] })).toBe(200);
    expect(healthHttpStatus({ reasons: [reason("busyRetries", "critical")] })).toBe(200);
    expect(healthHttpStatus({ reasons: [reason("poolTimeouts", "warn")] })).toBe(200);
    for (const check of ["pool", "poolTimeouts", "poolWaitP95Ms"] as const) {
      expect(healthHttpStatus({ reasons: [reason(check, "critical")] }), check).toBe(503);
    }

    // A file that is mostly free pages (a sweep archived everything): served, so 200.
    const file = join(dir, "free.db");
    const roomy = await openStore({ driver: betterSqlite({ filename: file }) });
    await roomy.sessions.create({ title: "still here" });
    await roomy.close();
    const conn = await betterSqlite({ filename: file }).connect();
    await conn.exec(
      "CREATE TABLE filler (b BLOB); INSERT INTO filler VALUES (zeroblob(16 * 1024 * 1024)); DROP TABLE filler;",
    );
    await conn.close();
    const reopened = await openStore({ driver: betterSqlite({ filename: file }) });
    try {
      const served = createApp(reopened, new Simulation(reopened, { users: 0 }));
      const res = await served.request("/api/health");
      const health = await json<{ reasons: { check: string }[] }>(res);
      expect(health.reasons.map((r) => r.check)).toContain("freePageRatio");
      expect(res.status).toBe(200);
    } finally {
      await reopened.close();
    }
    // A closed store serves nobody: 503.
    const closed = createApp(reopened, new Simulation(reopened, { users: 0 }), {
      onError: () => {},
    });
    expect((await closed.request("/api/health")).status).toBe(503);
  });
});
