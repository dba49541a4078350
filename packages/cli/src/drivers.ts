/**
 * The `--driver` names. Kept apart from the code that opens a store so that
 * `--help` and `--version` parse without loading the library or a driver.
 */

/** The adapters the CLI can use (`--driver`). */
export const DRIVERS = ["better-sqlite", "libsql"] as const;
/** One of `DRIVERS`: the value of `--driver`. */
export type DriverName = (typeof DRIVERS)[number];

/**
 * Other spellings `--driver` accepts: the npm package's name
 * (`better-sqlite3`, as the demo and the package README say it).
 */
export const DRIVER_ALIASES: Readonly<Record<string, DriverName>> = {
  "better-sqlite3": "better-sqlite",
};

/** The driver `name` stands for, or `undefined` for a name the CLI does not know. */
export function driverNamed(name: string): DriverName | undefined {
  const trimmed = name.trim().toLowerCase();
  if ((DRIVERS as readonly string[]).includes(trimmed)) return trimmed as DriverName;
  return DRIVER_ALIASES[trimmed];
}
