import type { MessageRole } from "@llm-sessions/core";
import fc from "fast-check";
import {
  AppendCommand,
  ClockCommand,
  CreateCommand,
  DeleteCommand,
  ForkCommand,
  type InputSpec,
  LifecycleCommand,
  PopCommand,
  type RealStore,
  SearchCommand,
  UpdateCommand,
} from "./commands.js";
import type { StoreModel } from "./state.js";

/** The words message content is made of; search looks for one of them. */
export const MODEL_WORDS = ["amber", "basil", "cedar", "dune", "ember", "fjord"] as const;

const pick = fc.nat(40);
const rarely = fc.nat(9).map((n) => n === 0);
const title = fc.constantFrom(null, "plan", "bug report", "ünïcödé 😀");
const input: fc.Arbitrary<InputSpec> = fc.record({
  role: fc.constantFrom<MessageRole>("user", "assistant", "tool", "system"),
  words: fc.array(fc.constantFrom(...MODEL_WORDS), { minLength: 1, maxLength: 3 }),
  tokens: fc.option(fc.nat(100), { nil: null }),
  key: fc.option(fc.nat(3), { nil: null }),
});

/**
 * The command arbitraries: appends (weighted up: single and batch, with and
 * without keys, some retried), pop, fork, update, delete, archive, restore,
 * touch, clock advance with a sweep, search, and operations on deleted
 * sessions.
 */
export function commandArbitraries(): fc.Arbitrary<fc.AsyncCommand<StoreModel, RealStore>>[] {
  const append = fc
    .tuple(pick, rarely, fc.array(input, { minLength: 1, maxLength: 4 }), fc.boolean())
    .map(([p, ghost, inputs, retried]) => new AppendCommand(p, ghost, inputs, retried));
  return [
    title.map((t) => new CreateCommand(t)),
    title.map((t) => new CreateCommand(t)),
    append,
    append,
    append,
    fc.tuple(pick, rarely).map(([p, ghost]) => new PopCommand(p, ghost)),
    fc.tuple(pick, fc.option(fc.nat(12), { nil: null })).map(([p, at]) => new ForkCommand(p, at)),
    fc.tuple(pick, title).map(([p, t]) => new UpdateCommand(p, t)),
    fc.tuple(pick, rarely).map(([p, ghost]) => new DeleteCommand(p, ghost)),
    fc
      .tuple(pick, fc.constantFrom("archive" as const, "restore" as const, "touch" as const))
      .map(([p, action]) => new LifecycleCommand(p, action)),
    fc
      .tuple(fc.constantFrom(300, 1_000, 1_200, 4_000, 5_000, 9_000, 21_000), fc.nat(4))
      .map(([ms, n]) => new ClockCommand(ms, n > 0)),
    fc.constantFrom(...MODEL_WORDS).map((w) => new SearchCommand(w)),
  ];
}
