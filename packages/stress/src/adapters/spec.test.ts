import { describe, expect, it } from "vitest";
import { optionsFor, validateSpec } from "./spec.js";

const spec = {
  name: "x",
  module: "m",
  export: "e",
  options: { url: "file:{path}", nested: ["{path}"], n: 1 },
};

describe("adapter specs", () => {
  it("puts the database path wherever {path} is", () => {
    expect(optionsFor(spec, "/tmp/a.db")).toEqual({
      url: "file:/tmp/a.db",
      nested: ["/tmp/a.db"],
      n: 1,
    });
  });

  it("rejects a spec with a missing field or an unknown key", () => {
    expect(() => validateSpec({ ...spec, export: "" })).toThrow(/adapter.export/);
    expect(() => validateSpec({ ...spec, extra: 1 } as never)).toThrow(/unknown key extra/);
    expect(validateSpec(spec)).toBe(spec);
  });
});
