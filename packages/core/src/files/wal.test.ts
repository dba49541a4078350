import { describe, expect, it } from "vitest";
import { analyzeWal, walChecksum } from "./wal.js";

const PAGE = 512;

interface FrameSpec {
  readonly pgno: number;
  /** Database size after a commit frame; 0 for the other frames of a transaction. */
  readonly commit: number;
  readonly fill: number;
}

/** A WAL written the way SQLite writes one: header checksum, then a cumulative checksum per frame. */
function buildWal(
  frames: readonly FrameSpec[],
  { bigEndian = false, salts = [0x1234, 0xabcd] as [number, number] } = {},
): Buffer {
  const header = Buffer.alloc(32);
  header.writeUInt32BE(bigEndian ? 0x377f0683 : 0x377f0682, 0);
  header.writeUInt32BE(3007000, 4);
  header.writeUInt32BE(PAGE, 8);
  header.writeUInt32BE(salts[0], 16);
  header.writeUInt32BE(salts[1], 20);
  let sum = walChecksum(header.subarray(0, 24), bigEndian);
  header.writeUInt32BE(sum[0], 24);
  header.writeUInt32BE(sum[1], 28);
  const parts = [header];
  for (const f of frames) {
    const frame = Buffer.alloc(24 + PAGE, f.fill);
    frame.writeUInt32BE(f.pgno, 0);
    frame.writeUInt32BE(f.commit, 4);
    frame.writeUInt32BE(salts[0], 8);
    frame.writeUInt32BE(salts[1], 12);
    sum = walChecksum(frame.subarray(0, 8), bigEndian, sum);
    sum = walChecksum(frame.subarray(24), bigEndian, sum);
    frame.writeUInt32BE(sum[0], 16);
    frame.writeUInt32BE(sum[1], 20);
    parts.push(frame);
  }
  return Buffer.concat(parts);
}

/** Five transactions of one frame each (pages 1..5), every frame a commit. */
const fiveCommits: FrameSpec[] = [1, 2, 3, 4, 5].map((n) => ({ pgno: n, commit: 5, fill: n }));
const frameStart = (i: number) => 32 + i * (24 + PAGE);
/** Flips bits of one byte, as damage on disk would. */
function flip(buf: Buffer, at: number, mask: number): void {
  buf.writeUInt8(buf.readUInt8(at) ^ mask, at);
}

const emptyDb = { pageSize: PAGE, dbPage: () => undefined };

describe("analyzeWal", () => {
  it("an intact WAL is recovered whole and loses nothing", () => {
    const a = analyzeWal(buildWal(fiveCommits), emptyDb);
    expect(a).toMatchObject({ headerValid: true, frames: 5, recoveredFrames: 5, lostCommits: 0 });
  });

  it("one flipped byte in a committed frame: the later commits are reported lost", () => {
    const wal = buildWal(fiveCommits);
    flip(wal, frameStart(2) + 24 + 100, 0x01);
    const a = analyzeWal(wal, emptyDb);
    expect(a.recoveredFrames).toBe(2);
    expect(a.chainEnd).toBe(2);
    // Frames 3 and 4 still check out against their predecessors.
    expect(a.lostCommits).toBe(2);
    expect(a.firstLostCommit).toBe(3);
  });

  it("a flipped byte in the last commit frame loses only that (torn) transaction", () => {
    const wal = buildWal(fiveCommits);
    flip(wal, frameStart(4) + 24 + 7, 0x80);
    expect(analyzeWal(wal, emptyDb)).toMatchObject({ recoveredFrames: 4, lostCommits: 0 });
  });

  it("a zeroed header: recovery keeps nothing, and the verifiable commits are reported lost", () => {
    const wal = buildWal(fiveCommits);
    wal.fill(0, 0, 32);
    const a = analyzeWal(wal, emptyDb);
    expect(a.headerValid).toBe(false);
    expect(a.recoveredFrames).toBe(0);
    // Frame 0's seed was in the header; frames 1..4 are verified from their predecessors.
    expect(a.lostCommits).toBe(4);
  });

  it("a zeroed header is found with the page size from the database when the header's is gone", () => {
    const wal = buildWal(fiveCommits, { bigEndian: true });
    wal.fill(0, 0, 32);
    expect(analyzeWal(wal, emptyDb).lostCommits).toBe(4);
    expect(analyzeWal(wal, {}).lostCommits).toBe(4);
  });

  it("a zeroed header over frames the database already holds loses nothing", () => {
    const wal = buildWal(fiveCommits);
    wal.fill(0, 0, 32);
    const checkpointed = (pgno: number) => Buffer.alloc(PAGE, pgno);
    expect(analyzeWal(wal, { pageSize: PAGE, dbPage: checkpointed }).lostCommits).toBe(0);
  });

  it("a torn tail (the last frame cut short) loses nothing", () => {
    const wal = buildWal(fiveCommits);
    const torn = wal.subarray(0, frameStart(4) + 24 + 200);
    expect(analyzeWal(torn, emptyDb)).toMatchObject({
      frames: 4,
      recoveredFrames: 4,
      lostCommits: 0,
    });
  });

  it("a last transaction without its commit frame loses nothing", () => {
    const frames = [
      ...fiveCommits,
      { pgno: 6, commit: 0, fill: 6 },
      { pgno: 7, commit: 0, fill: 7 },
    ];
    expect(analyzeWal(buildWal(frames), emptyDb)).toMatchObject({
      frames: 7,
      recoveredFrames: 5,
      lostCommits: 0,
    });
  });

  it("frames of an older generation (other salts) after the current ones are not losses", () => {
    const older = buildWal(fiveCommits, { salts: [0x1233, 0x7777] });
    const current = buildWal(fiveCommits.slice(0, 2), { salts: [0x1234, 0x9999] });
    const wal = Buffer.concat([current, older.subarray(current.length)]);
    expect(analyzeWal(wal, emptyDb)).toMatchObject({ recoveredFrames: 2, lostCommits: 0 });
  });

  it("garbage after the last frame loses nothing", () => {
    const wal = Buffer.concat([buildWal(fiveCommits), Buffer.alloc(5000, "junk ")]);
    expect(analyzeWal(wal, emptyDb)).toMatchObject({ recoveredFrames: 5, lostCommits: 0 });
  });

  it("a transaction broken in its middle frame: the later transactions' commits are lost", () => {
    const frames: FrameSpec[] = [
      { pgno: 1, commit: 3, fill: 1 },
      { pgno: 2, commit: 0, fill: 2 },
      { pgno: 3, commit: 0, fill: 3 },
      { pgno: 1, commit: 3, fill: 4 },
      { pgno: 2, commit: 3, fill: 5 },
    ];
    const wal = buildWal(frames);
    flip(wal, frameStart(2) + 24, 0xff);
    // Its own commit (frame 3) may have been in flight; the one after it was made.
    expect(analyzeWal(wal, emptyDb)).toMatchObject({ recoveredFrames: 1, lostCommits: 1 });
  });

  it("a commit SQLite was still writing (a frame overwritten in place, checksums not yet rewritten) is not a loss", () => {
    // SQLite overwrote frame 1's page in place, appended frames 2 and 3 (the
    // commit) from the old running checksum, and was killed (or read) before
    // walRewriteChecksums fixed the chain from frame 1 on.
    const frames: FrameSpec[] = [
      { pgno: 1, commit: 3, fill: 1 },
      { pgno: 2, commit: 0, fill: 2 },
      { pgno: 3, commit: 0, fill: 3 },
      { pgno: 1, commit: 3, fill: 4 },
    ];
    const wal = buildWal(frames);
    wal.fill(9, frameStart(1) + 24, frameStart(2));
    expect(analyzeWal(wal, emptyDb)).toMatchObject({
      recoveredFrames: 1,
      chainEnd: 1,
      lostCommits: 0,
    });
  });

  it("a broken frame followed by a frame that does not continue it is not taken for an in-flight commit", () => {
    const frames: FrameSpec[] = [
      { pgno: 1, commit: 3, fill: 1 },
      { pgno: 2, commit: 0, fill: 2 },
      { pgno: 3, commit: 0, fill: 3 },
      { pgno: 1, commit: 0, fill: 4 },
      { pgno: 2, commit: 3, fill: 5 },
    ];
    const wal = buildWal(frames);
    // Frames 1 and 3 damaged: the commit at 4 continues 3 but 2 does not continue 1's successor chain.
    flip(wal, frameStart(1) + 24, 0xff);
    flip(wal, frameStart(2) + 20, 0xff);
    expect(analyzeWal(wal, emptyDb)).toMatchObject({ recoveredFrames: 1, lostCommits: 1 });
  });

  it("an empty or headerless file loses nothing", () => {
    expect(analyzeWal(Buffer.alloc(0)).lostCommits).toBe(0);
    expect(analyzeWal(Buffer.alloc(10_000)).lostCommits).toBe(0);
  });
});
