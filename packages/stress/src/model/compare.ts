import { type Message, SessionNotFoundError, type Store } from "@llm-sessions/core";
import { describe, listAll } from "../invariants/index.js";
import { lastSeq, type ModelMessage, type ModelSession, type StoreModel } from "./state.js";

/** A message as compared: every field the caller sees (the id only where the model knows it). */
export function messageView(m: ModelMessage | Message, withId: boolean): string {
  return JSON.stringify([
    withId ? m.id : "?",
    m.seq,
    m.role,
    m.content,
    m.tokens,
    m.idempotencyKey,
    m.createdAt,
  ]);
}

/** The differences between what the store returned and what the model expected for messages. */
export function diffMessages(
  what: string,
  expected: readonly ModelMessage[],
  actual: readonly Message[],
): string[] {
  const problems: string[] = [];
  if (expected.length !== actual.length) {
    problems.push(`${what}: ${actual.length} messages, the model has ${expected.length}`);
  }
  for (let i = 0; i < Math.min(expected.length, actual.length); i++) {
    const e = expected[i] as ModelMessage;
    const a = actual[i] as Message;
    const withId = e.id !== null;
    if (messageView(e, withId) !== messageView(a, withId)) {
      problems.push(
        `${what}[${i}]: store ${messageView(a, withId)}, model ${messageView(e, withId)}`,
      );
      break;
    }
  }
  return problems;
}

const SESSION_FIELDS = [
  "title",
  "status",
  "createdAt",
  "updatedAt",
  "lastActivityAt",
  "archivedAt",
  "parentId",
  "parentSeq",
] as const;

/**
 * Everything a caller can observe, against the model: each session's fields
 * and counters, its messages in order, the session list's order, stats,
 * deleted sessions answering "not found". Returns the differences.
 */
export async function compareState(model: StoreModel, store: Store): Promise<string[]> {
  const problems: string[] = [];
  for (const s of model.sessions.values()) {
    problems.push(...(await compareSession(s, store)));
  }
  for (const id of model.gone.slice(-5)) {
    try {
      await store.sessions.get(id);
      problems.push(`session ${id} is gone in the model but the store still has it`);
    } catch (error) {
      if (!(error instanceof SessionNotFoundError)) {
        problems.push(`get of deleted ${id}: ${describe(error)}`);
      }
    }
  }
  const listed = (await store.sessions.list({ limit: 1000 })).items.map((s) => s.id);
  const expected = [...model.sessions.values()]
    .sort((a, b) => b.lastActivityAt - a.lastActivityAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .map((s) => s.id);
  if (JSON.stringify(listed) !== JSON.stringify(expected)) {
    problems.push(`sessions.list order: store ${listed.join(",")}, model ${expected.join(",")}`);
  }
  const stats = await store.stats();
  const sessions = [...model.sessions.values()];
  const want = {
    total: sessions.length,
    active: sessions.filter((s) => s.status === "active").length,
    idle: sessions.filter((s) => s.status === "idle").length,
    archived: sessions.filter((s) => s.status === "archived").length,
    messages: sessions.reduce((n, s) => n + s.messages.length, 0),
    tokens: sessions.reduce((n, s) => n + s.messages.reduce((t, m) => t + (m.tokens ?? 0), 0), 0),
  };
  const got = { ...stats.sessions, messages: stats.messages, tokens: stats.tokens };
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    problems.push(`stats: store ${JSON.stringify(got)}, model ${JSON.stringify(want)}`);
  }
  return problems;
}

async function compareSession(s: ModelSession, store: Store): Promise<string[]> {
  const problems: string[] = [];
  let real: Awaited<ReturnType<Store["sessions"]["get"]>>;
  let messages: Message[];
  try {
    real = await store.sessions.get(s.id);
    messages = await listAll(store, s.id);
  } catch (error) {
    return [`session ${s.id} exists in the model; the store says ${describe(error)}`];
  }
  for (const field of SESSION_FIELDS) {
    if (real[field] !== s[field]) {
      problems.push(`session ${s.id}.${field}: store ${real[field]}, model ${s[field]}`);
    }
  }
  const tokens = s.messages.reduce((t, m) => t + (m.tokens ?? 0), 0);
  if (
    real.messageCount !== s.messages.length ||
    real.lastSeq !== lastSeq(s) ||
    real.tokenCount !== tokens
  ) {
    problems.push(
      `session ${s.id} counters: store ${real.messageCount}/${real.lastSeq}/${real.tokenCount}, model ${s.messages.length}/${lastSeq(s)}/${tokens}`,
    );
  }
  problems.push(...diffMessages(`session ${s.id} messages`, s.messages, messages));
  if (s.messages.length > 0) {
    const n = Math.min(3, s.messages.length);
    const last = await store.messages.last(s.id, n);
    problems.push(...diffMessages(`messages.last(${s.id}, ${n})`, s.messages.slice(-n), last));
  }
  return problems;
}
