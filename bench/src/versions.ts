/** Versions of the packages a run depends on, read from their package.json. */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export function packageVersion(name: string): string {
  try {
    let dir = path.dirname(fileURLToPath(import.meta.resolve(name)));
    for (;;) {
      const file = path.join(dir, "package.json");
      if (fs.existsSync(file)) {
        const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as {
          name?: string;
          version?: string;
        };
        if (pkg.name === name) return pkg.version ?? "?";
      }
      const up = path.dirname(dir);
      if (up === dir) return "?";
      dir = up;
    }
  } catch {
    return "?";
  }
}
