import type { StoreHarness } from "./harness.js";

/** Store suite: ill-formed text, numbers and metadata are ValidationErrors before SQL. */
export function registerInputTests(h: StoreHarness): void {
  void h;
}
