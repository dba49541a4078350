// Registers ts-hooks.mjs: `node --import @llm-sessions/stress/loader/register.mjs child.ts`.
// The suites add it to a child process when they run from TypeScript sources
// (this repository's tests) or when the adapter module is a .ts file.
import { register } from "node:module";

register("./ts-hooks.mjs", import.meta.url);
