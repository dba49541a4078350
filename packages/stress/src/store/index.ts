import { describe, expect, it } from "vitest";
import { registerApiTests } from "./api-tests.js";
import { registerBackupTests } from "./backup-tests.js";
import { registerChatApiTests } from "./chat-api-tests.js";
import { registerConcurrencyTests } from "./concurrency-tests.js";
import { registerCorruptionTests } from "./corruption-tests.js";
import { registerExtensionTests } from "./extension-tests.js";
import { registerFileSafetyTests } from "./file-safety-tests.js";
import { type StoreSuiteOptions, useStoreHarness } from "./harness.js";
import { registerHostileTests } from "./hostile-tests.js";
import { registerInputTests } from "./input-tests.js";
import { registerIntegrityTests } from "./integrity-tests.js";
import { registerLegacyTests } from "./legacy-tests.js";
import { registerLifecycleTests } from "./lifecycle-tests.js";
import { registerMaintenanceTests } from "./maintenance-tests.js";
import { registerMetricsTests } from "./metrics-tests.js";
import { registerMigrationTests } from "./migration-tests.js";
import { registerOperationsTests } from "./operations-tests.js";
import { registerPartsTests } from "./parts-tests.js";
import { registerPropertyTests } from "./property-tests.js";
import { registerQueryPlanTests } from "./query-plan-tests.js";
import { registerRecoveryTests } from "./recovery-tests.js";
import { registerSearchIndexTests } from "./search-index-tests.js";
import { registerSearchTests } from "./search-tests.js";
import { registerTenantTests } from "./tenant-tests.js";
import { registerWalTests } from "./wal-tests.js";
import { registerWindowModelTests } from "./window-model-tests.js";
import { registerWindowsTests } from "./windows-tests.js";

export type { CreateDriver } from "../conformance/index.js";
export { expectSound, ManualClock, type StoreSuiteOptions } from "./harness.js";
export { type PlannedStatement, recordingDriver } from "./recording-driver.js";

/**
 * Registers the store suites (API rules, concurrency in one process,
 * fast-check properties, query plans, integrity check and repair, damaged
 * files and torn WALs, v0 migration, ...) against one adapter. Call it from a
 * vitest test file:
 *
 * ```ts
 * runStoreSuite({ name: "my-driver", createDriver: ({ path }) => myDriver(path) });
 * ```
 */
export function runStoreSuite(options: StoreSuiteOptions): void {
  const full = options.profile === "full";
  describe(`store: ${options.name}`, () => {
    const skip = options.skip ?? {};
    for (const [id, reason] of Object.entries(skip)) {
      if (!reason.trim()) throw new Error(`runStoreSuite: skip.${id} needs a written reason`);
    }
    const h = useStoreHarness(options.createDriver, skip);
    registerApiTests(h);
    registerPartsTests(h);
    registerWindowsTests(h);
    registerOperationsTests(h);
    registerWindowModelTests(h, full ? 200 : 25);
    registerConcurrencyTests(h, full ? 10 : 1);
    registerPropertyTests(h, full ? 200 : 25);
    registerQueryPlanTests(h);
    registerSearchIndexTests(h);
    registerLifecycleTests(h, full ? 100 : 15);
    registerWalTests(h);
    registerIntegrityTests(h);
    registerCorruptionTests(h);
    registerLegacyTests(h);
    registerMigrationTests(h);
    registerBackupTests(h);
    registerMaintenanceTests(h);
    registerMetricsTests(h);
    registerInputTests(h);
    registerTenantTests(h);
    registerSearchTests(h);
    registerChatApiTests(h);
    registerFileSafetyTests(h);
    registerHostileTests(h, full ? 3000 : 600);
    registerRecoveryTests(h);
    registerExtensionTests(h);
    // Nested describe bodies run in order after this one, so the check that
    // every skipped id exists goes in a describe registered last.
    describe("skip list", () => {
      it("[meta.skip-list] every skipped id names a test of this suite", () => {
        expect(Object.keys(skip).filter((id) => !h.ids.has(id))).toEqual([]);
      });
    });
  });
}
