/**
 * `@llm-sessions/cli`: the `llm-sessions` command. Use it from a shell
 * (`npx llm-sessions doctor ./router.db`), or call `main` to embed it.
 */

export { DRIVERS, type DriverName } from "./drivers.js";
export { EXIT } from "./errors.js";
export type { Io } from "./io.js";
export { main } from "./main.js";
export { buildProgram } from "./program.js";
