#!/usr/bin/env node
// Pack test: `npm pack` every published package, install the tarballs into a
// fresh project outside the workspace (no links), and run there the quick
// start on every adapter and the `llm-sessions` binary (`--help`, `doctor`)
// on a database created through the installed packages. Run after `build`
// (the root `test` script and `npm run test:pack` do). Cleans up after itself.
import { execFileSync, spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const published = [
  "@llm-sessions/core",
  "@llm-sessions/adapter-better-sqlite",
  "@llm-sessions/adapter-libsql",
  "@llm-sessions/adapter-node-sqlite",
  "@llm-sessions/stress",
  "@llm-sessions/cli",
  "@llm-sessions/langgraph",
  "@llm-sessions/ai-sdk",
  "@llm-sessions/openai-agents",
];
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const started = Date.now();
const log = (msg) =>
  console.log(`[pack-test +${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}`);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", ...opts });
  if (r.status !== (opts.expectStatus ?? 0)) {
    throw new Error(
      `${cmd} ${args.join(" ")} exited with ${r.status ?? r.signal}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`,
    );
  }
  return r.stdout;
}

const dir = mkdtempSync(join(tmpdir(), "llm-sessions-pack-"));
try {
  // 1. Pack every published package (dist must be built).
  const tarballs = join(dir, "tarballs");
  mkdirSync(tarballs);
  for (const name of published) {
    const folder = join(root, "packages", name.replace("@llm-sessions/", ""));
    if (!existsSync(join(folder, "dist")))
      throw new Error(`${name} is not built (no dist/): run \`npm run build\``);
  }
  run(
    npm,
    ["pack", ...published.flatMap((n) => ["-w", n]), "--pack-destination", tarballs, "--silent"],
    {
      cwd: root,
    },
  );
  const files = readdirSync(tarballs)
    .filter((f) => f.endsWith(".tgz"))
    .map((f) => join(tarballs, f));
  if (files.length !== published.length)
    throw new Error(`expected ${published.length} tarballs, got ${files}`);
  log(`packed ${files.length} tarballs`);

  // 2. A fresh project outside the workspace, with the root's npm config.
  const project = join(dir, "project");
  mkdirSync(project);
  writeFileSync(
    join(project, "package.json"),
    `${JSON.stringify({ name: "pack-test", private: true, type: "module", allowScripts: { "better-sqlite3": true } }, null, 2)}\n`,
  );
  if (existsSync(join(root, ".npmrc"))) copyFileSync(join(root, ".npmrc"), join(project, ".npmrc"));
  const cache = execFileSync(npm, ["config", "get", "cache"], {
    cwd: root,
    encoding: "utf8",
  }).trim();
  /** `npm install` in the project, offline-first from the workspace's cache. */
  const npmInstall = (args) =>
    run(
      npm,
      [
        "install",
        "--no-audit",
        "--no-fund",
        "--prefer-offline",
        "--cache",
        cache,
        "--loglevel",
        "error",
        ...args,
      ],
      { cwd: project },
    );
  npmInstall(["--install-links", ...files]);
  log("installed the tarballs (and their dependencies) into a fresh project");

  // Nothing may be a link back into the workspace.
  for (const name of published) {
    const real = execFileSync(
      "node",
      ["-e", `console.log(require("fs").realpathSync("node_modules/${name}"))`],
      {
        cwd: project,
        encoding: "utf8",
      },
    ).trim();
    if (!real.startsWith(project)) throw new Error(`${name} resolves outside the project: ${real}`);
  }

  // 3. The quick start, on every adapter.
  writeFileSync(
    join(project, "quickstart.mjs"),
    `import assert from "node:assert/strict";
import { openStore } from "@llm-sessions/core";
import { betterSqlite } from "@llm-sessions/adapter-better-sqlite";
import { libsql } from "@llm-sessions/adapter-libsql";
import { nodeSqlite } from "@llm-sessions/adapter-node-sqlite";

for (const [label, driver] of [
  ["better-sqlite", betterSqlite({ filename: "./router.db" })],
  ["libsql", libsql({ url: "file:router-libsql.db" })],
  ["node-sqlite", nodeSqlite({ filename: "./router-node.db" })],
]) {
  const store = await openStore({ driver });
  const s = await store.sessions.create({ title: "Support", model: "gpt-x" });
  await store.messages.append(s.id, [{ role: "user", content: "how do I reset password", idempotencyKey: "req-1" }]);
  await store.messages.append(s.id, [{ role: "user", content: "how do I reset password", idempotencyKey: "req-1" }]);
  const context = await store.messages.last(s.id, 50);
  assert.equal(context.length, 1, "idempotent append");
  const hits = await store.search("reset password");
  assert.ok(hits.items.length >= 1, "search finds the message");
  await store.close();
  console.log(label, "ok:", context.length, "message(s),", hits.items.length, "hit(s)");
}
`,
  );
  process.stdout.write(run("node", ["quickstart.mjs"], { cwd: project }));
  log("quick start ran on every adapter");

  // Core's two entry points: the store for users, the adapter contract for adapter authors.
  writeFileSync(
    join(project, "entries.mjs"),
    `import assert from "node:assert/strict";
import * as core from "@llm-sessions/core";
import * as driver from "@llm-sessions/core/driver";
import * as extension from "@llm-sessions/core/extension";

assert.equal(typeof core.openStore, "function");
assert.equal(typeof driver.createDriver, "function");
assert.equal(typeof extension.attachExtension, "function");
// One error class, whichever entry it is imported from.
assert.equal(driver.SqliteError, core.SqliteError);
// The adapter contract stays out of the users' entry.
for (const name of ["createDriver", "rowBuilder", "runSteps", "Pool"]) {
  assert.equal(name in core, false, name + " is exported by @llm-sessions/core");
}
console.log("entries ok:", Object.keys(core).length, "and", Object.keys(driver).length, "runtime exports");
`,
  );
  process.stdout.write(run("node", ["entries.mjs"], { cwd: project }));
  log("@llm-sessions/core and @llm-sessions/core/driver import from the tarball");

  // The LangGraph checkpointer from its tarball, with its peers installed by npm.
  writeFileSync(
    join(project, "langgraph.mjs"),
    `import assert from "node:assert/strict";
import { emptyCheckpoint } from "@langchain/langgraph-checkpoint";
import { betterSqlite } from "@llm-sessions/adapter-better-sqlite";
import { openStore } from "@llm-sessions/core";
import { SessionStoreSaver } from "@llm-sessions/langgraph";

const store = await openStore({ driver: betterSqlite({ filename: "./graph.db" }) });
const saver = await SessionStoreSaver.open(store, { tenantId: "acme" });
const checkpoint = { ...emptyCheckpoint(), channel_values: { topic: "reset" }, channel_versions: { topic: saver.getNextVersion(undefined) } };
const config = await saver.put(
  { configurable: { thread_id: "ticket-42", checkpoint_ns: "" } },
  checkpoint,
  { source: "input", step: -1, parents: {} },
  checkpoint.channel_versions,
);
const tuple = await saver.getTuple(config);
assert.deepEqual(tuple?.checkpoint.channel_values, { topic: "reset" });
assert.equal((await store.tenant("acme").sessions.get("ticket-42")).id, "ticket-42");
assert.equal((await store.integrity.check()).ok, true);
await store.close();
console.log("langgraph ok: a checkpoint round-tripped through thread ticket-42");
`,
  );
  process.stdout.write(run("node", ["langgraph.mjs"], { cwd: project }));
  log("@llm-sessions/langgraph stored and read a checkpoint");

  // The AI SDK chats from their tarball, with the peer \`ai\` installed by npm: a streamed
  // answer saved from onEnd (twice: a retry), loaded back from another store.
  writeFileSync(
    join(project, "ai-sdk.mjs"),
    `import assert from "node:assert/strict";
import { nodeSqlite } from "@llm-sessions/adapter-node-sqlite";
import { createChats } from "@llm-sessions/ai-sdk";
import { openStore } from "@llm-sessions/core";
import { convertToModelMessages, readUIMessageStream, simulateReadableStream, streamText } from "ai";
import { MockLanguageModelV4 } from "ai/test";

const tokens = { inputTokens: { total: 3, noCache: 3 }, outputTokens: { total: 5, text: 5 } };
const model = new MockLanguageModelV4({
  doStream: async () => ({
    stream: simulateReadableStream({
      chunks: [
        { type: "text-start", id: "t" },
        { type: "text-delta", id: "t", delta: "Hello!" },
        { type: "text-end", id: "t" },
        { type: "finish", finishReason: { unified: "stop", raw: undefined }, usage: tokens },
      ],
    }),
  }),
});
const store = await openStore({ driver: nodeSqlite({ filename: "./chats.db" }) });
const chats = createChats(store.tenant("alice"));
const { messages } = await chats.load("chat-1", {
  message: { id: "u1", role: "user", parts: [{ type: "text", text: "Hi" }] },
  missingAsEmpty: true,
});
const result = streamText({ model, messages: await convertToModelMessages(messages) });
const save = chats.onEnd("chat-1", { usage: result.totalUsage });
let saved;
const stream = result.toUIMessageStream({
  originalMessages: messages,
  generateMessageId: chats.generateMessageId,
  onEnd: (event) => (saved = save(event).then(() => save(event))),
});
let answer;
for await (const m of readUIMessageStream({ stream })) answer = m;
await saved;
await store.close();
const again = await openStore({ driver: nodeSqlite({ filename: "./chats.db" }) });
const loaded = await createChats(again.tenant("alice")).load("chat-1");
assert.deepEqual(loaded.messages.map((m) => m.id), ["u1", answer.id]);
assert.deepEqual(loaded.messages[1], JSON.parse(JSON.stringify(answer)));
await again.close();
console.log("ai-sdk ok: a streamed answer saved once as", answer.id);
`,
  );
  process.stdout.write(run("node", ["ai-sdk.mjs"], { cwd: project }));
  log("@llm-sessions/ai-sdk saved and loaded a streamed chat");
  // The Agents SDK session from its tarball, with its peer (@openai/agents-core) installed by npm.
  writeFileSync(
    join(project, "openai-agents.mjs"),
    `import assert from "node:assert/strict";
import { betterSqlite } from "@llm-sessions/adapter-better-sqlite";
import { openStore } from "@llm-sessions/core";
import { SessionStoreSession } from "@llm-sessions/openai-agents";
import { Agent, run, setTracingDisabled, Usage } from "@openai/agents-core";

setTracingDisabled(true);
const model = {
  async getResponse() {
    const output = [{ type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text: "hello" }] }];
    return { usage: new Usage({ requests: 1, input_tokens: 3, output_tokens: 1, total_tokens: 4 }), output };
  },
  async *getStreamedResponse() {},
};
const store = await openStore({ driver: betterSqlite({ filename: "./agents.db" }) });
const session = new SessionStoreSession(store.tenant("acme"), { sessionId: "chat-1" });
const result = await run(new Agent({ name: "a", model }), "hi", { session });
assert.equal(result.finalOutput, "hello");
assert.deepEqual((await session.getItems()).map((i) => i.role), ["user", "assistant"]);
assert.equal((await store.tenant("acme").sessions.get("chat-1")).usage.inputTokens, 3);
await store.close();
console.log("openai-agents ok: a run's history is session chat-1");
`,
  );
  process.stdout.write(run("node", ["openai-agents.mjs"], { cwd: project }));
  log("@llm-sessions/openai-agents ran an agent on a store session");

  // The stress package's entry points resolve from the installed tarball.
  run(
    "node",
    [
      "--input-type=module",
      "-e",
      `for (const s of ["@llm-sessions/stress", "@llm-sessions/stress/conformance", "@llm-sessions/stress/store", "@llm-sessions/stress/suites", "@llm-sessions/stress/faults", "@llm-sessions/stress/loader/register.mjs"]) import.meta.resolve(s);`,
    ],
    { cwd: project },
  );

  // The published types compile in a user's project under the strictest
  // settings, library checks included (no skipLibCheck): a .d.ts that names a
  // type its package does not depend on fails here.
  const typesVersion = JSON.parse(
    readFileSync(join(root, "node_modules", "@types", "node", "package.json"), "utf8"),
  ).version;
  npmInstall(["--no-save", `@types/node@${typesVersion}`]);
  writeFileSync(
    join(project, "tsconfig.json"),
    `${JSON.stringify(
      {
        compilerOptions: {
          strict: true,
          skipLibCheck: false,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          noImplicitOverride: true,
          noPropertyAccessFromIndexSignature: true,
          module: "nodenext",
          moduleResolution: "nodenext",
          target: "es2022",
          types: ["node"],
          noEmit: true,
        },
        files: ["types.ts"],
      },
      null,
      2,
    )}\n`,
  );
  writeFileSync(
    join(project, "types.ts"),
    `import { openStore, type Store } from "@llm-sessions/core";
import { betterSqlite } from "@llm-sessions/adapter-better-sqlite";
import { libsql } from "@llm-sessions/adapter-libsql";
import { runConformanceSuite } from "@llm-sessions/stress/conformance";
import { runStoreSuite } from "@llm-sessions/stress/store";
import * as stress from "@llm-sessions/stress";
import { createDriver, type SqliteAdapter, toSqliteError } from "@llm-sessions/core/driver";

const adapter: SqliteAdapter = {
  name: "typed",
  target: "nowhere",
  localPath: undefined,
  capabilities: betterSqlite({ filename: ":memory:" }).capabilities,
  synchronous: true,
  open: () => {
    throw new Error("not opened in this check");
  },
  mapError: (error) => toSqliteError(error),
};
console.log(createDriver(adapter).name);

const store: Store = await openStore({ driver: betterSqlite({ filename: "./types.db" }) });
const other: Store = await openStore({ driver: libsql({ url: "file:types-libsql.db" }) });
const hits = await store.search("reset password", { limit: 10 });
console.log(hits.items[0]?.snippet, typeof runConformanceSuite, typeof runStoreSuite, Object.keys(stress));
await store.close();
await other.close();
`,
  );
  run("node", [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "."], {
    cwd: project,
  });
  log("the published types compile under strict settings without skipLibCheck");

  // 4. The llm-sessions binary: --help, and doctor on the fresh databases.
  const bin = join(project, "node_modules", ".bin", "llm-sessions");
  const help = run(bin, ["--help"], { cwd: project });
  if (!/doctor/.test(help)) throw new Error(`--help does not list doctor:\n${help}`);
  process.stdout.write(run(bin, ["doctor", "./router.db"], { cwd: project }));
  process.stdout.write(
    run(bin, ["doctor", "--driver", "libsql", "./router-libsql.db"], { cwd: project }),
  );
  log("llm-sessions --help and doctor passed");
  log("pack test passed");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
