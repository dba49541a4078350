// Measures store.search on N messages, per adapter, page size and query (not a test).
// Build first (npm run build, or tsc -p packages/<pkg>/tsconfig.build.json for
// core and both adapters), then: node bench/scripts/search-cost.mjs [10000,100000] [better,libsql]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { betterSqlite } from "@llm-sessions/adapter-better-sqlite";
import { libsql } from "@llm-sessions/adapter-libsql";
import { openStore } from "@llm-sessions/core";

const sizes = (process.argv[2] ?? "10000,100000").split(",").map(Number);
const adapters = (process.argv[3] ?? "better,libsql").split(",");
const QUERIES = ["l* m* i*", "lo* ma*", "lim* mab*", "lorem", "lorem ipsum"];
const LIMITS = [10, 100, 200, 1000];

// A deterministic corpus: 2,000 words of 1-3 syllables, so that every letter
// starts hundreds of words and prefixes expand widely; "lorem" and "ipsum" in
// 5% of messages each.
let seed = 42;
const rand = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
};
const C = "bdfgklmnprstvz";
const V = "aeiou";
const words = Array.from({ length: 2000 }, () => {
  let w = "";
  for (let s = 0, n = 1 + Math.floor(rand() * 3); s < n; s++) {
    w += C[Math.floor(rand() * C.length)] + V[Math.floor(rand() * V.length)];
  }
  return w;
});
const content = () => {
  const out = [];
  for (let i = 0; i < 60; i++) out.push(words[Math.floor(rand() ** 2 * words.length)]);
  if (rand() < 0.05) out.splice(7, 0, "lorem");
  if (rand() < 0.05) out.splice(20, 0, "ipsum");
  return out.join(" ");
};

const driverFor = (name, path) =>
  name === "better" ? betterSqlite({ filename: path }) : libsql({ url: `file:${path}` });

for (const adapter of adapters) {
  for (const n of sizes) {
    const dir = mkdtempSync(join(tmpdir(), "search-cost-"));
    try {
      const store = await openStore({ driver: await driverFor(adapter, join(dir, "s.db")) });
      seed = 42;
      for (let done = 0; done < n; done += 200) {
        const s = await store.sessions.create({});
        await store.messages.append(
          s.id,
          Array.from({ length: Math.min(200, n - done) }, () => ({
            role: "user",
            content: content(),
          })),
        );
      }
      await store.flushSearchIndex();
      for (const q of QUERIES) {
        for (const limit of LIMITS) {
          const t0 = performance.now();
          let note = "";
          try {
            const page = await store.search(q, { limit });
            note = `${page.items.length} hits`;
          } catch (e) {
            note = `refused: ${e.name}: ${e.message.slice(0, 80)}`;
          }
          const ms = performance.now() - t0;
          console.log(
            `${adapter}\t${n}\t${JSON.stringify(q)}\tlimit ${limit}\t${ms.toFixed(1)} ms\t${note}`,
          );
        }
      }
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
