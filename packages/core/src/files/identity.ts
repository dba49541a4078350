import { statSync } from "node:fs";
import { DatabaseReplacedError } from "./errors.js";

/**
 * The identity (device and inode) the database file had when the store
 * opened it. A file renamed over it or deleted leaves the store's
 * connections on the old inode, where every later commit would be lost
 * with it; `verify` notices and stays failed from then on.
 */
export class FileIdentity {
  readonly #path: string;
  readonly #target: string;
  readonly #dev: bigint;
  readonly #ino: bigint;
  #failure: DatabaseReplacedError | undefined;

  private constructor(path: string, target: string, dev: bigint, ino: bigint) {
    this.#path = path;
    this.#target = target;
    this.#dev = dev;
    this.#ino = ino;
  }

  /** The file's identity now, or undefined when there is no file at `path`. */
  static capture(path: string, target: string): FileIdentity | undefined {
    const st = statSync(path, { bigint: true, throwIfNoEntry: false });
    return st ? new FileIdentity(path, target, st.dev, st.ino) : undefined;
  }

  /** Throws once the file was found replaced (cheap: no system call). */
  assertNotFailed(): void {
    if (this.#failure) throw this.#failure;
  }

  /**
   * Compares the file at the path with the one opened (one `stat`).
   *
   * @throws DatabaseReplacedError when it is another file or none.
   */
  verify(): void {
    if (this.#failure) throw this.#failure;
    const st = statSync(this.#path, { bigint: true, throwIfNoEntry: false });
    if (st && st.dev === this.#dev && st.ino === this.#ino) return;
    this.#failure = new DatabaseReplacedError(
      this.#target,
      st ? "was replaced by another file" : "was removed",
    );
    throw this.#failure;
  }
}
