/**
 * Deterministic stand-ins for language models: the same seed gives the same
 * conversation, with no network. Each "model" has its own vocabulary and speed.
 */
export interface FakeModel {
  readonly name: string;
  readonly latencyMs: [min: number, max: number];
  readonly vocabulary: readonly string[];
}

export const MODELS: readonly FakeModel[] = [
  {
    name: "swift-mini",
    latencyMs: [80, 200],
    vocabulary: ["sure", "quickly", "done", "here", "steps", "config"],
  },
  {
    name: "sage-large",
    latencyMs: [400, 1200],
    vocabulary: ["consider", "tradeoff", "architecture", "latency", "index", "durable"],
  },
  {
    name: "coder-pro",
    latencyMs: [200, 600],
    vocabulary: ["function", "refactor", "typescript", "query", "transaction", "test"],
  },
];

export const USER_TOPICS: readonly string[] = [
  "reset my password",
  "explain sqlite wal mode",
  "write a sql query for monthly totals",
  "why is my build failing",
  "summarize this meeting",
  "plan a trip to lisbon",
  "what is a keyset cursor",
  "help me name a product",
  "what does <script>alert(1)</script> do in html",
  "is <img src=x onerror=alert(1)> dangerous",
  "translate good morning into portuguese",
  "how do I undo my last git commit",
];

/** mulberry32: a tiny seeded PRNG, so runs are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

/** A reply of 8–40 words from the model's vocabulary, echoing the question. */
export function reply(random: () => number, model: FakeModel, question: string): string {
  const words = [question.split(" ").slice(-2).join(" ")];
  const n = 8 + Math.floor(random() * 32);
  for (let i = 0; i < n; i++) words.push(pick(random, model.vocabulary));
  return `${words.join(" ")}.`;
}
