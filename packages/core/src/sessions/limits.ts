import { z } from "zod";

/** Size limits checked at the boundary. Every one is an option of `openStore`. */
export interface StoreLimits {
  /** Bytes of one message's content (UTF-8). Default 1 MiB, at most 256 MiB. */
  readonly maxContentBytes: number;
  /**
   * Bytes of one message's parts as stored (JSON; file bytes as base64).
   * Default 1 MiB, at most 256 MiB.
   */
  readonly maxPartsBytes: number;
  /**
   * Parts larger than this as stored (bytes of UTF-8) leave the message row
   * for chunks of `message_blobs` (read back whole). Default 64 KiB, at most
   * 16 MiB, so that no row nears a server's row or request limit.
   */
  readonly inlinePartsBytes: number;
  /** Bytes of a metadata object as JSON. Default 64 KiB, at most 16 MiB. */
  readonly maxMetadataBytes: number;
  /** Messages in one `append`. Default 1000, at most 100,000. */
  readonly maxBatchSize: number;
  /** Largest `limit` of a page (1..this). Default 1000, at most 10,000. */
  readonly maxPageSize: number;
  /**
   * `limit` when none is given; at most `maxPageSize`. Default 50, or
   * `maxPageSize` when that is smaller.
   */
  readonly defaultPageSize: number;
  /** Characters of a title, model, name, id or key. Default 1000, at most 1,000,000. */
  readonly maxTextLength: number;
  /** Characters of a search query. Default 1000, at most 100,000. */
  readonly maxQueryLength: number;
}

/** The limits used for every option of `openStore` left out. */
export const DEFAULT_LIMITS: StoreLimits = {
  maxContentBytes: 1024 * 1024,
  maxPartsBytes: 1024 * 1024,
  inlinePartsBytes: 64 * 1024,
  maxMetadataBytes: 64 * 1024,
  maxBatchSize: 1000,
  maxPageSize: 1000,
  defaultPageSize: 50,
  maxTextLength: 1000,
  maxQueryLength: 1000,
};

/**
 * The largest `tokens` and `latencyMs` of a message: 2^31 − 1. Every sum the
 * store keeps (a session's `tokenCount`, the sums of `stats()`) stays below
 * SQLite's 2^63 − 1 until 2^32 such messages, far beyond any one file.
 */
export const MAX_MESSAGE_COUNTER = 2 ** 31 - 1;

/** The latest time accepted (`expiresAt`): 9999-12-31T23:59:59.999Z, in ms since the epoch. */
export const MAX_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** The largest seq accepted as an argument (`afterSeq`, `atSeq`): `Number.MAX_SAFE_INTEGER`. */
export const MAX_SEQ = Number.MAX_SAFE_INTEGER;

/** How deep metadata may nest (the metadata object itself is level 1). */
export const MAX_METADATA_DEPTH = 64;

const bounded = (max: number) =>
  z
    .number()
    .int("must be an integer")
    .min(1, "must be at least 1")
    .max(max, `must be at most ${max}`);

/**
 * The `limits` option of `openStore`. Each limit has a ceiling (so that no
 * setting lets one call hand SQLite more than it can hold), and the default
 * page size may not exceed the largest page. A `defaultPageSize` left out
 * becomes the smaller of 50 and `maxPageSize`.
 */
export const limitsOptionSchema = z
  .strictObject({
    maxContentBytes: bounded(256 * 1024 * 1024).optional(),
    maxPartsBytes: bounded(256 * 1024 * 1024).optional(),
    inlinePartsBytes: bounded(16 * 1024 * 1024).optional(),
    maxMetadataBytes: bounded(16 * 1024 * 1024).optional(),
    maxBatchSize: bounded(100_000).optional(),
    maxPageSize: bounded(10_000).optional(),
    defaultPageSize: bounded(10_000).optional(),
    maxTextLength: bounded(1_000_000).optional(),
    maxQueryLength: bounded(100_000).optional(),
  })
  .superRefine((l, ctx) => {
    const max = l.maxPageSize ?? DEFAULT_LIMITS.maxPageSize;
    if (l.defaultPageSize !== undefined && l.defaultPageSize > max) {
      ctx.addIssue({
        code: "custom",
        path: ["defaultPageSize"],
        message: `must be at most maxPageSize (${max})`,
      });
    }
  })
  .transform(
    (l): Partial<StoreLimits> =>
      l.defaultPageSize === undefined && l.maxPageSize !== undefined
        ? { ...l, defaultPageSize: Math.min(DEFAULT_LIMITS.defaultPageSize, l.maxPageSize) }
        : l,
  );
