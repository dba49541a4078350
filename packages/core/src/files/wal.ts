/**
 * Reads a WAL file the way SQLite's recovery does, to find committed
 * transactions that recovery would drop. Pure: bytes in, verdict out. See
 * https://www.sqlite.org/fileformat2.html#walformat
 *
 * Recovery keeps frames from the start while each one carries the header's
 * salts, a non-zero page number and a checksum that continues the chain,
 * and stops at the first that does not; of those it keeps everything up to
 * the last commit frame (one whose "database size" field is non-zero). An
 * invalid header (magic, version, page size or its own checksum) makes it
 * keep nothing. A torn tail — the last transaction cut short by a crash —
 * ends the chain and loses only that uncommitted transaction.
 *
 * Damage in the middle ends the chain too, and then every later commit is
 * dropped without a word. Those later frames still check out against each
 * other: frame j's checksum is seeded by the checksum stored in frame j-1.
 * So a commit frame beyond the stopping point whose checksum continues from
 * its predecessor's, with the same salts, is a commit that was made and
 * that recovery will lose — unless the pages it wrote are what SQLite will
 * serve anyway (a WAL already copied into the database by a checkpoint).
 */

/** What `analyzeWal` found. */
export interface WalAnalysis {
  /** The 32-byte header is one SQLite accepts. */
  readonly headerValid: boolean;
  /** The page size the frames were read with; undefined when none fitted. */
  readonly pageSize: number | undefined;
  /** Whole frames in the file. */
  readonly frames: number;
  /** Frames recovery keeps: up to and including its last valid commit frame. */
  readonly recoveredFrames: number;
  /** Where the checksum chain breaks (frame index), or `frames` when it does not. */
  readonly chainEnd: number;
  /**
   * Commit frames beyond the recovered point whose checksums are intact and
   * whose pages differ from what SQLite will serve: acknowledged
   * transactions recovery would drop. 0 when nothing is lost.
   */
  readonly lostCommits: number;
  /** Index of the first lost commit frame, when there is one. */
  readonly firstLostCommit: number | undefined;
}

/** What the analysis needs to know about the database file itself. */
export interface WalContext {
  /** The database's page size (from its header), used when the WAL header is unreadable. */
  readonly pageSize?: number;
  /** Page `pgno` (1-based) of the database file, or undefined past its end. */
  readonly dbPage?: (pgno: number) => Uint8Array | undefined;
}

const WAL_MAGIC = 0x377f0682;
const WAL_VERSION = 3007000;
const WAL_HEADER = 32;
const FRAME_HEADER = 24;
const PAGE_SIZES = [512, 1024, 2048, 4096, 8192, 16384, 32768, 65536];

/** SQLite's WAL checksum over `data` (length a multiple of 8), continuing from `seed`. */
export function walChecksum(
  data: Uint8Array,
  bigEndian: boolean,
  seed: readonly [number, number] = [0, 0],
): [number, number] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let s0 = seed[0];
  let s1 = seed[1];
  const le = !bigEndian;
  for (let i = 0; i + 8 <= data.byteLength; i += 8) {
    s0 = (s0 + view.getUint32(i, le) + s1) >>> 0;
    s1 = (s1 + view.getUint32(i + 4, le) + s0) >>> 0;
  }
  return [s0, s1];
}

/** One frame's header fields and its place in the file. */
interface Frame {
  readonly offset: number;
  readonly pgno: number;
  readonly commit: number;
  readonly salt1: number;
  readonly salt2: number;
  readonly sum: [number, number];
}

function frameAt(wal: Buffer, index: number, pageSize: number): Frame {
  const offset = WAL_HEADER + index * (FRAME_HEADER + pageSize);
  return {
    offset,
    pgno: wal.readUInt32BE(offset),
    commit: wal.readUInt32BE(offset + 4),
    salt1: wal.readUInt32BE(offset + 8),
    salt2: wal.readUInt32BE(offset + 12),
    sum: [wal.readUInt32BE(offset + 16), wal.readUInt32BE(offset + 20)],
  };
}

/** The frame's checksum computed from `seed`: over the first 8 header bytes, then the page. */
function frameSum(
  wal: Buffer,
  f: Frame,
  pageSize: number,
  bigEndian: boolean,
  seed: readonly [number, number],
): [number, number] {
  const head = walChecksum(wal.subarray(f.offset, f.offset + 8), bigEndian, seed);
  const start = f.offset + FRAME_HEADER;
  return walChecksum(wal.subarray(start, start + pageSize), bigEndian, head);
}

const sameSum = (a: readonly [number, number], b: readonly [number, number]) =>
  a[0] === b[0] && a[1] === b[1];

/** Frame `j` continues the chain from frame `j-1` (same salts, its checksum seeded by the previous one's). */
function continues(
  wal: Buffer,
  prev: Frame,
  f: Frame,
  pageSize: number,
  bigEndian: boolean,
): boolean {
  return (
    f.pgno !== 0 &&
    f.salt1 === prev.salt1 &&
    f.salt2 === prev.salt2 &&
    sameSum(frameSum(wal, f, pageSize, bigEndian, prev.sum), f.sum)
  );
}

interface Header {
  readonly valid: boolean;
  readonly bigEndian: boolean;
  readonly pageSize: number;
  readonly salt1: number;
  readonly salt2: number;
  readonly sum: [number, number];
}

function readHeader(wal: Buffer): Header {
  const magic = wal.readUInt32BE(0);
  const bigEndian = (magic & 1) === 1;
  const pageSize = wal.readUInt32BE(8);
  const sum: [number, number] = [wal.readUInt32BE(24), wal.readUInt32BE(28)];
  const valid =
    (magic & 0xfffffffe) === WAL_MAGIC &&
    wal.readUInt32BE(4) === WAL_VERSION &&
    PAGE_SIZES.includes(pageSize) &&
    sameSum(walChecksum(wal.subarray(0, 24), bigEndian), sum);
  return {
    valid,
    bigEndian,
    pageSize,
    salt1: wal.readUInt32BE(16),
    salt2: wal.readUInt32BE(20),
    sum,
  };
}

/**
 * Finds acknowledged commits that SQLite's recovery of this WAL would drop.
 * Call it before any connection opens the database: recovery runs at the
 * first read, and the first checkpoint afterwards resets the WAL, erasing
 * the evidence.
 */
export function analyzeWal(bytes: Uint8Array, context: WalContext = {}): WalAnalysis {
  const wal = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (wal.length < WAL_HEADER) return nothing(false, undefined, 0);
  const header = readHeader(wal);
  if (header.valid) return fromValidHeader(wal, header, context);
  // Recovery keeps nothing. Look for frames that check out against each
  // other, trying the sizes and byte orders they could have been written with.
  const sizes = [...new Set([context.pageSize, header.pageSize, ...PAGE_SIZES].filter(isPageSize))];
  for (const pageSize of sizes) {
    for (const bigEndian of [false, true]) {
      const found = withoutHeader(wal, pageSize, bigEndian, context);
      if (found) return found;
    }
  }
  return nothing(false, undefined, 0);
}

function isPageSize(n: number | undefined): n is number {
  return n !== undefined && PAGE_SIZES.includes(n);
}

function frameCount(wal: Buffer, pageSize: number): number {
  return Math.max(0, Math.floor((wal.length - WAL_HEADER) / (FRAME_HEADER + pageSize)));
}

function nothing(headerValid: boolean, pageSize: number | undefined, frames: number): WalAnalysis {
  return {
    headerValid,
    pageSize,
    frames,
    recoveredFrames: frames,
    chainEnd: frames,
    lostCommits: 0,
    firstLostCommit: undefined,
  };
}

function fromValidHeader(wal: Buffer, h: Header, context: WalContext): WalAnalysis {
  const frames = frameCount(wal, h.pageSize);
  let seed = h.sum;
  let recovered = 0;
  let end = 0;
  for (; end < frames; end++) {
    const f = frameAt(wal, end, h.pageSize);
    const ok =
      f.pgno !== 0 &&
      f.salt1 === h.salt1 &&
      f.salt2 === h.salt2 &&
      sameSum(frameSum(wal, f, h.pageSize, h.bigEndian, seed), f.sum);
    if (!ok) break;
    seed = f.sum;
    if (f.commit !== 0) recovered = end + 1;
  }
  // Frames from the break on: intact when they continue from their predecessor.
  const intact: Frame[] = [];
  for (let i = recovered; i < end; i++) intact.push(frameAt(wal, i, h.pageSize));
  for (let j = Math.max(end + 1, 1); j < frames; j++) {
    const prev = frameAt(wal, j - 1, h.pageSize);
    const f = frameAt(wal, j, h.pageSize);
    if (f.salt1 !== h.salt1 || f.salt2 !== h.salt2) continue;
    if (continues(wal, prev, f, h.pageSize, h.bigEndian)) intact.push(f);
  }
  const inFlight = inFlightCommit(wal, h, end, frames, intact);
  const counted = intact.filter((f) => f.offset !== inFlight);
  return verdict(wal, h.pageSize, true, frames, recovered, end, counted, context);
}

/**
 * The offset of the commit frame of the transaction the chain breaks in, when the break is
 * not at a commit frame: that transaction may be one SQLite was still
 * committing. When a transaction writes a page it already wrote to the WAL,
 * SQLite overwrites that frame's page in place (its stored checksum now
 * wrong), appends the rest, writes the commit frame, and only then rewrites
 * the checksums from the overwritten frame on (`walRewriteChecksums`). A
 * process killed in between, or a live writer read in between, leaves
 * exactly this shape: a broken frame, then intact frames up to a commit
 * frame. That commit was never acknowledged, so it is not counted as lost;
 * a damaged frame inside the last transaction looks the same and counts as
 * torn too, as a damaged last commit frame already does. Commits after it
 * are counted: they would have been written after an acknowledged commit.
 */
function inFlightCommit(
  wal: Buffer,
  h: Header,
  end: number,
  frames: number,
  intact: readonly Frame[],
): number | undefined {
  if (end >= frames || frameAt(wal, end, h.pageSize).commit !== 0) return undefined;
  const breakOffset = WAL_HEADER + end * (FRAME_HEADER + h.pageSize);
  for (let j = end + 1; j < frames; j++) {
    const f = frameAt(wal, j, h.pageSize);
    if (f.salt1 !== h.salt1 || f.salt2 !== h.salt2) return undefined;
    if (f.commit === 0) continue;
    // Every frame from the break to this commit must continue its predecessor.
    const run = intact.filter((i) => i.offset > breakOffset && i.offset <= f.offset);
    return run.length === j - end ? f.offset : undefined;
  }
  return undefined;
}

/**
 * With no usable header the current generation of frames starts at frame 0
 * (a WAL restart rewrites from the start; older generations, with other
 * salts, follow). Frame 0 itself cannot be verified: its seed was in the header.
 */
function withoutHeader(
  wal: Buffer,
  pageSize: number,
  bigEndian: boolean,
  context: WalContext,
): WalAnalysis | undefined {
  const frames = frameCount(wal, pageSize);
  const intact: Frame[] = [];
  let salts: [number, number] | undefined;
  for (let j = 1; j < frames; j++) {
    const prev = frameAt(wal, j - 1, pageSize);
    const f = frameAt(wal, j, pageSize);
    if (salts && (f.salt1 !== salts[0] || f.salt2 !== salts[1])) continue;
    if (!continues(wal, prev, f, pageSize, bigEndian)) continue;
    salts ??= [f.salt1, f.salt2];
    intact.push(f);
  }
  if (intact.length === 0) return undefined;
  return verdict(wal, pageSize, false, frames, 0, 0, intact, context);
}

/** Counts the intact commit frames beyond the recovered point, if their pages differ from what will be served. */
function verdict(
  wal: Buffer,
  pageSize: number,
  headerValid: boolean,
  frames: number,
  recovered: number,
  chainEnd: number,
  intact: readonly Frame[],
  context: WalContext,
): WalAnalysis {
  const commits = intact.filter((f) => f.commit !== 0);
  const last = commits[commits.length - 1];
  const base = {
    headerValid,
    pageSize,
    frames,
    recoveredFrames: recovered,
    chainEnd,
  };
  if (!last) return { ...base, lostCommits: 0, firstLostCommit: undefined };
  // The newest version of each page written by those transactions...
  const lostPages = new Map<number, Frame>();
  for (const f of intact) if (f.offset <= last.offset) lostPages.set(f.pgno, f);
  // ...against what SQLite will serve: the newest recovered frame, else the file.
  const served = new Map<number, Frame>();
  for (let i = 0; i < recovered; i++) {
    const f = frameAt(wal, i, pageSize);
    served.set(f.pgno, f);
  }
  const pageOf = (f: Frame) =>
    wal.subarray(f.offset + FRAME_HEADER, f.offset + FRAME_HEADER + pageSize);
  let differs = false;
  for (const [pgno, f] of lostPages) {
    const kept = served.get(pgno);
    const current = kept ? pageOf(kept) : context.dbPage?.(pgno);
    if (!current || !Buffer.from(current).equals(pageOf(f))) {
      differs = true;
      break;
    }
  }
  if (!differs) return { ...base, lostCommits: 0, firstLostCommit: undefined };
  const first = commits[0] as Frame;
  return {
    ...base,
    lostCommits: commits.length,
    firstLostCommit: (first.offset - WAL_HEADER) / (FRAME_HEADER + pageSize),
  };
}

/**
 * The newest version of page `pgno` among the frames recovery keeps (what
 * SQLite will serve instead of the file's copy), or undefined when the WAL
 * has none.
 */
export function recoveredPage(
  bytes: Uint8Array,
  analysis: WalAnalysis,
  pgno: number,
): Uint8Array | undefined {
  const { pageSize } = analysis;
  if (!pageSize || !analysis.headerValid) return undefined;
  const wal = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = analysis.recoveredFrames - 1; i >= 0; i--) {
    const f = frameAt(wal, i, pageSize);
    if (f.pgno === pgno) {
      return wal.subarray(f.offset + FRAME_HEADER, f.offset + FRAME_HEADER + pageSize);
    }
  }
  return undefined;
}
