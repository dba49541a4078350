export {
  detectLegacyV0,
  LEGACY_ROLES,
  type LegacyV0Counts,
  type LegacyV0Layout,
  migrateLegacyV0InTx,
} from "./legacy-v0.js";
export { MIGRATIONS, type Migration, SCHEMA_VERSION } from "./migrations.js";
export { type MigrationResult, runMigrations } from "./run-migrations.js";
