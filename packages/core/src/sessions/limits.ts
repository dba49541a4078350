/** Size limits checked at the boundary. Every one is an option of `openStore`. */
export interface StoreLimits {
  /** Bytes of one message's content (UTF-8). Default 1 MiB. */
  readonly maxContentBytes: number;
  /** Bytes of a metadata object as JSON. Default 64 KiB. */
  readonly maxMetadataBytes: number;
  /** Messages in one `append`. Default 1000. */
  readonly maxBatchSize: number;
  /** Largest `limit` of a page (1..this). Default 1000. */
  readonly maxPageSize: number;
  /** `limit` when none is given. Default 50. */
  readonly defaultPageSize: number;
  /** Characters of a title, model, name, id or key. Default 1000. */
  readonly maxTextLength: number;
  /** Characters of a search query. Default 1000. */
  readonly maxQueryLength: number;
}

/** The limits used for every option of `openStore` left out. */
export const DEFAULT_LIMITS: StoreLimits = {
  maxContentBytes: 1024 * 1024,
  maxMetadataBytes: 64 * 1024,
  maxBatchSize: 1000,
  maxPageSize: 1000,
  defaultPageSize: 50,
  maxTextLength: 1000,
  maxQueryLength: 1000,
};
