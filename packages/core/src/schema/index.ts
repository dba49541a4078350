export { MIGRATIONS, type Migration, SCHEMA_VERSION } from "./migrations.js";
export { type MigrationResult, runMigrations } from "./run-migrations.js";
