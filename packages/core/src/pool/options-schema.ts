import { z } from "zod";
import { MAX_BUSY_TIMEOUT_MS } from "../driver/limits.js";
import { PoolOptionsError } from "./errors.js";
import type {
  BusyRetryOptions,
  CheckpointOptions,
  PoolCloseOptions,
  PoolOptions,
  WithWriterOptions,
} from "./options.js";
import { MAX_TIMER_MS } from "./timers.js";

/**
 * The rules of the pool's options. The options are documented once, on the
 * types in `options.ts`; the `satisfies Shape<...>` below makes every schema
 * name exactly the fields of its type, with values of the field's type, so
 * the two cannot drift apart.
 */
type Shape<T> = { [K in keyof T]-?: z.ZodType<T[K]> };

/** How a value is named in a message: strings quoted, objects by their kind. */
function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") {
    return String(value);
  }
  if (value === null) return "null";
  return Array.isArray(value) ? "an array" : typeof value;
}

type Issue = { readonly input?: unknown };

function integer(min: number, max: number) {
  const error = (issue: Issue): string =>
    `must be an integer from ${min} to ${max}, got ${describe(issue.input)}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error }).optional();
}

function boolean() {
  return z
    .boolean({ error: (issue: Issue) => `must be true or false, got ${describe(issue.input)}` })
    .optional();
}

/** An object that refuses keys it does not know, naming the ones it does. */
function options<T extends z.ZodRawShape>(name: string, shape: T) {
  const prefix = name === "" ? "" : `${name}.`;
  const known = Object.keys(shape)
    .map((key) => prefix + key)
    .join(", ");
  return z.strictObject(shape, {
    error: (issue: Issue & { readonly code?: string }) =>
      issue.code === "unrecognized_keys"
        ? `unknown option (known: ${known})`
        : `must be an object, got ${describe(issue.input)}`,
  });
}

/** `false` (turned off) or the settings object. */
function offOr<T extends z.ZodType>(schema: T) {
  return z
    .union([z.literal(false), schema], {
      error: (issue: Issue) => `must be false or an object, got ${describe(issue.input)}`,
    })
    .optional();
}

const busyRetrySchema = options("busyRetry", {
  attempts: integer(1, 100),
  baseDelayMs: integer(0, 60_000),
  maxDelayMs: integer(0, 60_000),
} satisfies Shape<BusyRetryOptions>).refine(
  (r) => r.maxDelayMs === undefined || r.maxDelayMs >= (r.baseDelayMs ?? 0),
  {
    path: ["maxDelayMs"],
    error: (issue: Issue) => {
      const r = issue.input as BusyRetryOptions;
      return `must be at least busyRetry.baseDelayMs (${r.baseDelayMs}), got ${r.maxDelayMs}`;
    },
  },
);

const checkpointSchema = options("checkpoint", {
  walPages: integer(1, 1_000_000_000),
  intervalMs: integer(0, MAX_TIMER_MS),
  drainTimeoutMs: integer(0, MAX_TIMER_MS),
} satisfies Shape<CheckpointOptions>);

const poolOptionsSchema = options("", {
  readers: integer(0, 256),
  acquireTimeoutMs: integer(1, MAX_TIMER_MS),
  maxWaiting: integer(0, 10_000_000),
  idleTimeoutMs: integer(1, MAX_TIMER_MS),
  maxReaderAgeMs: integer(1, MAX_TIMER_MS),
  validateAfterIdleMs: integer(0, MAX_TIMER_MS),
  busyTimeoutMs: integer(0, MAX_BUSY_TIMEOUT_MS),
  durability: z
    .enum(["normal", "full"], {
      error: (issue: Issue) => `must be one of "normal", "full", got ${describe(issue.input)}`,
    })
    .optional(),
  readonlyReaders: boolean(),
  readerCacheKiB: integer(0, 1_073_741_824),
  mmapSizeBytes: integer(0, 2 ** 40),
  busyRetry: offOr(busyRetrySchema),
  checkpoint: offOr(checkpointSchema),
  closeTimeoutMs: integer(0, MAX_TIMER_MS),
} satisfies Shape<PoolOptions>);

const withWriterSchema = options("withWriter", {
  drainReaders: boolean(),
} satisfies Shape<WithWriterOptions>);

const closeSchema = options("close", {
  timeoutMs: integer(0, MAX_TIMER_MS),
} satisfies Shape<PoolCloseOptions>);

/**
 * Checks `value` against `schema`; the first broken rule becomes a
 * `PoolOptionsError` naming the option's path (`busyRetry.attempts`), or
 * `root` when the value itself is wrong.
 */
function parse<T>(schema: z.ZodType<T>, value: unknown, root: string): T {
  let result: ReturnType<typeof schema.safeParse>;
  try {
    result = schema.safeParse(value);
  } catch (error) {
    // A getter or proxy trap threw while the options were read.
    const reason = error instanceof Error ? error.message : String(error);
    throw new PoolOptionsError(root, `could not be read: ${reason}`);
  }
  if (result.success) return result.data;
  const issue = innermost(result.error.issues[0]);
  if (issue === undefined) throw new PoolOptionsError(root, "is not valid");
  const path = issue.path.map(String);
  if (issue.code === "unrecognized_keys" && issue.keys[0] !== undefined) path.push(issue.keys[0]);
  const base = root === "options" ? [] : [root];
  const option = [...base, ...path].join(".") || root;
  throw new PoolOptionsError(option, issue.message);
}

/**
 * For `false`-or-object options: the issue of the branch that got past the
 * type check (an object with a bad field names that field), or the union's
 * own issue when no branch did.
 */
function innermost(issue: z.core.$ZodIssue | undefined): z.core.$ZodIssue | undefined {
  if (issue?.code !== "invalid_union") return issue;
  for (const branch of issue.errors) {
    const inner = branch[0];
    const pastTypeCheck =
      inner !== undefined &&
      (inner.path.length > 0 || (inner.code !== "invalid_type" && inner.code !== "invalid_value"));
    if (pastTypeCheck) {
      return { ...inner, path: [...issue.path, ...inner.path] };
    }
  }
  return issue;
}

/** Checks the options of `Pool.open` (no defaults filled in). */
export function parsePoolOptions(value: unknown): PoolOptions {
  return parse(poolOptionsSchema, value, "options");
}

/** Checks the options of `withWriter`. */
export function parseWithWriter(value: unknown): WithWriterOptions {
  return parse(withWriterSchema, value, "withWriter");
}

/** Checks the options of `close`. */
export function parseClose(value: unknown): PoolCloseOptions {
  return parse(closeSchema, value, "close");
}
