// WAL pages written per plain text append: frames the -wal file gains per
// `messages.append` of one short user message, on the node:sqlite adapter.
//
//   node bench/scripts/wal-pages.mjs [root]
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
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const root = resolve(process.argv[2] ?? new URL("../..", import.meta.url).pathname);
const load = (p) => import(pathToFileURL(join(root, p, "dist/index.js")).href);
const { openStore } = await load("packages/core");
const { nodeSqlite } = await load("packages/adapter-node-sqlite");

const dir = mkdtempSync(join(tmpdir(), "wal-pages-"));
const path = join(dir, "store.db");
try {
  const store = await openStore({ driver: nodeSqlite({ filename: path }) });
  const sessions = [];
  for (let i = 0; i < 200; i++) {
    const s = await store.sessions.create({ model: "m", title: `chat ${i}` });
    await store.messages.append(
      s.id,
      Array.from({ length: 20 }, (_, j) => ({ role: "user", content: `seed ${i} ${j}` })),
    );
    sessions.push(s.id);
  }
  const measure = async (pick) => {
    const pages = [];
    for (let i = 0; i < 640; i++) {
      await store.messages.append(pick(i), {
        role: "user",
        content: `what is the weather like in city ${i}?`,
      });
      pages.push(lastTransactionPages(`${path}-wal`));
    }
    return pages;
  };
  const rotating = await measure((i) => sessions[i % sessions.length]);
  const oneChat = await measure(() => sessions[0]);
  await store.close();
  console.log(JSON.stringify({ root, rotating: summary(rotating), oneChat: summary(oneChat) }));
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
