/**
 * Runs one operation in a loop, for a CPU profile:
 *
 *   node --cpu-prof --cpu-prof-dir=prof dist/profile.js store|raw|peer better-sqlite3|libsql "append 1" [seconds] [size]
 *
 * on a working copy of the template of `size` messages (default 100k; build
 * it first with a bench run). Open the .cpuprofile in Chrome DevTools or
 * speedscope.
 */
import path from "node:path";
import { contentOf, layoutOf, sessionIdOf, sizeLabel, spread } from "./data.js";
import { HERE, removeDb, template, workingCopy } from "./files.js";
import {
  type Driver,
  mastraTarget,
  type Op,
  rawBetterSqlite,
  rawLibsqlNative,
  storeTarget,
  type Target,
  type Workload,
} from "./targets.js";

async function main(): Promise<void> {
  const [
    kind = "store",
    driver = "better-sqlite3",
    op = "append 1",
    seconds = "5",
    size = "100000",
  ] = process.argv.slice(2);
  const messages = Number(size);
  const dataDir = path.resolve(process.env.BENCH_DATA_DIR ?? path.join(HERE, "..", ".data"));
  const tpl = await template(dataDir, kind === "peer" ? "mastra" : "store", messages);
  const file = workingCopy(tpl, path.join(dataDir, "run", `profile-${sizeLabel(messages)}.db`));
  const layout = layoutOf(messages);
  const refs = spread(layout, 64, 0.25).map((index) => ({ index, id: sessionIdOf(index) }));
  const w: Workload = {
    hot: refs.filter((_, i) => i % 2 === 0),
    forkSources: refs.filter((_, i) => i % 2 === 1),
    texts: Array.from({ length: 1024 }, (_, k) => contentOf(messages + k)),
  };
  const d = driver as Driver;
  const target: Target =
    kind === "store"
      ? await storeTarget(d, file, w)
      : kind === "raw"
        ? d === "better-sqlite3"
          ? rawBetterSqlite(file, w)
          : await rawLibsqlNative(file, w)
        : await mastraTarget(file, w);
  const fn = target.ops[op as Op];
  if (!fn) throw new Error(`${target.label} has no operation "${op}"`);
  const deadline = performance.now() + Number(seconds) * 1000;
  let calls = 0;
  const started = performance.now();
  while (performance.now() < deadline) {
    await fn();
    calls++;
  }
  const elapsed = performance.now() - started;
  console.log(
    `${target.label} ${op}: ${calls} calls, ${((elapsed * 1000) / calls).toFixed(1)} µs mean`,
  );
  await target.close();
  removeDb(file);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
