import { randomBytes } from "node:crypto";
import { appendFile, open, truncate } from "node:fs/promises";
import type { Rng } from "../suite/rng.js";
import { fileSize, writeAt } from "./files.js";

/** The 100-byte header every SQLite database starts with. */
export const HEADER_BYTES = 100;

/** What goes over a damaged region: random bytes (from `rng` when given, for repeatable runs) or zeros. */
export type Fill = "random" | "zeros";

function bytes(length: number, fill: Fill, rng?: Rng): Uint8Array {
  if (fill === "zeros") return new Uint8Array(length);
  if (!rng) return randomBytes(length);
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(rng.next() * 256);
  return out;
}

/** The page size recorded in a database's header (bytes 16–17; 1 means 65536). */
export async function readPageSize(path: string): Promise<number> {
  const file = await open(path, "r");
  try {
    const header = new Uint8Array(2);
    await file.read(header, 0, 2, 16);
    const size = ((header[0] ?? 0) << 8) | (header[1] ?? 0);
    return size === 1 ? 65_536 : size;
  } finally {
    await file.close();
  }
}

/** Pages in the main database file, by its size. */
export async function pageCount(path: string): Promise<number> {
  const [size, pageSize] = [(await fileSize(path)) ?? 0, await readPageSize(path)];
  return Math.floor(size / pageSize);
}

/**
 * The pages on the database's freelist (trunk and leaf pages, 1-based), read
 * from the header (bytes 32–39) and the trunk chain. Damage there harms no
 * data, so a test that must damage data picks among the other pages.
 */
export async function freelistPages(path: string): Promise<Set<number>> {
  const pageSize = await readPageSize(path);
  const pages = await pageCount(path);
  const file = await open(path, "r");
  try {
    const header = Buffer.alloc(8);
    await file.read(header, 0, 8, 32);
    const free = new Set<number>();
    let trunk = header.readUInt32BE(0);
    const total = header.readUInt32BE(4);
    // Bounded by the page count: a damaged chain cannot loop for ever.
    while (trunk > 0 && trunk <= pages && !free.has(trunk) && free.size < total) {
      free.add(trunk);
      const page = Buffer.alloc(pageSize);
      await file.read(page, 0, pageSize, (trunk - 1) * pageSize);
      const leaves = Math.min(page.readUInt32BE(4), (pageSize - 8) / 4);
      for (let i = 0; i < leaves; i++) free.add(page.readUInt32BE(8 + 4 * i));
      trunk = page.readUInt32BE(0);
    }
    return free;
  } finally {
    await file.close();
  }
}

/** Pages 2..n that hold data (not on the freelist): the ones worth damaging. */
export async function pagesInUse(path: string): Promise<number[]> {
  const free = await freelistPages(path);
  const pages = await pageCount(path);
  return Array.from({ length: Math.max(0, pages - 1) }, (_, i) => i + 2).filter(
    (p) => !free.has(p),
  );
}

/**
 * Cuts a database (or WAL) file to `size` bytes: a file that lost its end,
 * as a failed copy or a full disk leaves it.
 */
export async function truncateFile(path: string, size: number): Promise<void> {
  await truncate(path, size);
}

/**
 * Overwrites one whole page (1-based, as SQLite numbers them) of a database
 * file with random bytes or zeros: a torn or misdirected write.
 *
 * @returns the page size used.
 */
export async function overwritePage(
  path: string,
  page: number,
  options: { fill?: Fill; rng?: Rng } = {},
): Promise<number> {
  const pageSize = await readPageSize(path);
  const pages = await pageCount(path);
  if (!Number.isInteger(page) || page < 1 || page > pages) {
    throw new RangeError(`page ${page} is not in 1..${pages} of ${path}`);
  }
  await writeAt(
    path,
    (page - 1) * pageSize,
    bytes(pageSize, options.fill ?? "random", options.rng),
  );
  return pageSize;
}

/**
 * Overwrites the 100-byte database header (zeros by default): the file no
 * longer says it is an SQLite database.
 */
export async function damageHeader(
  path: string,
  options: { fill?: Fill; rng?: Rng } = {},
): Promise<void> {
  await writeAt(path, 0, bytes(HEADER_BYTES, options.fill ?? "zeros", options.rng));
}

/**
 * Cuts a WAL file at `atByte`: the tail of a transaction that was being
 * written when the process or machine died.
 */
export async function tearWal(walPath: string, atByte: number): Promise<void> {
  const size = await fileSize(walPath);
  if (size === undefined || atByte < 0 || atByte > size) {
    throw new RangeError(`cannot tear ${walPath} (${size ?? "missing"} bytes) at ${atByte}`);
  }
  await truncate(walPath, atByte);
}

/**
 * Appends `length` bytes of garbage to a WAL file: what a crash can leave
 * after the last frame (a preallocated or half-written region).
 */
export async function appendGarbage(
  walPath: string,
  length: number,
  options: { fill?: Fill; rng?: Rng } = {},
): Promise<void> {
  await appendFile(walPath, bytes(length, options.fill ?? "random", options.rng));
}
