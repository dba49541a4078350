import type { Outcome } from "./outcome.js";
import { canonical, describe } from "./serialize.js";
import { SECRET_WORDS } from "./world.js";

/** Copies a result with the given keys' values replaced, to see whether only they differ. */
function without(value: unknown, keys: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => without(v, keys));
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = keys.has(k) ? "‹masked›" : without(v, keys);
  return out;
}

function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const from = Math.max(0, i - 60);
  return `world …${describe(a.slice(from, i + 100))}… / twin …${describe(b.slice(from, i + 100))}…`;
}

/**
 * Why the world store answered a compared input differently from its twin,
 * as a label to group by (what differs) and a detail (where).
 */
export function explainDifference(
  world: Outcome,
  twin: Outcome,
  shownWorld: string,
  shownTwin: string,
): { label: string; detail: string } {
  const detail = firstDifference(shownWorld, shownTwin);
  const leaked = SECRET_WORDS.filter((w) => shownWorld.includes(w) && !shownTwin.includes(w));
  if (leaked.length > 0) return { label: `reveals ${leaked.join(", ")}`, detail };
  if (world.ok !== twin.ok) {
    return {
      label: world.ok ? "succeeds only with the secrets" : "fails only with the secrets",
      detail,
    };
  }
  if (!world.ok || !twin.ok) return { label: "a different error", detail };
  const same = (keys: string[]) =>
    canonical(without(world.value, new Set(keys))) ===
    canonical(without(twin.value, new Set(keys)));
  if (same(["nextCursor"])) return { label: "only nextCursor differs", detail };
  if (same(["rank"])) return { label: "only ranks differ", detail };
  if (same(["rank", "nextCursor"])) return { label: "only ranks and nextCursor differ", detail };
  return { label: "a different value", detail };
}
