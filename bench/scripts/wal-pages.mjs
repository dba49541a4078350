// WAL pages written per plain text append: frames the -wal file gains per
// `messages.append` of one short user message, on the node:sqlite adapter.
//
//   node bench/scripts/wal-pages.mjs [root] [--sessions 200] [--by-btree]
//
// `root` is a folder holding `packages/core/dist` and
// `packages/adapter-node-sqlite/dist` (default: this repository, built), so
// the same script measures an earlier version's build. Only API calls every
// schema version has are used.
//
// After each append the WAL is read: the frames of its last transaction (those
// after the previous commit frame, with the WAL header's salts) are the
// pages the append wrote, whatever checkpoints did before. Appends go to 200
// seeded sessions in turn (each holding 20 messages), like a service with
// many chats ("rotating"), then to one session ("one chat"). The median is
// the common append; the mean also carries the search index's batch passes
// (one every ~32 appends, amortized). The clock is real: every append moves
// its session's last activity.
//
// --sessions sets how many seeded sessions the rotating appends go to (more
// sessions: a session's old activity key is farther from the newest, in
// another leaf of each activity index). --by-btree adds, per workload, the
// most common sets of b-trees an append wrote (each page looked up in
// `dbstat`), to see which tables and indexes the pages belong to.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    sessions: { type: "string", default: "200" },
    "by-btree": { type: "boolean", default: false },
  },
});
const root = resolve(positionals[0] ?? new URL("../..", import.meta.url).pathname);
const sessionCount = Number(values.sessions);
const load = (p) => import(pathToFileURL(join(root, p, "dist/index.js")).href);
const { openStore } = await load("packages/core");
const { nodeSqlite } = await load("packages/adapter-node-sqlite");

const dir = mkdtempSync(join(tmpdir(), "wal-pages-"));
const path = join(dir, "store.db");
try {
  const store = await openStore({ driver: nodeSqlite({ filename: path }) });
  const sessions = [];
  for (let i = 0; i < sessionCount; i++) {
    const s = await store.sessions.create({ model: "m", title: `chat ${i}` });
    await store.messages.append(
      s.id,
      Array.from({ length: 20 }, (_, j) => ({ role: "user", content: `seed ${i} ${j}` })),
    );
    sessions.push(s.id);
  }
  // Opened after seeding: dbstat names the b-tree of each page as the file is now.
  const look = values["by-btree"] ? new DatabaseSync(path) : undefined;
  const btreeOf = look?.prepare("SELECT name FROM dbstat WHERE pageno = ?");
  const measure = async (pick) => {
    const pages = [];
    const sets = new Map();
    for (let i = 0; i < 640; i++) {
      await store.messages.append(pick(i), {
        role: "user",
        content: `what is the weather like in city ${i}?`,
      });
      const written = lastTransactionPages(`${path}-wal`);
      pages.push(written);
      if (btreeOf) {
        const names = written.map((p) => btreeOf.get(p)?.name ?? `page ${p}`).sort();
        const key = names.join(", ");
        sets.set(key, (sets.get(key) ?? 0) + 1);
      }
    }
    const common = [...sets].sort((a, b) => b[1] - a[1]).slice(0, 3);
    return { pages, btrees: common.map(([set, appends]) => ({ appends, set })) };
  };
  const rotating = await measure((i) => sessions[i % sessions.length]);
  const oneChat = await measure(() => sessions[0]);
  look?.close();
  await store.close();
  const report = (m) => ({
    ...summary(m.pages),
    ...(values["by-btree"] ? { btrees: m.btrees } : {}),
  });
  console.log(
    JSON.stringify({
      root,
      sessions: sessionCount,
      rotating: report(rotating),
      oneChat: report(oneChat),
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function summary(pages) {
  const counts = pages.map((p) => p.length);
  const sorted = [...counts].sort((a, b) => a - b);
  const histogram = {};
  for (const c of counts) histogram[c] = (histogram[c] ?? 0) + 1;
  return {
    appends: counts.length,
    medianPagesPerAppend: sorted[Math.floor(sorted.length / 2)],
    meanPagesPerAppend: Number((counts.reduce((a, b) => a + b, 0) / counts.length).toFixed(2)),
    histogram,
  };
}

/**
 * The page numbers of the last committed transaction in a WAL file: the
 * valid frames are the leading ones with the header's salts (a restarted
 * WAL leaves older frames after them), and the last transaction runs from
 * after the previous commit frame to the last one.
 */
function lastTransactionPages(walPath) {
  const wal = readFileSync(walPath);
  if (wal.length < 32) return [];
  const pageSize = wal.readUInt32BE(8);
  const salt1 = wal.readUInt32BE(16);
  const salt2 = wal.readUInt32BE(20);
  const frames = [];
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
    if (wal.readUInt32BE(at + 8) !== salt1 || wal.readUInt32BE(at + 12) !== salt2) break;
    frames.push({ page: wal.readUInt32BE(at), commit: wal.readUInt32BE(at + 4) !== 0 });
  }
  let end = frames.length;
  while (end > 0 && !frames[end - 1].commit) end--;
  let start = end - 1;
  while (start > 0 && !frames[start - 1].commit) start--;
  return frames.slice(Math.max(start, 0), end).map((f) => f.page);
}
