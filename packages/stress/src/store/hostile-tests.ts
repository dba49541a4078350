import type { StoreHarness } from "./harness.js";

/** Store suite: a seeded run of hostile inputs. */
export function registerHostileTests(h: StoreHarness): void {
  void h;
}
