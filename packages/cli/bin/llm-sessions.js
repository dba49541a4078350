#!/usr/bin/env node
// The `bin` target. npm links bins when it installs, and in a clone that is
// before `npm run build` makes dist/: a bin pointing into dist/ would not be
// linked, and `npx llm-sessions` would then ask the registry. This file is
// committed, so the link always exists; it loads the built command.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const built = new URL("../dist/bin.js", import.meta.url);
if (!existsSync(fileURLToPath(built))) {
  process.stderr.write(
    `llm-sessions: ${fileURLToPath(built)} is missing: build first (npm run build)\n`,
  );
  process.exit(1);
}
await import(built.href);
