import { describe, expect, it } from "vitest";
import { parseContent, TagMaker, taggedContent } from "./tags.js";

describe("tags", () => {
  it("round-trips tags and batch marks", () => {
    const tags = new TagMaker("p3");
    const batch = tags.batch(4);
    const tag = tags.tag();
    expect(parseContent(taggedContent(tag, batch, "alpha bravo"))).toEqual({
      tag: "tp3x1",
      batch: { token: "bp3x1n4", size: 4 },
    });
    expect(parseContent(taggedContent(tags.tag(), null, "x"))).toEqual({
      tag: "tp3x2",
      batch: null,
    });
  });

  it("ignores content no suite wrote", () => {
    expect(parseContent("hello world")).toBeNull();
    expect(parseContent("")).toBeNull();
  });

  it("refuses writer ids that would not be one search token", () => {
    expect(() => new TagMaker("a-b")).toThrow();
  });
});
