import { EXIT } from "../errors.js";
import { bytes, count, json, keyValues, percent, table } from "../format.js";
import { existingDatabase, withStore } from "../target.js";
import type { CommandContext } from "./context.js";

export interface StatsOptions {
  readonly json?: boolean;
}

/**
 * `stats <db>`: sessions by status, usage per model, the file's size and
 * free space, and health against the default thresholds. Exit 0 (it reports;
 * `doctor` is the check).
 */
export async function stats(db: string, opts: StatsOptions, ctx: CommandContext): Promise<number> {
  const { io, globals } = ctx;
  const path = existingDatabase(db, globals.driver);
  const { usage, health } = await withStore(path, globals, async (store) => ({
    usage: await store.stats(),
    health: await store.health(),
  }));
  const m = health.metrics;
  if (opts.json) {
    io.out(
      json({
        stats: usage,
        database: m.database,
        sessions: m.sessions,
        health: { status: health.status, reasons: health.reasons },
      }),
    );
    return EXIT.ok;
  }
  const s = usage.sessions;
  io.out(
    table(
      ["sessions", "active", "idle", "archived", "messages", "tokens"],
      [[s.total, s.active, s.idle, s.archived, usage.messages, usage.tokens].map(count)],
    ),
  );
  if (usage.byModel.length > 0) {
    io.out(
      `\n${table(
        ["model", "sessions", "messages", "tokens"],
        usage.byModel.map((r) => [
          r.model ?? "(none)",
          count(r.sessions),
          count(r.messages),
          count(r.tokens),
        ]),
      )}`,
    );
  }
  const d = m.database;
  io.out(
    `\n${keyValues([
      ["file", `${bytes(d.fileBytes)} (${count(d.pageCount)} pages of ${bytes(d.pageSize)})`],
      [
        "free pages",
        `${count(d.freelistCount)} (${percent(d.freeRatio)}; \`llm-sessions vacuum\` gives them back)`,
      ],
      ["WAL", bytes(d.walBytes)],
      ["health", health.status],
      ...health.reasons.map((r): [string, string] => [`  ${r.level}`, r.message]),
    ])}`,
  );
  return EXIT.ok;
}
