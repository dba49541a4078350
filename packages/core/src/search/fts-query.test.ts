import { describe, expect, it } from "vitest";
import { toFtsQuery } from "./fts-query.js";

describe("toFtsQuery", () => {
  it("quotes every word so operators are plain words", () => {
    expect(toFtsQuery("reset password")).toBe('"reset" "password"');
    expect(toFtsQuery("a AND b OR NOT c")).toBe('"a" "AND" "b" "OR" "NOT" "c"');
    expect(toFtsQuery('say "hi"')).toBe('"say" """hi"""');
    expect(toFtsQuery("NEAR(a b)")).toBe('"NEAR(a" "b)"');
    expect(toFtsQuery("col:umn -x ^y")).toBe('"col:umn" "-x" "^y"');
  });

  it("keeps a trailing * as a prefix search", () => {
    expect(toFtsQuery("pass*")).toBe('"pass"*');
    expect(toFtsQuery("pass**")).toBe('"pass"*');
    expect(toFtsQuery("*")).toBeNull();
  });

  it("drops words with nothing searchable and control characters", () => {
    expect(toFtsQuery("- ( ) :")).toBeNull();
    expect(toFtsQuery("a\u0000b")).toBe('"a" "b"');
    expect(toFtsQuery("日本語 😀 x")).toBe('"日本語" "x"');
  });
});
