import { z } from "zod";

/**
 * When sessions move on. Every duration counts from the session's last
 * activity (an append or a `touch`); a duration left out means "never".
 */
export interface LifecyclePolicy {
  /** Active → idle after this long without activity. */
  idleAfterMs?: number;
  /** Idle or active → archived (snapshot written, messages leave the hot tables). */
  archiveAfterMs?: number;
  /** Any state → deleted, with messages (and the snapshot unless `keepSnapshots`). */
  purgeAfterMs?: number;
  /** How often the sweeper runs (±10% jitter). Default 60000; 0 = no timer (call `sweep()` yourself). */
  sweepIntervalMs?: number;
  /** Sessions per write transaction, so appends never wait long. Default 100. */
  batchSize?: number;
  /** Keep snapshots of purged and deleted sessions. Default false. */
  keepSnapshots?: boolean;
  /** Called when a timed sweep fails (it is also counted). Default: `console.warn`. */
  onError?: (error: unknown) => void;
}

/** The policy with defaults filled in. */
export interface ResolvedPolicy {
  /** Active → idle after this long without activity, in ms; `null` = never. */
  readonly idleAfterMs: number | null;
  /** Idle or active → archived after this long without activity, in ms; `null` = never. */
  readonly archiveAfterMs: number | null;
  /** Any state → deleted after this long without activity, in ms; `null` = never. */
  readonly purgeAfterMs: number | null;
  /** Period of the sweeper timer, in ms (60000 by default); 0 = no timer, also when the policy is off. */
  readonly sweepIntervalMs: number;
  /** Sessions per write transaction of a sweep (100 by default). */
  readonly batchSize: number;
  /** Whether snapshots of purged and deleted sessions are kept (false by default). */
  readonly keepSnapshots: boolean;
  /** Called when a timed sweep fails (`console.warn` by default). */
  readonly onError: (error: unknown) => void;
}

const duration = z
  .number()
  .int("must be an integer")
  .positive("must be positive")
  .max(2 ** 47);

export const policySchema = z
  .strictObject({
    idleAfterMs: duration.optional(),
    archiveAfterMs: duration.optional(),
    purgeAfterMs: duration.optional(),
    sweepIntervalMs: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional(),
    batchSize: z.number().int().min(1).max(10_000).optional(),
    keepSnapshots: z.boolean().optional(),
    onError: z
      .custom<(error: unknown) => void>((f) => typeof f === "function", "must be a function")
      .optional(),
  })
  .refine(
    (p) =>
      (p.idleAfterMs === undefined ||
        p.archiveAfterMs === undefined ||
        p.idleAfterMs < p.archiveAfterMs) &&
      (p.archiveAfterMs === undefined ||
        p.purgeAfterMs === undefined ||
        p.archiveAfterMs < p.purgeAfterMs) &&
      (p.idleAfterMs === undefined ||
        p.purgeAfterMs === undefined ||
        p.idleAfterMs < p.purgeAfterMs),
    { message: "must keep idleAfterMs < archiveAfterMs < purgeAfterMs (for those given)" },
  );

/** `false` (or nothing) turns the policy off: no timer, `sweep()` changes nothing. */
export function resolvePolicy(policy: LifecyclePolicy | false | undefined): ResolvedPolicy {
  const p = policy || {};
  return {
    idleAfterMs: p.idleAfterMs ?? null,
    archiveAfterMs: p.archiveAfterMs ?? null,
    purgeAfterMs: p.purgeAfterMs ?? null,
    sweepIntervalMs: policy ? (p.sweepIntervalMs ?? 60_000) : 0,
    batchSize: p.batchSize ?? 100,
    keepSnapshots: p.keepSnapshots ?? false,
    onError: p.onError ?? ((error) => console.warn("llm-sessions: sweep failed:", error)),
  };
}
