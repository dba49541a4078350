import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DatabaseCorruptError,
  type Message,
  openStore,
  type SqliteDriver,
  type Store,
} from "@llm-sessions/core";
import { afterAll, describe, expect, type TestContext } from "vitest";
import type { StoreHarness } from "./harness.js";

/** What the template database holds, to tell served data from damaged data. */
interface Template {
  readonly path: string;
  readonly pageSize: number;
  readonly pages: number;
  /** Root pages of the b-trees worth hitting, by name. */
  readonly roots: Readonly<Record<string, number>>;
  /** Every session's messages, as the store served them before any damage. */
  readonly content: ReadonlyMap<string, readonly string[]>;
}

const SESSIONS = 12;
const MESSAGES_PER_SESSION = 40;

/** Everything the store serves: every session's messages, and a search. */
async function readEverything(store: Store): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<Store["sessions"]["list"]>> = await store.sessions.list({
      limit: 100,
      cursor,
    });
    for (const s of page.items) {
      const items: Message[] = (await store.messages.list(s.id, { limit: 1000 })).items;
      out.set(
        s.id,
        items.map((m) => m.content),
      );
    }
    cursor = page.nextCursor;
  } while (cursor);
  await store.search("payload");
  return out;
}

/** Builds a store file of a few hundred pages, closed (its WAL checkpointed away). */
async function buildTemplate(
  createDriver: (path: string) => Promise<SqliteDriver>,
  path: string,
): Promise<Template> {
  const store = await openStore({ driver: await createDriver(path) });
  const content = new Map<string, string[]>();
  for (let i = 0; i < SESSIONS; i++) {
    const s = await store.sessions.create({ id: `s${String(i).padStart(2, "0")}`, title: `t${i}` });
    const texts = Array.from(
      { length: MESSAGES_PER_SESSION },
      (_, k) => `payload ${i}/${k} ${"lorem ipsum dolor ".repeat(12)}`,
    );
    await store.messages.append(
      s.id,
      texts.map((content) => ({ role: "user" as const, content })),
    );
    content.set(s.id, texts);
  }
  await store.close();
  const driver = await createDriver(path);
  const conn = await driver.connect();
  let info: { page_size: number; page_count: number; freelist_count: number };
  let roots: Record<string, number>;
  try {
    // VACUUM leaves no free page: every page of the template holds data.
    await conn.exec("VACUUM");
    await conn.run("PRAGMA wal_checkpoint(TRUNCATE)");
    info = {
      page_size: Number((await conn.get<{ page_size: number }>("PRAGMA page_size"))?.page_size),
      page_count: Number((await conn.get<{ page_count: number }>("PRAGMA page_count"))?.page_count),
      freelist_count: Number(
        (await conn.get<{ freelist_count: number }>("PRAGMA freelist_count"))?.freelist_count,
      ),
    };
    const rows = await conn.all<{ name: string; rootpage: number }>(
      "SELECT name, rootpage FROM sqlite_master WHERE rootpage > 0",
    );
    roots = Object.fromEntries(rows.map((r) => [r.name, Number(r.rootpage)]));
  } finally {
    await conn.close();
  }
  expect(info.freelist_count).toBe(0);
  expect(existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0).toBe(0);
  return { path, pageSize: info.page_size, pages: info.page_count, roots, content };
}

type Damage = (file: string, t: Template) => void;

function overwritePage(page: number): Damage {
  return (file, t) => {
    // Not random: the same garbage every run, and never a valid b-tree page type byte.
    const garbage = Buffer.alloc(t.pageSize, "garbage! ");
    const fd = openSync(file, "r+");
    try {
      writeSync(fd, garbage, 0, garbage.length, (page - 1) * t.pageSize);
    } finally {
      closeSync(fd);
    }
  };
}

const truncateAt =
  (fraction: number): Damage =>
  (file) => {
    // Mid-page on purpose: a crash or a failed copy does not stop at page boundaries.
    truncateSync(file, Math.floor(statSync(file).size * fraction) + 123);
  };

const zeroHeader: Damage = (file) => {
  const fd = openSync(file, "r+");
  try {
    writeSync(fd, Buffer.alloc(100), 0, 100, 0);
  } finally {
    closeSync(fd);
  }
};

/** Which page to overwrite: a fixed number, a b-tree's root page, or one relative to the file. */
type PageSpec = number | `root:${string}` | "middle" | "last";

/** The matrix: each way a file gets damaged, at several places. */
const MATRIX: readonly (readonly [
  string,
  { zeroHeader: true } | { truncate: number } | { page: PageSpec },
])[] = [
  ["header zeroed", { zeroHeader: true }],
  ["truncated at 25%", { truncate: 0.25 }],
  ["truncated at 50%", { truncate: 0.5 }],
  ["truncated at 90%", { truncate: 0.9 }],
  ["page 1 overwritten (schema)", { page: 1 }],
  ["sessions root page overwritten", { page: "root:sessions" }],
  ["messages root page overwritten", { page: "root:messages" }],
  ["search index data root overwritten", { page: "root:messages_fts_data" }],
  ["an index root overwritten", { page: "root:sessions_by_tenant_status_activity" }],
  ["a middle page overwritten", { page: "middle" }],
  ["the last page overwritten", { page: "last" }],
];

function pageNumber(spec: PageSpec, t: Template): number {
  if (typeof spec === "number") return spec;
  if (spec === "middle") return Math.floor(t.pages / 2);
  if (spec === "last") return t.pages;
  const page = t.roots[spec.slice("root:".length)];
  if (page === undefined) throw new Error(`no b-tree named ${spec}`);
  return page;
}

function damageOf(spec: (typeof MATRIX)[number][1], t: Template): Damage {
  if ("zeroHeader" in spec) return zeroHeader;
  if ("truncate" in spec) return truncateAt(spec.truncate);
  return overwritePage(pageNumber(spec.page, t));
}

/** Parses a WAL: where each commit frame ends (frames are 24 header bytes plus a page). */
function commitEnds(wal: Buffer, pageSize: number): number[] {
  const ends: number[] = [];
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
    if (wal.readUInt32BE(at + 4) !== 0) ends.push(at + 24 + pageSize);
  }
  return ends;
}

/** Damaged files are refused or reported, never served silently; a torn WAL tail is a crash, not damage. */
export function registerCorruptionTests(h: StoreHarness): void {
  describe("corruption", () => {
    const dir = mkdtempSync(join(tmpdir(), "llm-sessions-corruption-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    let template: Promise<Template> | undefined;
    const driverFor = async (path: string) => h.createDriver({ path });

    /** A fresh copy of the template, or a skip when the target is not a file. */
    async function damagedCopy(ctx: TestContext): Promise<{ t: Template; file: string }> {
      const probe = await h.createDriver({ path: h.newPath() });
      if (!probe.capabilities.file) ctx.skip("damaging a file needs a file");
      template ??= buildTemplate(driverFor, join(dir, "template.db"));
      const t = await template;
      const file = h.newPath();
      copyFileSync(t.path, file);
      return { t, file };
    }

    for (const [index, [name, spec]] of MATRIX.entries()) {
      h.test(
        `corruption.refused-on-open-${index}`,
        `${name}: openStore (verifyOnOpen default) raises DatabaseCorruptError naming the file`,
        async (ctx) => {
          const { t, file } = await damagedCopy(ctx);
          damageOf(spec, t)(file, t);
          const error = await h.open({ path: file }).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(DatabaseCorruptError);
          expect((error as DatabaseCorruptError).target).toContain(file);
          expect((error as DatabaseCorruptError).message).toContain(file);
        },
      );
      h.test(
        `corruption.never-served-${index}`,
        `${name}: with verifyOnOpen false, open or check reports it, and reads give the original data or DatabaseCorruptError`,
        async (ctx) => {
          const { t, file } = await damagedCopy(ctx);
          damageOf(spec, t)(file, t);
          let store: Store;
          try {
            store = await h.open({ path: file, verifyOnOpen: false });
          } catch (error) {
            expect(error).toBeInstanceOf(DatabaseCorruptError);
            return;
          }
          const report = await store.integrity.check();
          expect(report.ok).toBe(false);
          expect(report.findings.some((f) => f.check === "sqlite")).toBe(true);
          try {
            const served = await readEverything(store);
            // Whatever is served is exactly what was stored: the damage was elsewhere.
            for (const [id, texts] of served) expect(texts).toEqual(t.content.get(id));
          } catch (error) {
            expect(error).toBeInstanceOf(DatabaseCorruptError);
          }
          // Repair will not write into damaged pages.
          await expect(store.integrity.repair({ backupTo: false })).rejects.toBeInstanceOf(
            DatabaseCorruptError,
          );
        },
      );
    }

    h.test(
      "corruption.raised-later",
      "damage met after open (verifyOnOpen false) is raised as DatabaseCorruptError by every API read, not as a SQL error",
      async (ctx) => {
        const { t, file } = await damagedCopy(ctx);
        overwritePage(t.roots.messages ?? 0)(file, t);
        const store = await h.open({ path: file, verifyOnOpen: false });
        for (const read of [
          () => store.messages.list("s00"),
          () => store.messages.last("s01", 5),
          () => store.search("payload"),
        ]) {
          const error = await read().catch((e: unknown) => e);
          expect(error).toBeInstanceOf(DatabaseCorruptError);
          expect((error as DatabaseCorruptError).target).toContain(file);
        }
      },
    );

    for (const [id, title, damage] of [
      [
        "wal.garbage-appended",
        "garbage appended to the WAL: the store opens, checks clean, and every commit is there",
        (wal: string) => {
          const fd = openSync(wal, "a");
          try {
            writeSync(fd, Buffer.alloc(10_000, "junk after the last frame "));
          } finally {
            closeSync(fd);
          }
        },
      ],
      [
        "wal.torn-frame",
        "a WAL cut inside a frame: the store opens, checks clean, and holds exactly the commits before the cut",
        (wal: string, cut: number) => truncateSync(wal, cut),
      ],
    ] as const) {
      h.test(id, title, async (ctx) => {
        const path = h.newPath();
        const driver = await h.createDriver({ path });
        if (!driver.capabilities.file || !driver.capabilities.walCheckpoint) {
          ctx.skip("needs a local file in WAL mode");
        }
        // No checkpoints: every commit stays in the WAL, where the damage goes.
        // No background search indexing either: the appends must be the last commits.
        const store = await openStore({
          driver,
          pool: { checkpoint: false },
          searchIndexing: { batch: 100_000, delayMs: 60_000 },
        });
        const s = await store.sessions.create({ id: "w" });
        const appends = 40;
        for (let i = 1; i <= appends; i++) {
          await store.messages.append(s.id, { role: "user", content: `commit ${i}` });
        }
        // What a crash leaves: the files as they are on disk right now, the store still open.
        const copy = h.newPath();
        copyFileSync(path, copy);
        copyFileSync(`${path}-wal`, `${copy}-wal`);
        await store.close();
        const conn = await driver.connect();
        const pageSize = Number(
          (await conn.get<{ page_size: number }>("PRAGMA page_size"))?.page_size,
        );
        await conn.close();
        const wal = readFileSync(`${copy}-wal`);
        const ends = commitEnds(wal, pageSize);
        // The appends are the last commits; cut inside the frame after the 30th append's commit.
        const kept = 30;
        const cutAfter = ends[ends.length - appends + kept - 1] ?? 0;
        expect(cutAfter).toBeGreaterThan(0);
        damage(`${copy}-wal`, cutAfter + 24 + 100);
        const reopened = await h.open({ path: copy });
        expect((await reopened.integrity.check({ full: true })).findings).toEqual([]);
        const got = (await reopened.messages.list("w", { limit: 1000 })).items;
        const expected = id === "wal.torn-frame" ? kept : appends;
        expect(got.map((m) => [m.seq, m.content])).toEqual(
          Array.from({ length: expected }, (_, i) => [i + 1, `commit ${i + 1}`]),
        );
        expect((await reopened.sessions.get("w")).messageCount).toBe(expected);
      });
    }
  });
}
