import {
  type Session,
  SessionArchivedError,
  SessionNotFoundError,
  type Store,
} from "@llm-sessions/core";
import { describe, Ledger, TagMaker, taggedContent } from "../invariants/index.js";
import { ManualClock } from "../suite/clock.js";
import type { StressSuite, SuiteContext } from "../suite/context.js";
import { expectedStatus, TICK_MS, TIMEOUT_POLICY } from "./policy.js";

/** A session the suite follows, with what it knows of its activity. */
interface Tracked {
  readonly id: string;
  /** Append every `period` ticks (0: never again after creation). */
  readonly period: number;
  readonly offset: number;
  /** The last activity the store acknowledged (creation or append). */
  lastActivity: number;
  status: Session["status"] | "purged";
}

const PERIODS = [1, 2, 3, 5, 8, 14, 20, 30, 0, 0];
const CLIENTS = 8;

/**
 * The timeouts suite, timeout enforcement: with the injected clock moving in ticks,
 * clients append to sessions on schedules from "every tick" to "never"
 * while a sweep runs concurrently each tick. After every tick each
 * session's status is exactly what the policy says for its last activity
 * (active → idle → archived → purged), no session with a fresh append is
 * archived, an append refused as archived or not found was refused by the
 * policy, the sweep's counts match what changed, and the last activity the
 * store shows is the last one it acknowledged.
 */
export const timeoutsSuite: StressSuite = {
  id: "timeouts",
  title: "idle/archive/purge exactly per policy under concurrent appends",
  requires: () => undefined,
  async run(ctx) {
    const ticks = ctx.pick(120, 600);
    const clock = new ManualClock();
    const store = await ctx.open(ctx.newPath(), {
      clock: clock.read,
      lifecycle: TIMEOUT_POLICY,
      pool: { readers: 2 },
    });
    const ledger = new Ledger();
    const tags = new TagMaker("z");
    const tracked: Tracked[] = [];
    const rng = ctx.rng.derive("timeouts");
    let transitions = 0;
    const refusals = { archived: 0, purged: 0 };
    const create = async () => {
      const s = await ctx.timed(() => store.sessions.create({ title: "timeouts" }));
      ledger.created(s.id);
      tracked.push({
        id: s.id,
        period: rng.pick(PERIODS),
        offset: rng.int(0, 30),
        lastActivity: s.lastActivityAt,
        status: "active",
      });
    };
    for (let i = 0; i < ctx.pick(40, 200); i++) await create();

    for (let tick = 1; tick <= ticks; tick++) {
      const now = clock.advance(TICK_MS);
      if (tick % 5 === 0) for (let i = 0; i < ctx.pick(3, 10); i++) await create();
      const due = tracked.filter(
        (t) => t.status !== "purged" && t.period > 0 && (tick + t.offset) % t.period === 0,
      );
      const refused: { t: Tracked; error: unknown }[] = [];
      const append = async (t: Tracked) => {
        try {
          const tag = tags.tag();
          const stored = await ctx.timed(() =>
            store.messages.append(t.id, {
              role: "user",
              content: taggedContent(tag, null, `tick ${tick}`),
            }),
          );
          ledger.appended(t.id, stored);
          t.lastActivity = now;
        } catch (error) {
          refused.push({ t, error });
        }
      };
      const [, sweep] = await Promise.all([
        Promise.all(
          Array.from({ length: CLIENTS }, async (_, c) => {
            for (let i = c; i < due.length; i += CLIENTS) await append(due[i] as Tracked);
          }),
        ),
        ctx.timed(() => store.lifecycle.sweep()),
      ]);
      for (const { error } of refused) {
        if (error instanceof SessionArchivedError) refusals.archived += 1;
        if (error instanceof SessionNotFoundError) refusals.purged += 1;
      }
      transitions += await checkTick(ctx, store, tracked, ledger, refused, sweep, now, tick);
      ctx.progress(tick, ticks);
      if (ctx.failures > 0) break;
    }
    ctx.details.ticks = ticks;
    ctx.details.sessions = tracked.length;
    ctx.details.transitions = transitions;
    ctx.details.appendsRefused = refusals;
    ctx.details.byStatus = Object.fromEntries(
      ["active", "idle", "archived", "purged"].map((s) => [
        s,
        tracked.filter((t) => t.status === s).length,
      ]),
    );
    await ctx.verify(store, ledger);
  },
};

/** Checks every followed session against the policy after one tick; returns the transitions seen. */
async function checkTick(
  ctx: SuiteContext,
  store: Store,
  tracked: Tracked[],
  ledger: Ledger,
  refused: { t: Tracked; error: unknown }[],
  sweep: { idled: number; archived: number; purged: number },
  now: number,
  tick: number,
): Promise<number> {
  const at = `tick ${tick}`;
  const current = new Map<string, Session>();
  for (const status of ["active", "idle", "archived"] as const) {
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<Store["sessions"]["list"]>> = await store.sessions.list({
        status,
        limit: 1000,
        cursor,
      });
      for (const s of page.items) current.set(s.id, s);
      cursor = page.nextCursor;
    } while (cursor);
  }
  let purged = 0;
  let archived = 0;
  let idled = 0;
  let transitions = 0;
  for (const t of tracked) {
    if (t.status === "purged") continue;
    const s = current.get(t.id);
    const want = expectedStatus(now, t.lastActivity);
    const before = t.status;
    if (!s) {
      if (want !== "purged") {
        ctx.fail(
          `${at}: session ${t.id} was purged ${now - t.lastActivity} ms after its last activity`,
        );
      }
      t.status = "purged";
      purged += 1;
      transitions += 1;
      ledger.deleted(t.id);
      continue;
    }
    if (s.lastActivityAt !== t.lastActivity) {
      ctx.fail(
        `${at}: session ${t.id} shows last activity ${s.lastActivityAt}, the last acknowledged was ${t.lastActivity}`,
      );
    }
    if (s.status !== want) {
      ctx.fail(
        `${at}: session ${t.id} is ${s.status} after ${now - s.lastActivityAt} ms without activity; the policy says ${want}`,
      );
    }
    if (s.status === "archived") {
      if (
        s.archivedAt === null ||
        s.archivedAt - s.lastActivityAt < TIMEOUT_POLICY.archiveAfterMs
      ) {
        ctx.fail(
          `${at}: session ${t.id} was archived at ${s.archivedAt}, ${s.archivedAt === null ? "?" : s.archivedAt - s.lastActivityAt} ms after activity (an active session was archived)`,
        );
      }
      if (before !== "archived") archived += 1;
    }
    if (s.status === "idle" && before === "active") idled += 1;
    if (s.status !== before) transitions += 1;
    t.status = s.status;
  }
  for (const { t, error } of refused) {
    const quiet = now - t.lastActivity;
    if (error instanceof SessionArchivedError) {
      if (t.status !== "archived" && t.status !== "purged") {
        ctx.fail(`${at}: an append to ${t.id} was refused as archived, but it is ${t.status}`);
      } else if (quiet < TIMEOUT_POLICY.archiveAfterMs) {
        ctx.fail(
          `${at}: an append to ${t.id} was refused as archived only ${quiet} ms after activity`,
        );
      }
    } else if (error instanceof SessionNotFoundError) {
      if (t.status !== "purged" || quiet < TIMEOUT_POLICY.purgeAfterMs) {
        ctx.fail(`${at}: an append to ${t.id} found no session ${quiet} ms after activity`);
      }
    } else {
      ctx.fail(`${at}: an append to ${t.id} failed: ${describe(error)}`);
    }
  }
  if (sweep.purged !== purged || sweep.archived !== archived || sweep.idled < idled) {
    ctx.fail(
      `${at}: the sweep reported ${JSON.stringify({ idled: sweep.idled, archived: sweep.archived, purged: sweep.purged })}; the sessions show idled ≥ ${idled}, archived ${archived}, purged ${purged}`,
    );
  }
  return transitions;
}
