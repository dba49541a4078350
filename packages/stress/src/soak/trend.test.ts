import { describe, expect, it } from "vitest";
import { trend } from "./trend.js";

describe("trend", () => {
  it("calls a steady climb growing", () => {
    const climb = Array.from({ length: 12 }, (_, i) => 100 + i * 20);
    expect(trend(climb, 64, 1.2).growing).toBe(true);
  });

  it("does not call a plateau, noise or a small rise growing", () => {
    expect(trend([100, 130, 150, 155, 150, 152, 151, 153, 150], 64, 1.2).growing).toBe(false);
    expect(trend([100, 90, 110, 95, 105, 100, 98, 102, 101], 64, 1.2).growing).toBe(false);
    expect(trend([100, 101, 102, 103, 104, 105, 106, 107, 108], 64, 1.2).growing).toBe(false);
  });
});
