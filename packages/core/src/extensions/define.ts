import { ValidationError } from "../errors.js";
import type { StoreExtension } from "./types.js";

const NAME = /^[a-z][a-z0-9_]{0,39}$/;

/**
 * Validates an extension's shape (name, versions 1..n without gaps, checks)
 * and returns it frozen. Call it once, at module level, in the package that
 * owns the tables.
 *
 * @throws ValidationError when the name or the chain is malformed.
 */
export function defineExtension(extension: StoreExtension): StoreExtension {
  const issues: { path: string; message: string }[] = [];
  if (!NAME.test(extension.name)) {
    issues.push({
      path: "name",
      message: "must match [a-z][a-z0-9_]* and be at most 40 characters",
    });
  }
  extension.migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      issues.push({
        path: `migrations.${i}.version`,
        message: `must be ${i + 1} (versions are 1..n in order)`,
      });
    }
    if (m.statements.length === 0) {
      issues.push({ path: `migrations.${i}.statements`, message: "must not be empty" });
    }
  });
  if (extension.migrations.length === 0) {
    issues.push({ path: "migrations", message: "must have at least one migration" });
  }
  for (const [i, c] of (extension.checks ?? []).entries()) {
    if (!/^[a-z][a-z0-9-]*$/.test(c.check)) {
      issues.push({ path: `checks.${i}.check`, message: "must match [a-z][a-z0-9-]*" });
    }
  }
  if (issues.length > 0) throw new ValidationError("defineExtension", issues);
  return Object.freeze({
    name: extension.name,
    migrations: Object.freeze(extension.migrations.map((m) => Object.freeze({ ...m }))),
    checks: Object.freeze([...(extension.checks ?? [])]),
  });
}

/** The newest version of an extension's chain. */
export function latestVersion(extension: StoreExtension): number {
  return extension.migrations[extension.migrations.length - 1]?.version ?? 0;
}
