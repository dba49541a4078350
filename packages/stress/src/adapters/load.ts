import { createRequire } from "node:module";
import { isAbsolute, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { SqliteDriver } from "@llm-sessions/core";
import { type AdapterSpec, optionsFor } from "./spec.js";

/** An adapter's factory, as the spec names it. */
export type DriverFactory = (options: unknown) => SqliteDriver | Promise<SqliteDriver>;

const factories = new Map<string, Promise<DriverFactory>>();

/**
 * Imports `spec.module` and returns its `spec.export`. A package name is
 * resolved from this package first, then from the working directory (so an
 * adapter package can test itself by name).
 *
 * @throws TypeError when the export is missing or not a function.
 */
export function loadFactory(spec: AdapterSpec): Promise<DriverFactory> {
  const key = `${spec.module}#${spec.export}`;
  let found = factories.get(key);
  if (!found) {
    found = importModule(spec.module).then((mod) => {
      const factory = (mod as Record<string, unknown>)[spec.export];
      if (typeof factory !== "function") {
        throw new TypeError(
          `adapter ${spec.name}: ${JSON.stringify(spec.module)} has no function export ${JSON.stringify(spec.export)}`,
        );
      }
      return factory as DriverFactory;
    });
    found.catch(() => factories.delete(key));
    factories.set(key, found);
  }
  return found;
}

/** Builds a driver for the database at `path` from the spec. */
export async function createDriver(spec: AdapterSpec, path: string): Promise<SqliteDriver> {
  const factory = await loadFactory(spec);
  return factory(optionsFor(spec, path));
}

async function importModule(specifier: string): Promise<unknown> {
  try {
    return await resolveAndImport(specifier);
  } catch (error) {
    if ((error as { code?: string }).code === "ERR_UNKNOWN_FILE_EXTENSION") {
      throw new Error(
        `cannot import ${specifier}: TypeScript needs a loader in this process too; run node --import @llm-sessions/stress/loader/register.mjs ..., or point the spec at compiled JavaScript`,
        { cause: error },
      );
    }
    throw error;
  }
}

async function resolveAndImport(specifier: string): Promise<unknown> {
  if (specifier.startsWith("file:")) return import(specifier);
  if (isAbsolute(specifier)) return import(pathToFileURL(specifier).href);
  try {
    return await import(specifier);
  } catch (error) {
    if ((error as { code?: string }).code !== "ERR_MODULE_NOT_FOUND") throw error;
    const require = createRequire(join(process.cwd(), "package.json"));
    let resolved: string;
    try {
      resolved = require.resolve(specifier);
    } catch {
      throw error;
    }
    return import(pathToFileURL(resolved).href);
  }
}
