export { admitFile } from "./admit-file.js";
export {
  detectLegacyV0,
  LEGACY_ROLES,
  type LegacyV0Counts,
  type LegacyV0Layout,
  migrateLegacyV0InTx,
} from "./legacy-v0.js";
export { MIGRATIONS, type Migration, SCHEMA_VERSION, STORE_APPLICATION_ID } from "./migrations.js";
export { type MigrationResult, runMigrations } from "./run-migrations.js";
