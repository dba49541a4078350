import { randomFillSync } from "node:crypto";

/**
 * UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, a 26-bit counter (seeded
 * at random below 2^25 each millisecond and incremented within it, so the
 * ids one process makes are strictly increasing, as with the `uuid`
 * package's v7), then 48 random bits.
 *
 * Several times cheaper than `uuid`'s v7: random bytes come from a pool
 * refilled 4 KiB at a time instead of one `getRandomValues` call per id,
 * which cost ~2 µs per message appended and ~0.5 ms per fork of 200 messages.
 */
export function uuidv7(): string {
  const now = Date.now();
  if (now > state.msecs) {
    state.msecs = now;
    state.seq =
      ((randomByte() & 0x01) << 24) | (randomByte() << 16) | (randomByte() << 8) | randomByte();
  } else {
    state.seq = (state.seq + 1) & 0x3ff_ffff;
    // The counter wrapped within one millisecond: move on to the next one.
    if (state.seq === 0) state.msecs++;
  }
  const ms = state.msecs;
  const seq = state.seq;
  return (
    hex((ms / 0x100_0000_0000) & 0xff) +
    hex((ms / 0x1_0000_0000) & 0xff) +
    hex((ms / 0x100_0000) & 0xff) +
    hex((ms / 0x1_0000) & 0xff) +
    "-" +
    hex((ms / 0x100) & 0xff) +
    hex(ms & 0xff) +
    "-" +
    hex(0x70 | ((seq >>> 22) & 0x0f)) +
    hex((seq >>> 14) & 0xff) +
    "-" +
    hex(0x80 | ((seq >>> 8) & 0x3f)) +
    hex(seq & 0xff) +
    "-" +
    hex(randomByte()) +
    hex(randomByte()) +
    hex(randomByte()) +
    hex(randomByte()) +
    hex(randomByte()) +
    hex(randomByte())
  );
}

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) =>
  i.toString(16).padStart(2, "0"),
);
const hex = (byte: number): string => HEX[byte] as string;

const state = { msecs: Number.NEGATIVE_INFINITY, seq: 0 };
const pool = Buffer.alloc(4096);
let offset = pool.length;

function randomByte(): number {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  return pool[offset++] as number;
}
