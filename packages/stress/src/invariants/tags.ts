/**
 * Every message a suite writes starts with a tag that names it, and, when it
 * was part of a multi-message append, a batch mark. Both are single FTS5
 * tokens (letters and digits only), so search can find them.
 *
 * `t<writer>x<n> b<writer>x<n>n<size> <words...>`
 */

/** The batch a message was appended in. */
export interface BatchMark {
  /** Unique per batch, e.g. `b3x17n4`. */
  readonly token: string;
  /** How many messages the batch had. */
  readonly size: number;
}

/** A message's tag and batch, read back from its content. */
export interface ParsedContent {
  readonly tag: string;
  readonly batch: BatchMark | null;
}

const TAG = /^t[0-9a-z]+x\d+$/;
const BATCH = /^b[0-9a-z]+x\d+n(\d+)$/;

/** Makes unique tags and batch marks for one writer (a client, a process). */
export class TagMaker {
  readonly #writer: string;
  #messages = 0;
  #batches = 0;

  /** `writer` is letters and digits only, unique among the writers of one database. */
  constructor(writer: string | number) {
    this.#writer = String(writer);
    if (!/^[0-9a-z]+$/.test(this.#writer))
      throw new Error(`writer id must be [0-9a-z]+: ${writer}`);
  }

  /** The next message tag. */
  tag(): string {
    this.#messages += 1;
    return `t${this.#writer}x${this.#messages}`;
  }

  /** A mark for a batch of `size` messages. */
  batch(size: number): BatchMark {
    this.#batches += 1;
    return { token: `b${this.#writer}x${this.#batches}n${size}`, size };
  }
}

/** The content of a tagged message: tag, batch mark (or `single`), then words. */
export function taggedContent(tag: string, batch: BatchMark | null, words: string): string {
  return `${tag} ${batch ? batch.token : "single"} ${words}`;
}

/** Reads tag and batch back; `null` for content no suite wrote. */
export function parseContent(content: string): ParsedContent | null {
  const [tag, mark] = content.split(" ", 2);
  if (!tag || !TAG.test(tag)) return null;
  const size = mark ? BATCH.exec(mark) : null;
  return { tag, batch: size && mark ? { token: mark, size: Number(size[1]) } : null };
}
