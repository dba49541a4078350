import {
  BackupVerificationError,
  ExtensionSchemaTooNewError,
  restoreBackup,
  type StoreExtension,
  ValidationError,
} from "@llm-sessions/core";
import { attachExtension, defineExtension } from "@llm-sessions/core/extension";
import { describe, expect } from "vitest";
import type { StoreHarness } from "./harness.js";

/** A small extension: notes that hang from sessions. */
const V1 = {
  version: 1,
  name: "notes",
  statements: [
    `CREATE TABLE ext_notes (
       session_pk INTEGER NOT NULL REFERENCES sessions (pk) ON DELETE CASCADE,
       body       TEXT NOT NULL
     ) STRICT`,
    "CREATE INDEX ext_notes_by_session ON ext_notes (session_pk)",
  ],
};
const V2 = {
  version: 2,
  name: "note tags",
  statements: ["ALTER TABLE ext_notes ADD COLUMN tag TEXT"],
};
const notes: StoreExtension = defineExtension({
  name: "ext",
  migrations: [V1],
  checks: [
    {
      check: "empty-notes",
      message: "notes without text",
      sql: "SELECT CAST(rowid AS TEXT) AS id FROM ext_notes WHERE body = ''",
    },
  ],
});

/**
 * The extension contract (`@llm-sessions/core/extension`): an integration
 * package's own tables in the store's file, migrated, checked, backed up and
 * removed with their session.
 */
export function registerExtensionTests(h: StoreHarness): void {
  describe("extensions", () => {
    h.test(
      "ext.migrate",
      "openStore runs an extension's chain once; a later version only its new steps",
      async () => {
        const path = h.newPath("ext.db");
        const s1 = await h.open({ path, extensions: [notes] });
        const handle = await attachExtension(s1, notes);
        expect(handle.migration).toEqual({ name: "ext", from: 1, to: 1, applied: [] });
        await s1.close();
        // The rest reopens the file: a :memory: target starts empty each time.
        if (!(await h.createDriver({ path: h.newPath("probe.db") })).localPath) return;
        const s2 = await h.open({ path });
        const v2 = await attachExtension(s2, { ...notes, migrations: [V1, V2] });
        expect(v2.migration).toEqual({ name: "ext", from: 1, to: 2, applied: [2] });
        const cols = await v2.read((q) =>
          q.all<{ name: string }>("SELECT name FROM pragma_table_info('ext_notes')"),
        );
        expect(cols.map((c) => c.name)).toEqual(["session_pk", "body", "tag"]);
        await s2.close();
        // This copy knows only v1: refused, nothing changed.
        const s3 = await h.open({ path });
        await expect(attachExtension(s3, notes)).rejects.toBeInstanceOf(ExtensionSchemaTooNewError);
        await expect(h.open({ path, extensions: [notes] })).rejects.toBeInstanceOf(
          ExtensionSchemaTooNewError,
        );
        const version = await (await attachExtension(s3, { ...notes, migrations: [V1, V2] })).read(
          (q) =>
            q.get<{ version: number }>("SELECT version FROM package_schemas WHERE name = 'ext'"),
        );
        expect(Number(version?.version)).toBe(2);
      },
    );

    h.test(
      "ext.names",
      "a migration that creates an object outside its prefix is rolled back",
      async () => {
        const store = await h.open();
        const bad = defineExtension({
          name: "bad",
          migrations: [
            {
              version: 1,
              name: "x",
              statements: ["CREATE TABLE bad_ok (x INTEGER)", "CREATE TABLE sneaky (x INTEGER)"],
            },
          ],
        });
        await expect(attachExtension(store, bad)).rejects.toBeInstanceOf(ValidationError);
        const handle = await attachExtension(store, notes);
        const left = await handle.read((q) =>
          q.all<{ name: string }>(
            "SELECT name FROM sqlite_master WHERE name IN ('bad_ok', 'sneaky')",
          ),
        );
        expect(left).toEqual([]);
        expect(() => defineExtension({ name: "Bad-Name", migrations: [V1] })).toThrow(
          ValidationError,
        );
        expect(() => defineExtension({ name: "gap", migrations: [V2] })).toThrow(ValidationError);
        await expect(attachExtension({}, notes)).rejects.toBeInstanceOf(ValidationError);
      },
    );

    h.test(
      "ext.cascade",
      "rows go with their session: delete, tenant scoping, purge; archive keeps them",
      async () => {
        const store = await h.open({
          lifecycle: {
            archiveAfterMs: 10_000,
            purgeAfterMs: 100_000,
            sweepIntervalMs: 0,
          },
          extensions: [notes],
        });
        const handle = await attachExtension(store, notes);
        const add = (tenant: string | null, id: string) =>
          handle.write(async (tx) => {
            const pk = await handle.ensureSession(tx, tenant, id);
            await tx.run("INSERT INTO ext_notes (session_pk, body) VALUES (?, 'n')", [pk]);
            return pk;
          });
        const a = await add(null, "a");
        expect(await add(null, "a")).toBe(a);
        const b = await add("t1", "a");
        expect(b).not.toBe(a);
        await add(null, "c");
        expect(await handle.read((q) => handle.sessionPk(q, "t1", "a"))).toBe(b);
        expect(await handle.read((q) => handle.sessionPk(q, "t2", "a"))).toBeUndefined();
        expect((await store.tenant("t1").sessions.get("a")).tenantId).toBe("t1");
        const count = () =>
          handle.read(async (q) =>
            Number((await q.get<{ n: number }>("SELECT count(*) AS n FROM ext_notes"))?.n),
          );
        expect(await count()).toBe(4);
        await store.sessions.delete("c");
        expect(await count()).toBe(3);
        h.clock.advance(20_000);
        const archived = await store.lifecycle.sweep();
        expect(archived.archived).toBe(2);
        expect(await count()).toBe(3);
        h.clock.advance(200_000);
        expect((await store.lifecycle.sweep()).purged).toBe(2);
        expect(await count()).toBe(0);
        await expect(add(null, "bad id with spaces")).rejects.toBeInstanceOf(ValidationError);
      },
    );

    h.test(
      "ext.integrity-backup",
      "integrity.check runs the extension's checks; a backup carries its tables",
      async () => {
        const store = await h.open({ extensions: [notes] });
        const handle = await attachExtension(store, notes);
        const clean = await store.integrity.check();
        expect(clean.checks).toContain("ext:empty-notes");
        expect(clean.ok).toBe(true);
        await handle.write(async (tx) => {
          const pk = await handle.ensureSession(tx, null, "s");
          await tx.run("INSERT INTO ext_notes (session_pk, body) VALUES (?, '')", [pk]);
          await tx.run("INSERT INTO ext_notes (session_pk, body) VALUES (?, 'kept')", [pk]);
        });
        const report = await store.integrity.check();
        expect(report.ok).toBe(false);
        expect(report.findings.map((f) => [f.check, f.count])).toEqual([["ext:empty-notes", 1]]);
        const driver = await h.createDriver({ path: h.newPath("probe.db") });
        if (!driver.localPath) return;
        const out = h.newPath("ext.bak");
        await store.maintenance.backup(out);
        const copy = await h.open({ path: out, extensions: [notes] });
        const copyHandle = await attachExtension(copy, notes);
        expect(copyHandle.migration.from).toBe(1);
        const bodies = await copyHandle.read((q) =>
          q.all<{ body: string }>("SELECT body FROM ext_notes ORDER BY body"),
        );
        expect(bodies.map((r) => r.body)).toEqual(["", "kept"]);
        await copy.close();
        // restoreBackup re-validates: with the extension, its check refuses the empty note.
        const target = h.newPath("restored.db");
        const restore = (extensions: StoreExtension[]) =>
          restoreBackup(out, target, {
            createDriver: (p) => h.createDriver({ path: p }),
            extensions,
          });
        await expect(restore([notes])).rejects.toBeInstanceOf(BackupVerificationError);
        // A file whose extension tables are newer than the package's chain is refused.
        await handle.write((tx) =>
          tx.run("UPDATE package_schemas SET version = 5 WHERE name = 'ext'"),
        );
        const out2 = h.newPath("ext5.bak");
        await store.maintenance.backup(out2);
        await expect(
          restoreBackup(out2, target, {
            createDriver: (p) => h.createDriver({ path: p }),
            extensions: [notes],
          }),
        ).rejects.toBeInstanceOf(ExtensionSchemaTooNewError);
        const plain = await restore([]);
        expect(plain.sessions).toBe(1);
      },
    );
  });
}
