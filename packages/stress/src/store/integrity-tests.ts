import { existsSync, readFileSync, writeFileSync } from "node:fs";
import {
  type IntegrityReport,
  type Message,
  type Store,
  ValidationError,
} from "@llm-sessions/core";
import type { SqliteConnection } from "@llm-sessions/core/driver";
import { describe, expect, type TestContext } from "vitest";
import type { StoreHarness } from "./harness.js";

const user = (content: string, tokens = 2) => ({ role: "user" as const, content, tokens });

async function allMessages(store: Store, id: string): Promise<Message[]> {
  return (await store.messages.list(id, { limit: 1000 })).items;
}

/** Which checks found something, with their counts. */
const found = (report: IntegrityReport) =>
  Object.fromEntries(report.findings.map((f) => [`${f.check}: ${f.message}`, f.count]));

/**
 * A store on a file plus a raw connection to the same file, to break rules
 * the store never breaks itself (what another tool, or foreign keys left off,
 * would do).
 */
async function storeWithRawAccess(
  h: StoreHarness,
  ctx: TestContext,
): Promise<{ store: Store; raw: SqliteConnection; path: string }> {
  const path = h.newPath();
  const driver = await h.createDriver({ path });
  if (!driver.capabilities.file) ctx.skip("needs a second connection to the same database file");
  const store = await h.open({ path });
  const raw = await driver.connect();
  ctx.onTestFinished(() => raw.close());
  return { store, raw, path };
}

/** `integrity.check` and `integrity.repair` on a real driver. */
export function registerIntegrityTests(h: StoreHarness): void {
  describe("integrity", () => {
    h.test(
      "integrity.check-clean",
      "a store used through its API checks clean, quick and full, and lists every check it ran",
      async () => {
        const store = await h.open();
        const s = await store.sessions.create({});
        await store.messages.append(s.id, [user("a"), user("b"), user("c")]);
        await store.messages.pop(s.id);
        await store.sessions.fork(s.id, { atSeq: 1 });
        for (const full of [false, true]) {
          const report = await store.integrity.check({ full });
          expect(report.findings).toEqual([]);
          expect(report.ok).toBe(true);
          expect(report.checks).toEqual(
            expect.arrayContaining([
              "sqlite",
              "foreign-keys",
              "counters",
              "seq",
              "orphans",
              "tool-calls",
              "snapshots",
              "fts",
            ]),
          );
        }
      },
    );

    h.test(
      "integrity.check-finds-broken-rules",
      "check names orphans, wrong counters, seq gaps, a drifted search index and dangling parents, with counts and ids",
      async (ctx) => {
        const { store, raw } = await storeWithRawAccess(h, ctx);
        const [a, b, c, d] = await Promise.all(
          ["a", "b", "c", "d"].map((id) => store.sessions.create({ id })),
        );
        for (const s of [a, b, c, d]) {
          await store.messages.append(s?.id ?? "", [user("one"), user("two"), user("three")]);
        }
        await store.sessions.fork("d", { atSeq: 1, id: "d-fork" });
        expect((await store.integrity.check()).ok).toBe(true);
        const keys = await raw.all<{ pk: number }>(
          "SELECT pk FROM sessions WHERE id IN ('a', 'd') ORDER BY pk",
        );
        // The check indexes nothing: index now, so the raw 'delete' below finds its row.
        await store.flushSearchIndex();
        // Foreign keys off: deleting a session leaves its messages and its fork's link behind.
        await raw.exec("PRAGMA foreign_keys = OFF");
        await raw.run("DELETE FROM sessions WHERE id IN ('a', 'd')");
        await raw.exec("PRAGMA foreign_keys = ON");
        await raw.run("UPDATE sessions SET message_count = 7 WHERE id = 'b'");
        await raw.run(
          "DELETE FROM messages WHERE session_pk = (SELECT pk FROM sessions WHERE id = 'c') AND seq = 2",
        );
        const pk = await raw.get<{ pk: number; content: string }>(
          "SELECT pk, content FROM messages WHERE session_pk = (SELECT pk FROM sessions WHERE id = 'b') AND seq = 1",
        );
        await raw.run(
          "INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', ?, ?)",
          [pk?.pk ?? 0, pk?.content ?? ""],
        );
        const report = await store.integrity.check();
        expect(report.ok).toBe(false);
        expect(found(report)).toEqual({
          "foreign-keys: rows reference missing parents": 7, // 6 messages + 1 parent link
          "counters: session counters differ from their messages": 1,
          "seq: message seq is not gap-free 1..n": 1,
          "orphans: messages whose session does not exist": 2,
          "fts: the search index differs from the messages table": 1,
        });
        const sample = (check: string) => report.findings.find((f) => f.check === check)?.sample;
        expect(sample("counters")).toEqual(["b"]);
        expect(sample("seq")).toEqual(["c"]);
        // A missing session is named by its internal key: its id went with its row.
        expect(sample("orphans")?.slice().sort()).toEqual(keys.map((k) => `#${k.pk}`).sort());
      },
    );

    h.test(
      "integrity.repair-fixes-broken-rules",
      "repair backs up, quarantines orphans, renumbers seq in order, fixes counters and the index; then checks clean",
      async (ctx) => {
        const { store, raw } = await storeWithRawAccess(h, ctx);
        for (const id of ["a", "b", "c", "d"]) await store.sessions.create({ id });
        for (const id of ["a", "b", "c", "d"]) {
          await store.messages.append(id, [
            user(`${id}1`, 1),
            user(`${id}2`, 2),
            user(`${id}3`, 3),
          ]);
        }
        await store.sessions.fork("d", { atSeq: 1, id: "d-fork" });
        const pkOf = Object.fromEntries(
          (await raw.all<{ id: string; pk: number }>("SELECT id, pk FROM sessions")).map((r) => [
            r.id,
            Number(r.pk),
          ]),
        );
        await raw.exec("PRAGMA foreign_keys = OFF");
        await raw.run("DELETE FROM sessions WHERE id IN ('a', 'd')");
        await raw.exec("PRAGMA foreign_keys = ON");
        await raw.run("UPDATE sessions SET message_count = 9, token_count = 99 WHERE id = 'b'");
        await raw.run(
          "DELETE FROM messages WHERE session_pk = (SELECT pk FROM sessions WHERE id = 'c') AND seq IN (1, 2)",
        );
        // Only a message already in the index can be taken out of it by hand.
        await store.flushSearchIndex();
        await raw.run(
          "INSERT INTO messages_fts (messages_fts, rowid, content) SELECT 'delete', pk, content FROM messages WHERE session_pk = (SELECT pk FROM sessions WHERE id = 'b') AND seq = 2",
        );
        const cBefore = await allMessages(store, "c");
        const backupTo = h.newPath("before-repair.db");
        h.clock.advance(1234);
        const result = await store.integrity.repair({ backupTo });
        expect(result.before.ok).toBe(false);
        expect(result.after.findings).toEqual([]);
        expect(result.ok).toBe(true);
        expect(result.backup).toBe(backupTo);
        expect(result.actions).toEqual({
          orphansQuarantined: 6,
          parentLinksCleared: 1,
          seqRenumbered: 1,
          countersFixed: 2, // b, and c whose last_seq follows its renumbering
          compactionFixed: 0,
          toolCallsRebuilt: false,
          searchRebuilt: true,
          reindexed: false,
        });
        // Session c keeps its one message, now seq 1, and takes the next append as 2.
        expect(cBefore.map((m) => m.content)).toEqual(["c3"]);
        expect((await allMessages(store, "c")).map((m) => [m.seq, m.id, m.content])).toEqual([
          [1, cBefore[0]?.id, "c3"],
        ]);
        expect((await store.messages.append("c", user("c4")))[0]?.seq).toBe(2);
        expect(await store.sessions.get("b")).toMatchObject({
          messageCount: 3,
          tokenCount: 6,
          lastSeq: 3,
        });
        expect((await store.sessions.get("d-fork")).parentId).toBeNull();
        expect((await store.search("b2")).items.map((hit) => hit.message.content)).toEqual(["b2"]);
        // The orphans are in quarantine, whole, in their original order.
        const q = await raw.all<{
          reason: string;
          session_id: string | null;
          original: string;
          quarantined_at: number;
        }>(
          "SELECT reason, session_id, original, quarantined_at FROM quarantined_messages ORDER BY pk",
        );
        // The session's id went with its row; the message keeps its session's key.
        expect(
          q.map((r) => [
            r.reason,
            r.session_id,
            JSON.parse(r.original).session_pk,
            JSON.parse(r.original).content,
          ]),
        ).toEqual([
          ["orphan", null, pkOf.a, "a1"],
          ["orphan", null, pkOf.a, "a2"],
          ["orphan", null, pkOf.a, "a3"],
          ["orphan", null, pkOf.d, "d1"],
          ["orphan", null, pkOf.d, "d2"],
          ["orphan", null, pkOf.d, "d3"],
        ]);
        expect(q[0]?.quarantined_at).toBe(h.clock.now);
        expect(JSON.parse(q[0]?.original ?? "{}")).toMatchObject({
          seq: 1,
          role: "user",
          tokens: 1,
        });
        // The seq guard is back: seq cannot be changed by hand again.
        await expect(
          raw.run(
            "UPDATE messages SET seq = 5 WHERE session_pk = (SELECT pk FROM sessions WHERE id = 'c') AND seq = 1",
          ),
        ).rejects.toMatchObject({
          code: "CONSTRAINT",
        });
        // The backup holds the database as it was before.
        expect(existsSync(backupTo)).toBe(true);
        const before = await h.open({ path: backupTo });
        expect(found(await before.integrity.check())).toMatchObject({
          "orphans: messages whose session does not exist": 2,
        });
      },
    );

    h.test(
      "integrity.fork-parent-in-another-tenant",
      "check names a fork linked to another tenant's session (only a hand edit makes one); repair clears the link",
      async (ctx) => {
        const { store, raw } = await storeWithRawAccess(h, ctx);
        const acme = store.tenant("acme");
        const globex = store.tenant("globex");
        await acme.sessions.create({ id: "x" });
        await acme.messages.append("x", [user("acme words")]);
        await globex.sessions.create({ id: "x" });
        await globex.sessions.fork("x", { id: "f" });
        expect((await store.integrity.check()).ok).toBe(true);
        await raw.run(
          `UPDATE sessions SET parent_pk = (SELECT pk FROM sessions WHERE id = 'x' AND tenant_id = 'acme')
           WHERE id = 'f'`,
        );
        const report = await store.integrity.check();
        expect(report.checks).toContain("tenants");
        expect(found(report)).toEqual({
          "tenants: forks whose parent is another tenant's session": 1,
        });
        expect(report.findings[0]?.sample).toEqual(["f"]);
        const repaired = await store.integrity.repair({ backupTo: false });
        expect(repaired.actions.parentLinksCleared).toBe(1);
        expect(repaired.after.findings).toEqual([]);
        expect((await globex.sessions.get("f")).parentId).toBeNull();
      },
    );

    h.test(
      "integrity.repair-options",
      "repair needs backupTo (a new path, or false) and changes nothing when it is missing or taken",
      async () => {
        const path = h.newPath();
        const driver = await h.createDriver({ path });
        const store = await h.open({ path });
        await store.sessions.create({ id: "s" });
        await store.messages.append("s", [user("x")]);
        // On a file, break a counter through a second connection so there is something to repair.
        const raw = driver.capabilities.file ? await driver.connect() : undefined;
        await raw?.run("UPDATE sessions SET message_count = 5");
        await raw?.close();
        const taken = h.newPath("taken.db");
        writeFileSync(taken, "someone's file");
        for (const bad of [
          {},
          { backupTo: "" },
          { backupTo: true },
          { backupTo: taken },
          { backupTo: false, extra: 1 },
        ]) {
          await expect(store.integrity.repair(bad as never)).rejects.toBeInstanceOf(
            ValidationError,
          );
        }
        expect(readFileSync(taken, "utf8")).toBe("someone's file");
        const broken = raw ? 5 : 1;
        expect((await store.sessions.get("s")).messageCount).toBe(broken);
        const result = await store.integrity.repair({ backupTo: false });
        expect([result.backup, result.actions.countersFixed, result.ok]).toEqual([
          null,
          raw ? 1 : 0,
          true,
        ]);
        expect((await store.sessions.get("s")).messageCount).toBe(1);
      },
    );

    h.test(
      "integrity.repair-clean-store",
      "repair of a clean store changes nothing and still writes the backup asked for",
      async (ctx) => {
        const store = await h.open();
        const s = await store.sessions.create({});
        await store.messages.append(s.id, [user("a"), user("b")]);
        const driver = await h.createDriver({ path: h.newPath() });
        const backupTo = driver.capabilities.vacuum ? h.newPath("clean-backup.db") : false;
        if (!driver.capabilities.vacuum) ctx.skip("the driver cannot write a backup");
        const result = await store.integrity.repair({ backupTo });
        expect(result.before.ok && result.after.ok && result.ok).toBe(true);
        expect(result.actions).toMatchObject({
          orphansQuarantined: 0,
          countersFixed: 0,
          seqRenumbered: 0,
        });
        expect(existsSync(backupTo as string)).toBe(true);
        // A :memory: driver cannot open the copy; a file driver checks what it holds.
        if (!driver.capabilities.file) return;
        const copy = await h.open({ path: backupTo as string });
        expect((await allMessages(copy, s.id)).map((m) => m.content)).toEqual(["a", "b"]);
      },
    );

    h.test(
      "integrity.repair-reindexes",
      "a flipped byte in an index (found by the full check only) is rebuilt by repair({ full: true })",
      async (ctx) => {
        const path = h.newPath();
        const driver = await h.createDriver({ path });
        if (!driver.capabilities.file) ctx.skip("edits the database file's bytes");
        const store = await h.open({ path });
        await store.sessions.create({ id: "s" });
        await store.messages.append("s", [
          { role: "user", content: "first", idempotencyKey: "key-0001" },
          { role: "user", content: "second", idempotencyKey: "key-0005" },
        ]);
        await store.close();
        const raw = await driver.connect();
        // Every page into the main file (not every driver checkpoints on close).
        await raw.get("PRAGMA wal_checkpoint(TRUNCATE)");
        const info = await raw.get<{ root: number; size: number }>(
          "SELECT rootpage AS root, (SELECT page_size FROM pragma_page_size) AS size FROM sqlite_master WHERE name = 'messages_by_idempotency_key'",
        );
        await raw.close();
        const root = Number(info?.root);
        const size = Number(info?.size);
        // The index's only page holds the key; the table row holds it too, elsewhere.
        const bytes = readFileSync(path);
        const page = bytes.subarray((root - 1) * size, root * size);
        const at = page.indexOf("key-0001");
        expect(at).toBeGreaterThan(0);
        page.write("key-0002", at); // still sorts before key-0005: the b-tree stays well-formed
        writeFileSync(path, bytes);

        const reopened = await h.open({ path });
        expect((await reopened.integrity.check()).ok).toBe(true); // quick_check does not compare indexes
        const full = await reopened.integrity.check({ full: true });
        expect(full.findings.map((f) => f.check)).toEqual(["sqlite"]);
        expect(full.findings[0]?.sample.join("\n")).toMatch(
          /missing from index messages_by_idempotency_key/,
        );
        const result = await reopened.integrity.repair({ backupTo: false, full: true });
        expect(result.actions.reindexed).toBe(true);
        expect(result.after.findings).toEqual([]);
        // The idempotency key works again: a retried append is recognized.
        const again = await reopened.messages.append("s", {
          role: "user",
          content: "first",
          idempotencyKey: "key-0001",
        });
        expect(again.map((m) => [m.seq, m.content])).toEqual([[1, "first"]]);
      },
    );

    h.test(
      "integrity.snapshot-checksums",
      "check reports a snapshot whose bytes no longer match its checksum, and an archived session without one; repair leaves both",
      async (ctx) => {
        const { store, raw } = await storeWithRawAccess(h, ctx);
        for (const id of ["s1", "s2", "s3"]) {
          await store.sessions.create({ id });
          await store.messages.append(id, [user(`${id} hello`)]);
          await store.lifecycle.archive(id);
        }
        expect((await store.integrity.check()).ok).toBe(true);
        // One byte of s2's payload changes; s3 loses its snapshot.
        await raw.run(
          "UPDATE snapshots SET payload = CAST(substr(payload, 1, 10) || X'00' || substr(payload, 12) AS BLOB) WHERE session_id = 's2'",
        );
        await raw.run("DELETE FROM snapshots WHERE session_id = 's3'");
        const report = await store.integrity.check();
        const snapshots = report.findings.filter((f) => f.check === "snapshots");
        expect(snapshots.map((f) => [f.message, f.count, f.sample])).toEqual([
          ["archived sessions without a snapshot", 1, ["s3"]],
          ["snapshot payloads that do not match their checksum", 1, ["s2"]],
        ]);
        const repaired = await store.integrity.repair({ backupTo: false });
        expect(repaired.ok).toBe(false);
        expect(repaired.after.findings.map((f) => f.check)).toEqual(["snapshots", "snapshots"]);
      },
    );

    h.test(
      "integrity.tool-calls",
      "check finds a tool-call index that differs from the messages' tool calls (a row lost, a row left over); repair rebuilds it and results need their calls again",
      async (ctx) => {
        const { store, raw } = await storeWithRawAccess(h, ctx);
        const s = await store.sessions.create({ id: "t" });
        await store.messages.append(s.id, [
          {
            role: "assistant",
            parts: [
              { type: "tool-call", toolCallId: "c1", toolName: "a", input: 1 },
              { type: "tool-call", toolCallId: "c2", toolName: "b", input: 2 },
            ],
          },
          { role: "tool", parts: [{ type: "tool-result", toolCallId: "c1", output: "ok" }] },
        ]);
        expect((await store.integrity.check()).ok).toBe(true);
        await raw.run("DELETE FROM message_tool_calls WHERE tool_call_id = 'c2'");
        await raw.run(
          "INSERT INTO message_tool_calls (session_pk, tool_call_id, message_pk) SELECT pk, 'ghost', 999 FROM sessions WHERE id = 't'",
        );
        const report = await store.integrity.check();
        expect(report.findings).toEqual([
          expect.objectContaining({ check: "tool-calls", count: 1, sample: ["t"] }),
        ]);
        const repaired = await store.integrity.repair({ backupTo: false });
        expect(repaired.actions.toolCallsRebuilt).toBe(true);
        expect(repaired.ok).toBe(true);
        // c2 answers again; the ghost call is gone.
        await store.messages.append(s.id, {
          role: "tool",
          parts: [{ type: "tool-result", toolCallId: "c2", output: "ok" }],
        });
        await expect(
          store.messages.append(s.id, {
            role: "tool",
            parts: [{ type: "tool-result", toolCallId: "ghost", output: "?" }],
          }),
        ).rejects.toBeInstanceOf(ValidationError);
      },
    );

    h.test(
      "integrity.compaction-point",
      "check finds a compaction point that is not the newest summary's (or past the last seq); repair sets it back",
      async (ctx) => {
        const { store, raw } = await storeWithRawAccess(h, ctx);
        for (const id of ["x", "y"]) {
          await store.sessions.create({ id });
          await store.messages.append(id, [user("one"), user("two"), user("three")]);
        }
        await store.messages.compact("x", {
          throughSeq: 2,
          summary: { role: "assistant", content: "sum" },
        });
        expect((await store.integrity.check()).ok).toBe(true);
        await raw.run("UPDATE sessions SET compacted_through = 1 WHERE id = 'x'");
        await raw.run("UPDATE sessions SET compacted_through = 9 WHERE id = 'y'");
        const report = await store.integrity.check();
        expect(found(report)).toEqual({
          "compaction: sessions whose compactedThrough is not their newest summary's summaryThrough": 2,
        });
        expect(report.findings[0]?.sample.slice().sort()).toEqual(["x", "y"]);
        const repaired = await store.integrity.repair({ backupTo: false });
        expect(repaired.actions.compactionFixed).toBe(2);
        expect(repaired.ok).toBe(true);
        expect((await store.sessions.get("x")).compactedThrough).toBe(2);
        expect((await store.sessions.get("y")).compactedThrough).toBe(0);
      },
    );
  });
}
