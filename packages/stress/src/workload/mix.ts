/** Relative weights of a workload's operations; 0 leaves one out. */
export interface OperationMix {
  readonly create: number;
  /** One message, sometimes with an idempotency key. */
  readonly append: number;
  /** 2–5 messages in one atomic append, some with keys. */
  readonly batch: number;
  /** An append with keys, sent twice as a client would after a lost response. */
  readonly retry: number;
  readonly last: number;
  readonly list: number;
  readonly search: number;
  readonly pop: number;
  readonly fork: number;
  readonly delete: number;
}

/** An operation of the mix. */
export type Operation = keyof OperationMix;

/** A router's day: mostly appends and context reads, some search, few forks and deletes. */
export const DEFAULT_MIX: OperationMix = {
  create: 3,
  append: 30,
  batch: 12,
  retry: 5,
  last: 20,
  list: 8,
  search: 8,
  pop: 5,
  fork: 3,
  delete: 3,
};

/** Words message content is made of (and search looks for). */
export const WORDS = [
  "alpha",
  "bravo",
  "charlie",
  "delta",
  "echo",
  "foxtrot",
  "golf",
  "hotel",
  "india",
  "juliet",
  "kilo",
  "lima",
  "mike",
  "november",
  "oscar",
  "papa",
  "quebec",
  "romeo",
  "sierra",
  "tango",
] as const;
