import type { SessionStore, Store } from "@llm-sessions/core";
import { LlmSessionsError } from "@llm-sessions/core";

/**
 * The data of a hostile run. Tenant `A` (the attacker's own tenant) is
 * written to both stores of a run; the secrets (tenant `B`, the default
 * tenant, and tenants whose ids differ from others' only by ill-formed
 * UTF-16, a NUL or a space) only to the world store, never to its twin.
 */

/**
 * Tenant ids whose data is secret: calls through their own views are not
 * compared (nor through `store.tenant(null)`, the default tenant's view).
 */
export const SECRET_TENANTS: readonly string[] = ["B", "T\uD800", "A\u0000evil", "A "];

/** The attacker's tenant. */
export const ATTACKER = "A";

/** Session ids of the attacker (some archived, one deleted, one a fork). */
export const A_SESSIONS = ["a-live", "a-busy", "a-arch", "a-gone", "a-fork"] as const;
/** Message ids of the attacker's sessions. */
export const A_MESSAGES = ["am-1", "am-2", "am-3", "am-b-1", "am-b-59", "am-x-1"] as const;
/** Session ids of the secret tenants (world store only). */
export const SECRET_SESSIONS = [
  "b-live",
  "b-arch",
  "b-gone",
  "b-fork",
  "d-live",
  "t-live",
  "ae-live",
  "as-live",
] as const;
/** Message ids of the secret tenants' sessions. */
export const SECRET_MESSAGES = [
  "bm-1",
  "bm-2",
  "bm-x-1",
  "dm-1",
  "tm-1",
  "aem-1",
  "asm-1",
] as const;

/** Words only the secret data holds: seeing one through an attacker's view is a leak. */
export const SECRET_WORDS = ["zqsecretb", "zqsecretd", "zqsecrett", "zqsecrete", "zqsecrets"];

/** The ids a store hands out: `<prefix>-<n>`; the run sets the prefix per input, so both stores agree. */
export class IdSource {
  prefix = "setup";
  n = 0;
  /** Bound, so it can be passed as a store's `generateId`. */
  readonly next = (): string => `${this.prefix}-${++this.n}`;
  /** Starts a new prefix with its counter at 0. */
  reset(prefix: string): void {
    this.prefix = prefix;
    this.n = 0;
  }
}

/** A clock the run sets by hand (the same time in both stores). */
export class RunClock {
  now = Date.UTC(2026, 0, 1);
  /** Bound, so it can be passed as a store's `clock`. */
  readonly read = (): number => this.now;
}

const user = (content: string, id?: string, extra: Record<string, unknown> = {}) => ({
  role: "user" as const,
  content,
  ...(id ? { id } : {}),
  ...extra,
});

/** Writes the attacker's data: the same in the world store and its twin. */
export async function writeAttackerData(store: Store, clock: RunClock): Promise<void> {
  const a = store.tenant(ATTACKER);
  clock.now += 1000;
  await a.sessions.create({ id: "a-live", title: "alpha", model: "m1", metadata: { k: "a" } });
  await a.messages.append("a-live", [
    user("zebra apple alpha", "am-1", { tokens: 5, idempotencyKey: "k1" }),
    { role: "assistant", content: "apple pie beta zebra", id: "am-2", tokens: 7, model: "m1" },
    user("the zebra ran", "am-3", { name: "tool-a" }),
    user("apple zebra apple gamma"),
  ]);
  clock.now += 1000;
  await a.sessions.create({ id: "a-busy", model: "m2" });
  await a.messages.append(
    "a-busy",
    Array.from({ length: 60 }, (_, i) => user(`zebra apple number ${i}`, `am-b-${i}`)),
  );
  clock.now += 1000;
  await a.sessions.create({ id: "a-arch", title: "to archive" });
  await a.messages.append("a-arch", [user("archived zebra", "am-x-1")]);
  await store.lifecycle.archive("a-arch");
  clock.now += 1000;
  await a.sessions.create({ id: "a-gone" });
  await a.messages.append("a-gone", [user("deleted zebra")]);
  await a.sessions.delete("a-gone");
  clock.now += 1000;
  await a.sessions.fork("a-live", { id: "a-fork", atSeq: 2 });
}

/** Tolerates a typed refusal: after the fixes, some secret tenant ids are refused outright. */
async function unlessRefused(write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (error) {
    if (!(error instanceof LlmSessionsError)) throw error;
  }
}

async function secretTenant(
  view: SessionStore,
  session: string,
  message: string,
  word: string,
): Promise<void> {
  await view.sessions.create({
    id: session,
    title: `${word} title`,
    model: "m1",
    metadata: { word },
  });
  await view.messages.append(session, [
    user(`zebra apple ${word}`, message, { tokens: 11, idempotencyKey: "k1" }),
  ]);
}

/** Writes the secrets: only in the world store. */
export async function writeSecretData(store: Store, clock: RunClock): Promise<void> {
  const b = store.tenant("B");
  clock.now += 1000;
  await b.sessions.create({
    id: "b-live",
    title: "zqsecretb title",
    model: "m1",
    metadata: { secret: "zqsecretb" },
  });
  await b.messages.append("b-live", [
    user("zebra zebra zqsecretb apple", "bm-1", { tokens: 1000, idempotencyKey: "k1" }),
    { role: "assistant", content: "zqsecretb alpha beta zebra", id: "bm-2", tokens: 3 },
    ...Array.from({ length: 30 }, (_, i) => user(`zebra apple zqsecretb filler ${i}`)),
  ]);
  await b.sessions.create({ id: "b-arch" });
  await b.messages.append("b-arch", [user("zqsecretb archived zebra", "bm-x-1")]);
  await store.lifecycle.archive("b-arch");
  await b.sessions.create({ id: "b-gone" });
  await b.sessions.delete("b-gone");
  await b.sessions.fork("b-live", { id: "b-fork", atSeq: 1 });
  clock.now += 1000;
  // The default tenant, written through the root store.
  await store.sessions.create({ id: "d-live", title: "zqsecretd", model: "m1" });
  await store.messages.append("d-live", [user("zebra apple zqsecretd", "dm-1", { tokens: 13 })]);
  await unlessRefused(() => secretTenant(store.tenant("T\uD800"), "t-live", "tm-1", "zqsecrett"));
  await unlessRefused(() =>
    secretTenant(store.tenant("A\u0000evil"), "ae-live", "aem-1", "zqsecrete"),
  );
  await unlessRefused(() => secretTenant(store.tenant("A "), "as-live", "asm-1", "zqsecrets"));
}
