import type { StoreHarness } from "./harness.js";

/** Store suite: tenants never observe each other; the root store's scope. */
export function registerTenantTests(h: StoreHarness): void {
  void h;
}
