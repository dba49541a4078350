import { asStoreRefusal } from "../pool/errors.js";
import type { OperationRecorder } from "./recorder.js";

/** The shape instrumented: a store view's sessions and messages APIs plus search and stats. */
export interface Instrumentable {
  readonly sessions: object;
  readonly messages: object;
  search(...args: never[]): Promise<unknown>;
  stats(...args: never[]): Promise<unknown>;
}

const SESSION_METHODS = ["create", "get", "list", "update", "delete", "fork"] as const;
const MESSAGE_METHODS = [
  "append",
  "last",
  "list",
  "pop",
  "window",
  "compact",
  "replaceTail",
  "applyOperation",
  "operation",
  "clear",
] as const;
const DONE = Symbol("llm-sessions.instrumented");

/**
 * Times every public store operation of one store view, in one place: each
 * method is replaced, on the instance, by a wrapper that reads the clock
 * before and after and records the outcome. The wrapper adds two
 * `performance.now()` calls and one ring write per call; the methods
 * themselves are untouched. Instrumenting the same view twice is a no-op.
 */
export function instrumentStore(view: Instrumentable, recorder: OperationRecorder): void {
  const marked = view as unknown as { [DONE]?: true };
  if (marked[DONE]) return;
  marked[DONE] = true;
  wrapMethods(view.sessions, "sessions.", SESSION_METHODS, recorder);
  wrapMethods(view.messages, "messages.", MESSAGE_METHODS, recorder);
  wrapMethods(view, "", ["search", "stats"], recorder);
}

/** Replaces `names` on `target` by timed wrappers reporting as `prefix + name`. */
export function wrapMethods(
  target: object,
  prefix: string,
  names: readonly string[],
  recorder: OperationRecorder,
): void {
  const methods = target as Record<string, unknown>;
  for (const name of names) {
    const original = methods[name];
    if (typeof original !== "function") continue;
    const op = `${prefix}${name}`;
    const call = original as (...args: unknown[]) => unknown;
    Object.defineProperty(target, name, {
      configurable: true,
      writable: true,
      enumerable: false,
      value: function timed(...args: unknown[]): unknown {
        const started = performance.now();
        let result: unknown;
        try {
          result = call.apply(target, args);
        } catch (error) {
          recorder.record(op, performance.now() - started, false);
          throw asStoreRefusal(op, error);
        }
        if (!(result instanceof Promise)) {
          recorder.record(op, performance.now() - started, true);
          return result;
        }
        return result.then(
          (value) => {
            recorder.record(op, performance.now() - started, true);
            return value;
          },
          (error: unknown) => {
            recorder.record(op, performance.now() - started, false);
            // After close() the pool refuses by its own method's name: name the store call instead.
            throw asStoreRefusal(op, error);
          },
        );
      },
    });
  }
}
