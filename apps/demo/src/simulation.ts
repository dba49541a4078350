import {
  type Message,
  type NewMessage,
  type Session,
  SessionArchivedError,
  SessionNotFoundError,
  type Store,
  type SweepResult,
} from "@llm-sessions/core";
import { EventLog } from "./events.js";
import { type FakeModel, MODELS, pick, reply, seededRandom, USER_TOPICS } from "./fake-models.js";

export interface SimulationOptions {
  /** Simulated users talking at the same time. Default 8. */
  readonly users?: number;
  /** Seed of the users and the fake models: the same seed, the same conversations. Default 42. */
  readonly seed?: number;
  /** Conversation turns per second, across all users (roughly). Default 8. */
  readonly rate?: number;
  /** Chance that a user goes back to one of their earlier conversations. Default 0.3. */
  readonly returnChance?: number;
  /**
   * How often the router runs `store.lifecycle.sweep()` (idle, archive, purge).
   * 0 = never (the store's own timer, if any, does it). Default 2000.
   */
  readonly sweepEveryMs?: number;
}

/** What the simulated users did so far. */
export interface SimulationTotals {
  /** Questions answered (a user message and the model's reply). */
  readonly turns: number;
  readonly sessions: number;
  readonly forks: number;
  /** Answers taken back with `messages.pop`. */
  readonly undos: number;
  /** Users who came back to an earlier conversation. */
  readonly returns: number;
  /** Archived sessions brought back (by returning users and from the page). */
  readonly restores: number;
  /** Sweeps run, and what they did in total. */
  readonly sweeps: number;
  readonly idled: number;
  readonly archived: number;
  readonly purged: number;
  /** Unexpected failures (each one is also an event). */
  readonly errors: number;
}

const ZERO: SimulationTotals = {
  turns: 0,
  sessions: 0,
  forks: 0,
  undos: 0,
  returns: 0,
  restores: 0,
  sweeps: 0,
  idled: 0,
  archived: 0,
  purged: 0,
  errors: 0,
};

const short = (id: string) => id.slice(-8);
const quote = (title: string | null) => (title === null ? "(untitled)" : JSON.stringify(title));

/**
 * An AI router in miniature. Simulated users open conversations with fake
 * models and ask questions; every question and answer is stored as it
 * happens (with model, tokens and latency). Users sometimes take an answer
 * back, fork a conversation, or come back to an old one — restoring it first
 * when the lifecycle has archived it. The router sweeps the lifecycle policy
 * on a timer and records what each sweep did, for the page's live panel.
 *
 * The same object serves the page's actions (chat, archive, restore, fork),
 * so they show up in the event log too.
 */
export class Simulation {
  readonly events = new EventLog();
  readonly startedAt = Date.now();
  readonly #store: Store;
  readonly #users: number;
  readonly #seed: number;
  readonly #rate: number;
  readonly #returnChance: number;
  readonly #sweepEveryMs: number;
  readonly #chatRandom: () => number;
  #totals: { -readonly [K in keyof SimulationTotals]: number } = { ...ZERO };
  #running = false;
  #abort = new AbortController();
  #tasks: Promise<void>[] = [];

  constructor(store: Store, options: SimulationOptions = {}) {
    this.#store = store;
    this.#users = options.users ?? 8;
    this.#seed = options.seed ?? 42;
    this.#rate = options.rate ?? 8;
    this.#returnChance = options.returnChance ?? 0.3;
    this.#sweepEveryMs = options.sweepEveryMs ?? 2_000;
    if (!Number.isInteger(this.#users) || this.#users < 0)
      throw new RangeError("users: an integer ≥ 0");
    if (!(this.#rate > 0)) throw new RangeError("rate: a number > 0");
    if (!(this.#sweepEveryMs >= 0)) throw new RangeError("sweepEveryMs: a number ≥ 0");
    this.#chatRandom = seededRandom(this.#seed * 7919 + 1);
  }

  get totals(): SimulationTotals {
    return { ...this.#totals };
  }

  /** The options in force. */
  get settings(): Required<SimulationOptions> {
    return {
      users: this.#users,
      seed: this.#seed,
      rate: this.#rate,
      returnChance: this.#returnChance,
      sweepEveryMs: this.#sweepEveryMs,
    };
  }

  get running(): boolean {
    return this.#running;
  }

  /** Starts the users and the sweeps. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#abort = new AbortController();
    this.#tasks = Array.from({ length: this.#users }, (_, n) => this.#user(n));
    if (this.#sweepEveryMs > 0) this.#tasks.push(this.#sweeper());
  }

  /** Stops the users and the sweeps, waiting for the store calls under way. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#abort.abort();
    const tasks = this.#tasks;
    this.#tasks = [];
    await Promise.all(tasks);
  }

  /**
   * One sweep of the lifecycle policy, recorded as an event when it changed
   * something.
   */
  async sweep(): Promise<SweepResult> {
    const result = await this.#store.lifecycle.sweep();
    if (result.skipped) return result;
    const t = this.#totals;
    t.sweeps += 1;
    t.idled += result.idled;
    t.archived += result.archived;
    t.purged += result.purged;
    if (result.idled + result.archived + result.purged > 0) {
      const parts = [
        result.idled && `${result.idled} idled`,
        result.archived && `${result.archived} archived`,
        result.purged && `${result.purged} purged`,
      ].filter(Boolean);
      this.events.add("sweep", `sweep: ${parts.join(", ")} (${result.durationMs.toFixed(1)} ms)`);
    }
    return result;
  }

  /**
   * A person on the page writes to a session: the message is stored, the
   * session's model answers from the context window, and both are returned.
   * An archived session raises `SessionArchivedError`: restore it first.
   */
  async chat(sessionId: string, content: string): Promise<Message[]> {
    const session = await this.#store.sessions.get(sessionId);
    const model = modelOf(session);
    const [question] = await this.#store.messages.append(sessionId, {
      role: "user",
      content,
      metadata: { via: "web" },
    });
    const context = await this.#store.messages.last(sessionId, 50);
    const latency = latencyOf(model, this.#chatRandom);
    const answer = reply(this.#chatRandom, model, context[context.length - 1]?.content ?? content);
    const [stored] = await this.#store.messages.append(sessionId, {
      role: "assistant",
      content: answer,
      model: model.name,
      tokens: countTokens(answer),
      latencyMs: latency,
    });
    this.#totals.turns += 1;
    return [question, stored].filter((m): m is Message => m !== undefined);
  }

  /** Archives a session now (from the page). */
  async archive(sessionId: string): Promise<Session> {
    const session = await this.#store.lifecycle.archive(sessionId);
    this.events.add(
      "archive",
      `archived ${quote(session.title)} (…${short(session.id)}) from the page`,
      session.id,
    );
    return session;
  }

  /**
   * Restores an archived session from its checksummed snapshot and marks
   * activity, so the next sweep does not archive it again at once.
   */
  async restore(sessionId: string): Promise<Session> {
    const before = await this.#store.sessions.get(sessionId);
    await this.#store.lifecycle.restore(sessionId);
    const session = await this.#store.lifecycle.touch(sessionId);
    if (before.status === "archived") {
      this.#totals.restores += 1;
      this.events.add(
        "restore",
        `restored ${quote(session.title)} (…${short(session.id)}) from its snapshot, from the page`,
        session.id,
      );
    }
    return session;
  }

  /** Forks a session at `atSeq` (default: all of it). */
  async fork(sessionId: string, atSeq?: number): Promise<Session> {
    const parent = await this.#store.sessions.get(sessionId);
    const branch = await this.#store.sessions.fork(sessionId, {
      ...(atSeq !== undefined ? { atSeq } : {}),
      title: `${parent.title ?? "untitled"} (fork)`,
    });
    this.#totals.forks += 1;
    this.events.add(
      "fork",
      `forked ${quote(parent.title)} at #${branch.parentSeq ?? parent.lastSeq} into …${short(branch.id)}`,
      branch.id,
    );
    return branch;
  }

  async #user(n: number): Promise<void> {
    const random = seededRandom(this.#seed * 1000 + n);
    const who = `user-${n}`;
    const mine: string[] = [];
    let asked = 0;
    const meanGapMs = (this.#users / this.#rate) * 1000;
    // Users start a little apart, so the first sessions do not all appear at once.
    await this.#sleep(random() * meanGapMs);
    while (this.#running) {
      try {
        let session: Session | undefined;
        const earlier =
          mine.length > 0 && random() < this.#returnChance ? pick(random, mine) : null;
        if (earlier) session = await this.#comeBack(who, earlier, mine);
        const returning = session !== undefined;
        if (!session) {
          const model = pick(random, MODELS);
          session = await this.#store.sessions.create({
            title: pick(random, USER_TOPICS),
            model: model.name,
            metadata: { user: who },
          });
          this.#totals.sessions += 1;
          mine.push(session.id);
          if (mine.length > 6) mine.shift();
        }
        const model = modelOf(session);
        const turns = returning ? 1 + Math.floor(random() * 2) : 2 + Math.floor(random() * 5);
        for (let t = 0; t < turns && this.#running; t++) {
          const started = Date.now();
          const question = `${pick(random, USER_TOPICS)} (turn ${t + 1})`;
          asked += 1;
          await this.#append(who, session.id, {
            role: "user",
            content: question,
            idempotencyKey: `${who}-q${asked}`,
          });
          const context = await this.#store.messages.last(session.id, 50);
          const latency = latencyOf(model, random);
          await this.#sleep(latency / 4); // the model thinks (scaled down)
          const answer = reply(random, model, context[context.length - 1]?.content ?? question);
          await this.#append(who, session.id, {
            role: "assistant",
            content: answer,
            model: model.name,
            tokens: countTokens(answer),
            latencyMs: latency,
          });
          this.#totals.turns += 1;
          if (random() < 0.04) {
            await this.#store.messages.pop(session.id);
            this.#totals.undos += 1;
          }
          const gap = meanGapMs * (0.5 + random()) - (Date.now() - started);
          await this.#sleep(Math.max(0, gap));
        }
        if (this.#running && random() < 0.08) {
          await this.#store.sessions.fork(session.id, {
            title: `${session.title ?? "untitled"} (branch)`,
          });
          this.#totals.forks += 1;
        }
        await this.#sleep(meanGapMs * (0.5 + random()));
      } catch (error) {
        if (!this.#running) return;
        if (error instanceof SessionNotFoundError) {
          // Purged (or deleted) while the user was away: forget it.
          const i = mine.indexOf(error.sessionId);
          if (i >= 0) mine.splice(i, 1);
          continue;
        }
        this.#totals.errors += 1;
        this.events.add(
          "error",
          `${who}: ${error instanceof Error ? error.message : String(error)}`,
        );
        await this.#sleep(1_000);
      }
    }
  }

  /** A user comes back to an earlier conversation; an archived one is restored first. */
  async #comeBack(who: string, id: string, mine: string[]): Promise<Session | undefined> {
    try {
      let session = await this.#store.sessions.get(id);
      this.#totals.returns += 1;
      if (session.status === "archived") {
        session = await this.#restoreFor(who, session);
      } else {
        this.events.add(
          "return",
          `${who} came back to ${quote(session.title)} (${session.status})`,
          id,
        );
      }
      return session;
    } catch (error) {
      if (!(error instanceof SessionNotFoundError)) throw error;
      const i = mine.indexOf(id);
      if (i >= 0) mine.splice(i, 1);
      return undefined;
    }
  }

  async #restoreFor(who: string, session: Session): Promise<Session> {
    const restored = await this.#store.lifecycle.restore(session.id);
    this.#totals.restores += 1;
    this.events.add(
      "restore",
      `${who} came back to archived ${quote(session.title)}: restored from its snapshot`,
      session.id,
    );
    return restored;
  }

  /**
   * Appends; when the session was archived meanwhile (a sweep, or the page),
   * restores it and appends again, as a router would.
   */
  async #append(who: string, sessionId: string, message: NewMessage): Promise<void> {
    try {
      await this.#store.messages.append(sessionId, message);
    } catch (error) {
      if (!(error instanceof SessionArchivedError)) throw error;
      await this.#restoreFor(who, await this.#store.sessions.get(sessionId));
      await this.#store.messages.append(sessionId, message);
    }
  }

  async #sweeper(): Promise<void> {
    while (this.#running) {
      await this.#sleep(this.#sweepEveryMs);
      if (!this.#running) return;
      try {
        await this.sweep();
      } catch (error) {
        if (!this.#running) return;
        this.#totals.errors += 1;
        this.events.add(
          "error",
          `sweep failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  }

  /** Waits `ms`, or less when the simulation stops. */
  #sleep(ms: number): Promise<void> {
    const signal = this.#abort.signal;
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener("abort", done, { once: true });
    });
  }
}

function modelOf(session: Session): FakeModel {
  return MODELS.find((m) => m.name === session.model) ?? (MODELS[0] as FakeModel);
}

function latencyOf(model: FakeModel, random: () => number): number {
  const [min, max] = model.latencyMs;
  return min + Math.floor(random() * (max - min));
}

function countTokens(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

/** What `npm run demo` prints when it stops: usage per model, a search, the integrity check. */
export async function printSummary(
  store: Store,
  totals: SimulationTotals,
  log: (line: string) => void,
): Promise<void> {
  const stats = await store.stats();
  log("\nUsage per model");
  console.table(
    stats.byModel.map((m) => ({
      model: m.model ?? "(none)",
      sessions: m.sessions,
      messages: m.messages,
      tokens: m.tokens,
    })),
  );
  log(
    `Sessions: ${stats.sessions.total} (active ${stats.sessions.active}, idle ${stats.sessions.idle}, archived ${stats.sessions.archived}); messages ${stats.messages}`,
  );
  log(
    `Simulation: ${totals.turns} turns, ${totals.sessions} sessions, ${totals.forks} forks, ${totals.undos} undos, ${totals.returns} returns, ${totals.restores} restores; sweeps ${totals.sweeps}: ${totals.idled} idled, ${totals.archived} archived, ${totals.purged} purged`,
  );
  const hits = await store.search("sqlite wal", { limit: 3 });
  log('\nSearch "sqlite wal":');
  for (const hit of hits.items)
    log(`  …${short(hit.message.sessionId)} #${hit.message.seq}: ${hit.snippet}`);
  const report = await store.integrity.check();
  log(`\nIntegrity: ${report.ok ? "ok" : JSON.stringify(report.findings)}`);
}
