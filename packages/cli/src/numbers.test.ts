import { MAX_BUSY_TIMEOUT_MS as LIBRARY_MAX_BUSY_TIMEOUT_MS } from "@llm-sessions/core";
import { describe, expect, it } from "vitest";
import { MAX_BUSY_TIMEOUT_MS, wholeNumber } from "./numbers.js";

describe("--busy-timeout's cap", () => {
  it("is the library's cap, 2^31 - 1", () => {
    expect(MAX_BUSY_TIMEOUT_MS).toBe(LIBRARY_MAX_BUSY_TIMEOUT_MS);
    expect(MAX_BUSY_TIMEOUT_MS).toBe(2 ** 31 - 1);
  });

  it("takes 2147483647 and refuses 2147483648", () => {
    expect(wholeNumber("2147483647", 0, MAX_BUSY_TIMEOUT_MS)).toBe(2 ** 31 - 1);
    expect(wholeNumber("2147483648", 0, MAX_BUSY_TIMEOUT_MS)).toBeUndefined();
  });
});
