import { z } from "zod";
import { ValidationError } from "../errors.js";
import type { StoreLimits } from "./limits.js";

/**
 * Parses `input` with `schema`; on failure throws a `ValidationError` that
 * names every broken field and rule. `where` names the call, e.g.
 * `messages.append`.
 */
export function parse<T>(where: string, schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
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

/** The schemas for one set of limits. */
export function makeSchemas(limits: StoreLimits) {
  const text = z
    .string()
    .max(limits.maxTextLength, `must be at most ${limits.maxTextLength} characters`)
    .refine(noNul, NUL_MESSAGE);
  const id = z
    .string()
    .min(1, "must not be empty")
    .max(128, "must be at most 128 characters")
    .regex(/^[\w.:@-]+$/, "may contain only letters, digits and _ . : @ -");
  const time = z.number().int("must be an integer (ms since the epoch)").nonnegative();
  const metadata = z
    .record(z.string(), z.json())
    .refine((m) => utf8Bytes(JSON.stringify(m)) <= limits.maxMetadataBytes, {
      message: `must be at most ${limits.maxMetadataBytes} bytes as JSON`,
    });
  const limit = z
    .number()
    .int("must be an integer")
    .min(1, "must be at least 1")
    .max(limits.maxPageSize, `must be at most ${limits.maxPageSize}`);
  const cursor = z.string().max(512).nullable().optional();
  const tenantId = z.string().min(1, "must not be empty").max(128).nullable();

  const newSession = z.strictObject({
    id: id.optional(),
    title: text.nullable().optional(),
    model: text.nullable().optional(),
    metadata: metadata.optional(),
    tenantId: tenantId.optional(),
    expiresAt: time.nullable().optional(),
  });
  const sessionPatch = z.strictObject({
    title: text.nullable().optional(),
    model: text.nullable().optional(),
    metadata: metadata.optional(),
    expiresAt: time.nullable().optional(),
  });
  const newMessage = z.strictObject({
    role: z.enum(["system", "user", "assistant", "tool"]),
    content: z
      .string()
      .refine((c) => utf8Bytes(c) <= limits.maxContentBytes, {
        message: `must be at most ${limits.maxContentBytes} bytes`,
      })
      .refine(noNul, NUL_MESSAGE),
    id: id.optional(),
    name: text.nullable().optional(),
    model: text.nullable().optional(),
    tokens: z.number().int("must be an integer").nonnegative().nullable().optional(),
    latencyMs: z.number().int("must be an integer").nonnegative().nullable().optional(),
    metadata: metadata.optional(),
    idempotencyKey: z
      .string()
      .min(1)
      .max(limits.maxTextLength)
      .refine(noNul, NUL_MESSAGE)
      .nullable()
      .optional(),
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
      tenantId: tenantId.optional(),
      limit: limit.optional(),
      cursor,
    }),
    listMessages: z.strictObject({
      afterSeq: z.number().int().nonnegative().optional(),
      limit: limit.optional(),
      cursor,
    }),
    count: limit,
    fork: z.strictObject({
      atSeq: z.number().int().nonnegative().optional(),
      title: text.nullable().optional(),
      metadata: metadata.optional(),
      id: id.optional(),
    }),
    search: z.strictObject({
      sessionId: id.optional(),
      role: z.enum(["system", "user", "assistant", "tool"]).optional(),
      model: text.optional(),
      limit: limit.optional(),
      cursor,
      mark: z.tuple([z.string().max(64), z.string().max(64)]).optional(),
    }),
    query: z
      .string()
      .max(limits.maxQueryLength, `must be at most ${limits.maxQueryLength} characters`),
  };
}

/** The schemas `makeSchemas` builds. */
export type Schemas = ReturnType<typeof makeSchemas>;
