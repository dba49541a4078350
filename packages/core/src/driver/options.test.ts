import { describe, expect, it } from "vitest";
import { checkFilename, checkOptionKeys } from "./options.js";

const KEYS = new Set(["filename", "readonly"]);

describe("checkOptionKeys", () => {
  it("accepts an object of known keys", () => {
    expect(() => checkOptionKeys("drv", { filename: "x.db", readonly: true }, KEYS)).not.toThrow();
  });

  it.each([
    ["a typo", { filename: "x.db", readOnly: true }, /drv: unknown option "readOnly"/],
    ["null", null, /drv: options must be an object/],
    ["a string", "x.db", /drv: options must be an object/],
  ])("refuses %s with MISUSE", (_, options, message) => {
    expect(() => checkOptionKeys("drv", options, KEYS)).toThrow(
      expect.objectContaining({ code: "MISUSE", message: expect.stringMatching(message) }),
    );
  });
});

describe("checkFilename", () => {
  it.each(["x.db", "./file:x.db", "/tmp/a b.db", ":memory:", "", "emoji-\u{1F600}.db"])(
    "accepts %j",
    (filename) => {
      expect(() => checkFilename("drv", filename)).not.toThrow();
    },
  );

  it.each([
    ["a number", 3, /filename must be a string/],
    ["a URI", "file:x.db?mode=ro", /URI filenames are not supported.*"\.\/file:x\.db\?mode=ro"/],
    ["a URI in upper case", "FILE:x.db", /URI filenames are not supported/],
    ["a NUL", "x\0evil.db", /NUL/],
    ["a lone surrogate", "x\uD800.db", /well-formed UTF-16/],
  ])("refuses %s with MISUSE", (_, filename, message) => {
    expect(() => checkFilename("drv", filename)).toThrow(
      expect.objectContaining({ code: "MISUSE", message: expect.stringMatching(message) }),
    );
  });
});
