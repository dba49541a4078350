import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * Runs a full garbage collection, if this process allows one.
 *
 * Why a library would: the `libsql` package (0.5; under both engines of the
 * libSQL adapter, the default native one and `@libsql/client`) releases a
 * native connection only when the statements prepared on it are
 * garbage-collected, not at `close()`. Until then a connection this process already closed still
 * holds its shared lock on the WAL index, which looks exactly like another
 * process having the database open. The in-use probe of `restoreBackup`
 * therefore collects garbage once before it believes a refusal (measured:
 * ~25 ms on a test process). Uses `globalThis.gc` when node runs with
 * `--expose-gc`, else asks V8 for a `gc` function in a fresh context and
 * turns the flag off again.
 *
 * @returns whether a collection ran.
 */
export function collectGarbage(): boolean {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === "function") {
    exposed();
    return true;
  }
  try {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as unknown;
    setFlagsFromString("--no-expose-gc");
    if (typeof gc !== "function") return false;
    (gc as () => void)();
    return true;
  } catch {
    return false;
  }
}
