import { describe, expect, it } from "vitest";
import { Ledger, RecordingSink } from "./ledger.js";
import { taggedContent } from "./tags.js";

const msg = (id: string, tag: string) => ({ id, content: taggedContent(tag, null, "w") });

describe("Ledger", () => {
  it("does not depend on the order writers record in", () => {
    const a = new Ledger();
    a.created("s");
    a.appended("s", [msg("1", "tax1")]);
    a.popped("s", msg("1", "tax1"));
    a.appended("s", [msg("2", "tax1")]);
    const b = new Ledger();
    b.appended("s", [msg("2", "tax1")]);
    b.popped("s", msg("1", "tax1"));
    b.appended("s", [msg("1", "tax1")]);
    b.created("s");
    expect([...(b.sessions.get("s")?.acked.get("tax1") ?? [])].sort()).toEqual(
      [...(a.sessions.get("s")?.acked.get("tax1") ?? [])].sort(),
    );
    expect(b.sessions.get("s")?.popped.has("1")).toBe(true);
  });

  it("merges a child's record", () => {
    const sink = new RecordingSink();
    sink.created("s");
    sink.appended("s", [msg("1", "tax1"), msg("2", "tax2")]);
    sink.deleted("t");
    const ledger = new Ledger();
    ledger.merge(JSON.parse(JSON.stringify(sink.record)));
    expect(ledger.ackedCount).toBe(2);
    expect(ledger.sessions.get("t")?.deleted).toBe(true);
  });
});
