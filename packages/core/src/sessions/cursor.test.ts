import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.js";
import { decodeCursor, encodeCursor } from "./cursor.js";

describe("cursors", () => {
  it("round-trip their key", () => {
    const c = encodeCursor([123, "abc"]);
    expect(decodeCursor("t", c, ["number", "string"] as const)).toEqual([123, "abc"]);
  });

  it("reject anything this store did not issue", () => {
    for (const bad of [
      "",
      "%%%",
      encodeCursor(["abc", 1]),
      encodeCursor([1]),
      Buffer.from("{}").toString("base64url"),
    ]) {
      expect(() => decodeCursor("t", bad, ["number", "string"] as const)).toThrow(ValidationError);
    }
  });
});
