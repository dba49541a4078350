import type { Store } from "@llm-sessions/core";
import type { Queryable } from "@llm-sessions/core/driver";
import { generateCalls, type HostileCall, isCompared } from "./calls.js";
import { explainDifference } from "./difference.js";
import { changedTables, digestState, type StateDigest } from "./digest.js";
import { classify, cursorOf, type Outcome, observed, settle, summary } from "./outcome.js";
import { describe } from "./serialize.js";
import type { Env } from "./values.js";
import { type IdSource, type RunClock, writeAttackerData, writeSecretData } from "./world.js";

/** One of the two stores of a run, with what the run needs to drive and inspect it. */
export interface HostileSide {
  /** Opened with `generateId: ids.next` and `clock: clock.read`, and no background indexing. */
  readonly store: Store;
  /** A connection that sees the store's database (its own writer is fine between calls). */
  readonly read: Queryable;
  readonly ids: IdSource;
  readonly clock: RunClock;
}

/** Options of `runHostile`. */
export interface HostileRunOptions {
  /** The inputs are a pure function of this seed. */
  readonly seed: number;
  /** How many inputs to run. */
  readonly inputs: number;
  /** The store with every tenant's data: the attacker's and the secrets. */
  readonly world: HostileSide;
  /** The same attacker data, and no secrets: what a tenant view must not tell apart. */
  readonly twin: HostileSide;
}

/** The three kinds of failure a run looks for. */
export type FindingKind = "untyped" | "state" | "cross-tenant";

/** One failed check, with the input that caused it. */
export interface Finding {
  readonly kind: FindingKind;
  /** The input's index in the run (rerun with the same seed to see it again). */
  readonly index: number;
  /** The input, printed so that it can be rebuilt by hand. */
  readonly input: string;
  /** What went wrong, and a label to group findings by. */
  readonly label: string;
  readonly detail: string;
}

/** What a run did and found. */
export interface HostileReport {
  readonly seed: number;
  readonly inputs: number;
  /** Inputs compared between the world store and its twin (calls through non-secret tenant views). */
  readonly compared: number;
  /** Outcomes of the world store's calls. */
  readonly successes: number;
  readonly typedErrors: number;
  /** The world store's typed errors by class. */
  readonly typedByClass: Readonly<Record<string, number>>;
  /** Inputs with an untyped error in either store. */
  readonly untypedErrors: number;
  /** Rejected calls after which the world store's state differed. */
  readonly stateChanges: number;
  /** Compared inputs whose outcomes differed between the world and the twin. */
  readonly crossTenant: number;
  readonly findings: readonly Finding[];
}

/** How an input reads in a report: the view, the method and its arguments. */
export function showCall(call: HostileCall): string {
  const env: Env = { cursor: (i) => `‹nextCursor of input #${i}›` };
  const view = call.view.kind === "root" ? "store" : `store.tenant(${describe(call.view.id(env))})`;
  const args = call.args.map((a) => describe(a(env))).join(", ");
  return `${view}.${call.method}(${args})`;
}

async function invoke(side: HostileSide, call: HostileCall, env: Env): Promise<Outcome> {
  return settle(async () => {
    const handle =
      call.view.kind === "root" ? side.store : side.store.tenant(call.view.id(env) as string);
    const [head, tail] = call.method.split(".") as [string, string | undefined];
    // biome-ignore lint/suspicious/noExplicitAny: the method is chosen by name, its arguments are hostile on purpose
    const owner: any = tail === undefined ? handle : (handle as any)[head];
    const name = tail ?? head;
    return await owner[name](...call.args.map((make) => make(env)));
  });
}

async function digest(side: HostileSide): Promise<StateDigest | string> {
  try {
    return await digestState(side.read);
  } catch (error) {
    return `the state could not be read: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** Writes the attacker's data to both stores and the secrets to the world store only. */
export async function prepareRun(world: HostileSide, twin: HostileSide): Promise<void> {
  for (const side of [world, twin]) {
    side.ids.reset("setup");
    await writeAttackerData(side.store, side.clock);
  }
  world.ids.reset("secret");
  await writeSecretData(world.store, world.clock);
}

/**
 * Runs `inputs` hostile inputs against both stores (after `prepareRun`), in
 * the same order and at the same clock and ids, and checks each one:
 * an error must be one of the store's own (`untyped` otherwise); a rejected
 * call must leave every table as it was (`state`); a call through a
 * non-secret tenant view must be answered in the world store exactly as in
 * its twin, which never held the secrets (`cross-tenant`).
 */
export async function runHostile(options: HostileRunOptions): Promise<HostileReport> {
  const { world, twin, seed } = options;
  const calls = generateCalls(seed, options.inputs);
  const cursors = { world: [] as (string | null)[], twin: [] as (string | null)[] };
  const envOf = (list: (string | null)[]): Env => ({ cursor: (i) => list[i] ?? null });
  const findings: Finding[] = [];
  const counts = { compared: 0, successes: 0, typed: 0, untyped: 0, state: 0, cross: 0 };
  const start = Date.UTC(2026, 0, 2);
  const lastState = new Map<HostileSide, StateDigest | string>();
  const typedByClass: Record<string, number> = {};

  for (const call of calls) {
    const input = showCall(call);
    const found = (kind: FindingKind, label: string, detail: string) =>
      findings.push({ kind, index: call.index, input, label, detail });
    const outcomes: Outcome[] = [];
    let changed = false;
    let untyped = false;
    for (const [name, side] of [
      ["world", world],
      ["twin", twin],
    ] as const) {
      side.ids.reset(`in${call.index}`);
      side.clock.now = start + call.index * 1000;
      // Index what earlier calls queued, so a later pass over their messages is not taken for this call's doing.
      const flushed = await side.store.flushSearchIndex().catch(() => -1);
      // The world store holds every tenant's data, and gets every input: its state is the one checked.
      const checked = side === world;
      // The state after a rejected call is the state before the next one, unless the flush indexed something.
      const before = checked
        ? (flushed === 0 && lastState.get(side)) || (await digest(side))
        : undefined;
      lastState.delete(side);
      const outcome = await invoke(side, call, envOf(cursors[name]));
      outcomes.push(outcome);
      const kind = classify(outcome);
      if (kind === "untyped" && !untyped) {
        untyped = true;
        found("untyped", `${call.method}: ${errorName(outcome)}`, `${name}: ${summary(outcome)}`);
      }
      if (before !== undefined && kind !== "success") {
        const after = await digest(side);
        lastState.set(side, after);
        const tables =
          typeof before === "string" || typeof after === "string"
            ? [typeof before === "string" ? before : (after as string)]
            : changedTables(before, after);
        if (tables.length > 0) {
          changed = true;
          found(
            "state",
            `${call.method} rejected but changed ${tables.join(", ")}`,
            `${name}: ${summary(outcome)}; changed: ${tables.join(", ")}`,
          );
        }
      }
    }
    const [inWorld, inTwin] = outcomes as [Outcome, Outcome];
    cursors.world.push(cursorOf(inWorld));
    cursors.twin.push(cursorOf(inTwin));
    const kind = classify(inWorld);
    if (kind === "success") counts.successes += 1;
    else if (kind === "typed") {
      counts.typed += 1;
      const errorClass = errorName(inWorld);
      typedByClass[errorClass] = (typedByClass[errorClass] ?? 0) + 1;
    }
    if (untyped) counts.untyped += 1;
    if (changed) counts.state += 1;
    if (isCompared(call)) {
      counts.compared += 1;
      const a = observed(inWorld);
      const b = observed(inTwin);
      if (a !== b) {
        counts.cross += 1;
        const why = explainDifference(inWorld, inTwin, a, b);
        found("cross-tenant", `${call.method}: ${why.label}`, why.detail);
      }
    }
  }
  return {
    seed,
    inputs: calls.length,
    compared: counts.compared,
    successes: counts.successes,
    typedErrors: counts.typed,
    typedByClass,
    untypedErrors: counts.untyped,
    stateChanges: counts.state,
    crossTenant: counts.cross,
    findings,
  };
}

function errorName(outcome: Outcome): string {
  if (outcome.ok) return "ok";
  const e = outcome.error;
  return e instanceof Error ? (e.constructor?.name ?? e.name) : typeof e;
}
