import { z } from "zod";
import { ValidationError } from "../errors.js";
import {
  MAX_MESSAGE_COUNTER,
  MAX_METADATA_DEPTH,
  MAX_SEQ,
  MAX_TIME_MS,
  type StoreLimits,
} from "./limits.js";
import { encodeParts, partSchema, searchableText } from "./parts.js";
import { isWellFormed, toPlainJson } from "./plain-json.js";
import type { JsonObject, Message, MessagePart } from "./types.js";

/** The roles a message may have. */
export const ROLES = ["system", "developer", "user", "assistant", "tool"] as const;

/**
 * Parses `input` with `schema`; on failure throws a `ValidationError` that
 * names every broken field and rule. `where` names the call, e.g.
 * `messages.append`.
 */
export function parse<T>(where: string, schema: z.ZodType<T>, input: unknown): T {
  let result: ReturnType<typeof schema.safeParse>;
  try {
    result = schema.safeParse(input);
  } catch (error) {
    // A getter or proxy trap of the input threw while it was read: the input
    // is refused like any other, and nothing has run yet.
    const reason = error instanceof Error ? error.message : String(error);
    throw new ValidationError(where, [{ path: "", message: `could not be read: ${reason}` }]);
  }
  if (result.success) return result.data;
  throw new ValidationError(
    where,
    result.error.issues.map((issue) => ({
      path: issue.path.map(String).join("."),
      message: issue.message,
    })),
  );
}

const utf8Bytes = (s: string): number => Buffer.byteLength(s, "utf8");

/**
 * Text with U+0000 is refused everywhere: libSQL stores it but reads it back
 * cut at the NUL, and a store must never hand back less than it was given.
 */
const noNul = (s: string): boolean => !s.includes("\u0000");
const NUL_MESSAGE = "must not contain the NUL character (U+0000)";
const ILL_FORMED_MESSAGE = "must be well-formed UTF-16 (no lone surrogate)";

/**
 * The base of every string the API accepts: well-formed UTF-16 (a lone
 * surrogate has no UTF-8 form, and drivers bind it differently, so two
 * different strings could become one key) and no NUL. Metadata strings are
 * checked by `toPlainJson` instead (NUL is allowed there: JSON escapes it).
 */
const safeString = () =>
  z.string().refine(isWellFormed, ILL_FORMED_MESSAGE).refine(noNul, NUL_MESSAGE);

/**
 * A file path the store writes or reads (backups, restores): well-formed and
 * without NUL, since Node would write a lone surrogate as U+FFFD (another
 * file than the one named) and the system cuts a name at NUL.
 */
export const filePath = () => safeString().min(1, "must be a file path");

/** The keys a plain text message may have to take the fast path of `plainMessages`. */
const PLAIN_KEYS = new Set(["role", "content", "idempotencyKey"]);

/** A message as `plainMessages` gives it: what the `newMessages` schema gives for a plain one. */
export interface PlainMessage {
  role: (typeof ROLES)[number];
  content: string;
  idempotencyKey?: string;
  parts: null;
  usage: null;
  storedParts: null;
}

/**
 * The parse of the common append, done by hand: messages that are plain
 * objects with only `role`, `content` and maybe `idempotencyKey`, each valid
 * as the `newMessages` schema says. Gives what that schema gives for them, or
 * `undefined` for anything else (then the schema decides, and names the
 * problem). Zod costs microseconds per message, and the hot append of every
 * model call has this shape.
 */
export function plainMessages(input: unknown, limits: StoreLimits): PlainMessage[] | undefined {
  try {
    return plainOrUndefined(input, limits);
  } catch {
    // A getter or proxy trap that throws: the schema reports it as a ValidationError.
    return undefined;
  }
}

function plainOrUndefined(input: unknown, limits: StoreLimits): PlainMessage[] | undefined {
  const list: unknown[] = Array.isArray(input) ? input : [input];
  if (list.length === 0 || list.length > limits.maxBatchSize) return undefined;
  const out: PlainMessage[] = [];
  for (const m of list) {
    if (typeof m !== "object" || m === null || Object.getPrototypeOf(m) !== Object.prototype) {
      return undefined;
    }
    const keys = Object.keys(m);
    if (keys.length > 3 || !keys.every((k) => PLAIN_KEYS.has(k))) return undefined;
    const { role, content, idempotencyKey } = m as Record<string, unknown>;
    if (!ROLES.includes(role as PlainMessage["role"])) return undefined;
    if (typeof content !== "string" || !isSafeText(content)) return undefined;
    if (utf8Bytes(content) > limits.maxContentBytes) return undefined;
    const base = { role: role as PlainMessage["role"], content };
    if (!("idempotencyKey" in m)) {
      out.push({ ...base, parts: null, usage: null, storedParts: null });
      continue;
    }
    if (typeof idempotencyKey !== "string" || idempotencyKey.length === 0) return undefined;
    if (idempotencyKey.length > limits.maxTextLength || !isSafeText(idempotencyKey)) {
      return undefined;
    }
    out.push({ ...base, idempotencyKey, parts: null, usage: null, storedParts: null });
  }
  return out;
}

/** What `safeString` accepts: well-formed and without NUL. */
const isSafeText = (s: string): boolean => isWellFormed(s) && noNul(s);

/** The most keys one `sessions.list` metadata filter may name (each is a test per session). */
export const MAX_METADATA_FILTER_KEYS = 8;

/** The longest operation id or fingerprint `messages.applyOperation` takes. */
export const MAX_OPERATION_TEXT = 512;

/** The schemas for one set of limits. */
export function makeSchemas(limits: StoreLimits) {
  const text = safeString().max(
    limits.maxTextLength,
    `must be at most ${limits.maxTextLength} characters`,
  );
  const id = z
    .string()
    .min(1, "must not be empty")
    .max(128, "must be at most 128 characters")
    .regex(/^[\w.:@-]+$/, "may contain only letters, digits and _ . : @ -");
  // An operation's id and fingerprint: the caller's words (a framework's
  // operation id, a digest), compared exactly, never parsed.
  const operationText = safeString()
    .min(1, "must not be empty")
    .max(MAX_OPERATION_TEXT, `must be at most ${MAX_OPERATION_TEXT} characters`);
  const time = z
    .number()
    .int("must be an integer (ms since the epoch)")
    .nonnegative()
    .max(MAX_TIME_MS, `must be at most ${MAX_TIME_MS} (year 9999)`);
  const counter = z
    .number()
    .int("must be an integer")
    .nonnegative()
    .max(MAX_MESSAGE_COUNTER, `must be at most ${MAX_MESSAGE_COUNTER}`);
  const seq = z
    .number()
    .int("must be an integer")
    .nonnegative()
    .max(MAX_SEQ, `must be at most ${MAX_SEQ}`);
  const metadata = z.unknown().transform((value, ctx): JsonObject => {
    const result = toPlainJson(value, {
      maxDepth: MAX_METADATA_DEPTH,
      maxBytes: limits.maxMetadataBytes,
    });
    if (result.ok) return result.value;
    ctx.addIssue({ code: "custom", message: result.issue.message, path: result.issue.path });
    return z.NEVER;
  });
  const limit = z
    .number()
    .int("must be an integer")
    .min(1, "must be at least 1")
    .max(limits.maxPageSize, `must be at most ${limits.maxPageSize}`);
  const cursor = safeString().max(512).nullable().optional();
  const tenantId = safeString().min(1, "must not be empty").max(128).nullable();

  const newSession = z.strictObject({
    id: id.optional(),
    title: text.nullable().optional(),
    model: text.nullable().optional(),
    metadata: metadata.optional(),
    tenantId: tenantId.optional(),
    expiresAt: time.nullable().optional(),
  });
  const sessionPatch = z
    .strictObject({
      title: text.nullable().optional(),
      model: text.nullable().optional(),
      metadata: metadata.optional(),
      metadataPatch: metadata.optional(),
      expiresAt: time.nullable().optional(),
    })
    .superRefine((patch, ctx) => {
      if (patch.metadata !== undefined && patch.metadataPatch !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["metadataPatch"],
          message: "cannot be given with metadata (one replaces, the other merges)",
        });
      }
    });
  // Keys are bound as values (never spelt into SQL or a JSON path). zod's
  // record drops a __proto__ key silently, which would widen the filter, so
  // it is refused before.
  const metadataFilter = z
    .unknown()
    .refine((v) => !(typeof v === "object" && v !== null && Object.hasOwn(v, "__proto__")), {
      message: "must not use the key __proto__",
    })
    .pipe(
      z.record(
        safeString()
          .min(1, "keys must not be empty")
          .max(128, "keys must be at most 128 characters"),
        z.union([
          text,
          z.number().refine(Number.isFinite, "must be a finite number"),
          z.boolean(),
          z.null(),
        ]),
      ),
    )
    .refine((filter) => Object.keys(filter).length <= MAX_METADATA_FILTER_KEYS, {
      message: `must have at most ${MAX_METADATA_FILTER_KEYS} keys`,
    });
  const contentText = safeString().refine((c) => utf8Bytes(c) <= limits.maxContentBytes, {
    message: `must be at most ${limits.maxContentBytes} bytes`,
  });
  const part = partSchema({
    text: safeString(),
    name: text.min(1, "must not be empty"),
    maxJsonBytes: limits.maxPartsBytes,
  });
  const usage = z.strictObject({
    inputTokens: counter.optional(),
    outputTokens: counter.optional(),
    cachedInputTokens: counter.optional(),
    reasoningTokens: counter.optional(),
    cost: z
      .strictObject({
        micros: counter,
        currency: safeString().min(1, "must not be empty").max(32, "must be at most 32 characters"),
      })
      .optional(),
  });
  const newMessage = z
    .strictObject({
      role: z.enum(ROLES),
      content: contentText.optional(),
      parts: z.array(part).min(1, "must not be empty (leave it out instead)").nullable().optional(),
      usage: usage.nullable().optional(),
      id: id.optional(),
      name: text.nullable().optional(),
      model: text.nullable().optional(),
      tokens: counter.nullable().optional(),
      latencyMs: counter.nullable().optional(),
      metadata: metadata.optional(),
      idempotencyKey: text.min(1).nullable().optional(),
    })
    .transform((m, ctx) => {
      const parts = (m.parts ?? null) as MessagePart[] | null;
      if (parts === null && m.content === undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["content"],
          message: "is required when there are no parts",
        });
        return z.NEVER;
      }
      const storedParts = parts === null ? null : encodeParts(parts);
      if (storedParts !== null && utf8Bytes(storedParts) > limits.maxPartsBytes) {
        ctx.addIssue({
          code: "custom",
          path: ["parts"],
          message: `must be at most ${limits.maxPartsBytes} bytes as stored`,
        });
        return z.NEVER;
      }
      const content = m.content ?? searchableText(parts ?? []);
      if (utf8Bytes(content) > limits.maxContentBytes) {
        ctx.addIssue({
          code: "custom",
          path: ["parts"],
          message: `text parts must be at most ${limits.maxContentBytes} bytes together`,
        });
        return z.NEVER;
      }
      const usage = m.usage && Object.keys(m.usage).length > 0 ? m.usage : null;
      return { ...m, content, parts, usage, storedParts };
    });
  return {
    id,
    tenantId: tenantId.unwrap(),
    newSession,
    sessionPatch,
    newMessages: z
      .array(newMessage)
      .min(1, "must contain at least one message")
      .max(limits.maxBatchSize, `must contain at most ${limits.maxBatchSize} messages`),
    listSessions: z.strictObject({
      status: z.enum(["active", "idle", "archived"]).optional(),
      model: text.optional(),
      metadata: metadataFilter.optional(),
      titleContains: text.min(1, "must not be empty").optional(),
      orderBy: z.enum(["lastActivity", "created"]).optional(),
      tenantId: tenantId.optional(),
      limit: limit.optional(),
      cursor,
    }),
    listMessages: z
      .strictObject({
        afterSeq: seq.optional(),
        beforeSeq: seq.optional(),
        limit: limit.optional(),
        cursor,
      })
      .superRefine((opts, ctx) => {
        if (opts.afterSeq !== undefined && opts.beforeSeq !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: ["beforeSeq"],
            message: "cannot be given with afterSeq (a page goes one way)",
          });
        }
      }),
    count: limit,
    statsWindow: z
      .strictObject({ since: time.optional(), until: time.optional() })
      .refine((w) => w.since === undefined || w.until === undefined || w.since <= w.until, {
        path: ["until"],
        message: "must not be before since",
      }),
    appendOptions: z.strictObject({ allowUnknownToolCalls: z.boolean().optional() }),
    window: z.strictObject({
      maxTokens: z.number().int("must be an integer").min(1, "must be at least 1").optional(),
      maxMessages: z.number().int("must be an integer").min(1, "must be at least 1").optional(),
      estimate: z
        .custom<(message: Message) => number>((v) => typeof v === "function", "must be a function")
        .optional(),
    }),
    compact: z.strictObject({
      throughSeq: seq.min(1, "must be at least 1"),
      summary: newMessage.refine((m) => m.role !== "tool", {
        path: ["role"],
        message: "a summary cannot have the role tool",
      }),
      idempotencyKey: text.min(1).nullable().optional(),
    }),
    replaceTail: z.strictObject({
      afterSeq: seq,
      expectedLastSeq: seq,
      expectedLastId: id.nullable().optional(),
      messages: z
        .array(newMessage)
        .max(limits.maxBatchSize, `must contain at most ${limits.maxBatchSize} messages`),
      allowUnknownToolCalls: z.boolean().optional(),
    }),
    operation: z.strictObject({
      id: operationText,
      fingerprint: operationText,
      replace: z
        .strictObject({
          afterSeq: seq,
          expectedLastSeq: seq,
          expectedLastId: id.nullable().optional(),
        })
        .optional(),
      messages: z
        .array(newMessage)
        .max(limits.maxBatchSize, `must contain at most ${limits.maxBatchSize} messages`),
    }),
    operationId: operationText,
    fork: z.strictObject({
      atSeq: seq.optional(),
      title: text.nullable().optional(),
      metadata: metadata.optional(),
      id: id.optional(),
    }),
    search: z.strictObject({
      sessionId: id.optional(),
      role: z.enum(ROLES).optional(),
      model: text.optional(),
      limit: limit.optional(),
      cursor,
      mark: z.tuple([safeString().max(64), safeString().max(64)]).optional(),
    }),
    query: safeString().max(
      limits.maxQueryLength,
      `must be at most ${limits.maxQueryLength} characters`,
    ),
  };
}

/** The schemas `makeSchemas` builds. */
export type Schemas = ReturnType<typeof makeSchemas>;
