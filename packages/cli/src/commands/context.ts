import type { Io } from "../io.js";
import type { GlobalOptions } from "../target.js";

/** What every command receives besides its own arguments. */
export interface CommandContext {
  readonly io: Io;
  readonly globals: GlobalOptions;
}

/** A name for a new file beside `path`: `<path>.<tag>-20260101-120000.bak`. */
export function timestampedName(path: string, tag: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `${path}.${tag}-${stamp}.bak`;
}
