import {
  IdempotencyConflictError,
  type Message,
  type MessageRole,
  SessionArchivedError,
  SessionNotFoundError,
  type Store,
  ValidationError,
} from "@llm-sessions/core";
import type fc from "fast-check";
import { describe } from "../invariants/index.js";
import type { ManualClock } from "../suite/clock.js";
import { compareState, diffMessages } from "./compare.js";
import { type ModelInput, type ModelMessage, Predicted, type StoreModel } from "./state.js";

/** The system under test, as the commands see it. */
export interface RealStore {
  readonly store: Store;
  readonly clock: ManualClock;
  /** Times one store call (counted as an operation). */
  readonly timed: <T>(fn: () => Promise<T>) => Promise<T>;
}

/** A message a command appends, as generated. */
export interface InputSpec {
  readonly role: MessageRole;
  readonly words: readonly string[];
  readonly tokens: number | null;
  readonly key: number | null;
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

const ERRORS = {
  "not-found": SessionNotFoundError,
  archived: SessionArchivedError,
  validation: ValidationError,
  "idempotency-conflict": IdempotencyConflictError,
} as const;

/**
 * Runs the store call, then the model's prediction (which may use the
 * store's result, e.g. a new id), and fails the command when one succeeded
 * and the other did not, or they failed differently.
 */
async function both<T, P>(
  real: RealStore,
  label: string,
  act: () => Promise<T>,
  predict: (actual: T | undefined) => P,
): Promise<{ actual: T; predicted: P } | undefined> {
  const actual: Settled<T> = await real.timed(act).then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  let predicted: Settled<P>;
  try {
    predicted = { ok: true, value: predict(actual.ok ? actual.value : undefined) };
  } catch (error) {
    if (!(error instanceof Predicted)) throw error;
    predicted = { ok: false, error };
  }
  if (predicted.ok && actual.ok) return { actual: actual.value, predicted: predicted.value };
  if (!predicted.ok && !actual.ok) {
    const kind = (predicted.error as Predicted).kind;
    if (actual.error instanceof ERRORS[kind]) return undefined;
    throw new Error(
      `${label}: the model predicts ${kind}, the store failed with ${describe(actual.error)}`,
    );
  }
  if (actual.ok) {
    throw new Error(
      `${label}: the model predicts ${(predicted as { error: Predicted }).error.kind}, the store succeeded`,
    );
  }
  throw new Error(
    `${label}: the model predicts success, the store failed with ${describe(actual.error)}`,
  );
}

/** Base of every command: state comparison after the run, and the session it targets. */
abstract class StoreCommand implements fc.AsyncCommand<StoreModel, RealStore> {
  check(_m: Readonly<StoreModel>): boolean {
    return true;
  }

  async run(m: StoreModel, r: RealStore): Promise<void> {
    await this.apply(m, r);
    const problems = await compareState(m, r.store);
    if (problems.length > 0) throw new Error(`after ${this}:\n  ${problems.join("\n  ")}`);
  }

  protected abstract apply(m: StoreModel, r: RealStore): Promise<void>;
  abstract toString(): string;
}

/**
 * A command on one session: a live one by index (`s#3`), or with `ghost` a
 * deleted one when there is any (`s#3|deleted`).
 */
abstract class SessionCommand extends StoreCommand {
  constructor(
    readonly pick: number,
    readonly ghost: boolean,
  ) {
    super();
  }

  override check(m: Readonly<StoreModel>): boolean {
    return m.order.length > 0 || (this.ghost && m.gone.length > 0);
  }

  protected target(m: StoreModel): string {
    if (this.ghost && m.gone.length > 0) return m.gone[this.pick % m.gone.length] as string;
    return (m.at(this.pick) ?? { id: "none" }).id;
  }

  protected where(): string {
    return `s#${this.pick}${this.ghost ? "|deleted" : ""}`;
  }
}

/** `sessions.create`. */
export class CreateCommand extends StoreCommand {
  constructor(readonly title: string | null) {
    super();
  }
  protected async apply(m: StoreModel, r: RealStore): Promise<void> {
    await both(
      r,
      String(this),
      () => r.store.sessions.create({ title: this.title }),
      (s) => m.create((s as { id: string }).id, this.title),
    );
  }
  toString(): string {
    return `create(${JSON.stringify(this.title)})`;
  }
}

/** `messages.append` of one message or a batch, with or without keys, optionally sent twice (a retry). */
export class AppendCommand extends SessionCommand {
  constructor(
    pick: number,
    ghost: boolean,
    readonly inputs: readonly InputSpec[],
    readonly retried: boolean,
  ) {
    super(pick, ghost);
  }
  protected async apply(m: StoreModel, r: RealStore): Promise<void> {
    const id = this.target(m);
    const input: ModelInput[] = this.inputs.map((i) => ({
      role: i.role,
      content: i.words.join(" "),
      tokens: i.tokens,
      idempotencyKey: i.key === null ? null : `key${i.key}`,
    }));
    const request = input.map((i) => ({
      role: i.role,
      content: i.content,
      tokens: i.tokens,
      idempotencyKey: i.idempotencyKey,
    }));
    for (let attempt = 0; attempt < (this.retried ? 2 : 1); attempt++) {
      const result = await both(
        r,
        `${this} (attempt ${attempt + 1})`,
        () => r.store.messages.append(id, request),
        () => m.append(id, input),
      );
      if (result) learnIds(String(this), result.predicted, result.actual);
    }
  }
  toString(): string {
    const parts = this.inputs.map(
      (i) =>
        `${i.role}:${JSON.stringify(i.words.join(" "))}${i.tokens === null ? "" : `/${i.tokens}t`}${i.key === null ? "" : `/key${i.key}`}`,
    );
    return `append${this.retried ? "+retry" : ""}(${this.where()}, [${parts.join(", ")}])`;
  }
}

/** Checks returned messages against the prediction and fills in the ids the model did not know. */
function learnIds(label: string, predicted: ModelMessage[], actual: Message[]): void {
  const problems = diffMessages(`${label} returned`, predicted, actual);
  if (problems.length > 0) throw new Error(problems.join("\n"));
  predicted.forEach((p, i) => {
    if (p.id === null) p.id = (actual[i] as Message).id;
  });
}

/** `messages.pop`. */
export class PopCommand extends SessionCommand {
  protected async apply(m: StoreModel, r: RealStore): Promise<void> {
    const id = this.target(m);
    const result = await both(
      r,
      String(this),
      () => r.store.messages.pop(id),
      () => m.pop(id),
    );
    if (!result) return;
    const { predicted, actual } = result;
    learnIds(String(this), predicted ? [predicted] : [], actual ? [actual] : []);
  }
  toString(): string {
    return `pop(${this.where()})`;
  }
}

/** `sessions.fork`, at a seq (sometimes past the end: a ValidationError) or whole. */
export class ForkCommand extends SessionCommand {
  constructor(
    pick: number,
    readonly at: number | null,
  ) {
    super(pick, false);
  }
  protected async apply(m: StoreModel, r: RealStore): Promise<void> {
    const id = this.target(m);
    const top = m.sessions.get(id)?.messages.length ?? 0;
    const atSeq = this.at === null ? undefined : this.at % (top + 2);
    await both(
      r,
      `${this} (atSeq ${atSeq ?? "all"})`,
      () => r.store.sessions.fork(id, atSeq === undefined ? {} : { atSeq }),
      (s) => m.fork(id, s?.id ?? "not-created", atSeq),
    );
  }
  toString(): string {
    return `fork(${this.where()}, ${this.at === null ? "all" : `at~${this.at}`})`;
  }
}

/** `sessions.update` of the title. */
export class UpdateCommand extends SessionCommand {
  constructor(
    pick: number,
    readonly title: string | null,
  ) {
    super(pick, false);
  }
  protected async apply(m: StoreModel, r: RealStore): Promise<void> {
    const id = this.target(m);
    await both(
      r,
      String(this),
      () => r.store.sessions.update(id, { title: this.title }),
      () => m.update(id, this.title),
    );
  }
  toString(): string {
    return `update(${this.where()}, ${JSON.stringify(this.title)})`;
  }
}

/** `sessions.delete`. */
export class DeleteCommand extends SessionCommand {
  protected async apply(m: StoreModel, r: RealStore): Promise<void> {
    const id = this.target(m);
    await both(
      r,
      String(this),
      () => r.store.sessions.delete(id),
      () => m.delete(id),
    );
  }
  toString(): string {
    return `delete(${this.where()})`;
  }
}

/** `lifecycle.archive`, `lifecycle.restore` or `lifecycle.touch`. */
export class LifecycleCommand extends SessionCommand {
  constructor(
    pick: number,
    readonly action: "archive" | "restore" | "touch",
  ) {
    super(pick, false);
  }
  protected async apply(m: StoreModel, r: RealStore): Promise<void> {
    const id = this.target(m);
    await both(
      r,
      String(this),
      () => r.store.lifecycle[this.action](id),
      () => m[this.action](id),
    );
  }
  toString(): string {
    return `${this.action}(${this.where()})`;
  }
}

/** Moves the injected clock forward, then (usually) runs a sweep. */
export class ClockCommand extends StoreCommand {
  constructor(
    readonly ms: number,
    readonly sweep: boolean,
  ) {
    super();
  }
  protected async apply(m: StoreModel, r: RealStore): Promise<void> {
    r.clock.advance(this.ms);
    m.now += this.ms;
    if (!this.sweep) return;
    const result = await both(
      r,
      String(this),
      () => r.store.lifecycle.sweep(),
      () => m.sweep(),
    );
    if (!result) return;
    const { idled, archived, purged } = result.actual;
    const got = JSON.stringify({ idled, archived, purged });
    if (got !== JSON.stringify(result.predicted)) {
      throw new Error(
        `${this}: sweep reported ${got}, the model ${JSON.stringify(result.predicted)}`,
      );
    }
  }
  toString(): string {
    return `clock+${this.ms}ms${this.sweep ? "+sweep" : ""}`;
  }
}

/** `search` for a word: the hits must be exactly the model's messages with that word. */
export class SearchCommand extends StoreCommand {
  constructor(readonly word: string) {
    super();
  }
  protected async apply(m: StoreModel, r: RealStore): Promise<void> {
    const found: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<Store["search"]>> = await r.timed(() =>
        r.store.search(this.word, { limit: 200, cursor }),
      );
      found.push(...page.items.map((h) => `${h.message.sessionId}#${h.message.seq}`));
      cursor = page.nextCursor;
    } while (cursor);
    const expected = m.search(this.word).map((h) => `${h.sessionId}#${h.seq}`);
    if (JSON.stringify(found.sort()) !== JSON.stringify(expected.sort())) {
      throw new Error(`${this}: store found [${found.join(", ")}], model [${expected.join(", ")}]`);
    }
  }
  toString(): string {
    return `search(${JSON.stringify(this.word)})`;
  }
}
