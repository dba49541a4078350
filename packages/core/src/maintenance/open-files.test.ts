import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { canonicalPath, isOpenInThisProcess, registerOpenFile } from "./open-files.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), "llm-sessions-open-files-"));
  dirs.push(d);
  return d;
}

describe("open-files registry", () => {
  it("knows a file under any spelling (relative parts, symlinks) until every holder releases it", () => {
    const d = dir();
    const file = join(d, "a.db");
    writeFileSync(file, "");
    symlinkSync(file, join(d, "link.db"));
    const release1 = registerOpenFile(join(d, ".", "a.db"));
    const release2 = registerOpenFile(file);
    expect(isOpenInThisProcess(join(d, "link.db"))).toBe(true);
    release1();
    release1(); // idempotent: must not release the second holder's claim
    expect(isOpenInThisProcess(file)).toBe(true);
    release2();
    expect(isOpenInThisProcess(file)).toBe(false);
  });

  it("names a file that does not exist yet through its directory's real path", () => {
    const d = dir();
    symlinkSync(d, join(d, "..", `${d.split("/").pop()}-link`));
    dirs.push(`${d}-link`);
    expect(canonicalPath(`${d}-link/new.db`)).toBe(canonicalPath(join(d, "new.db")));
  });

  it("is shared by every copy of the library in the process (a registered global symbol)", () => {
    const d = dir();
    const release = registerOpenFile(join(d, "x.db"));
    const shared = (globalThis as Record<symbol, Map<string, number>>)[
      Symbol.for("@llm-sessions/core:open-database-files")
    ];
    expect(shared?.has(canonicalPath(join(d, "x.db")))).toBe(true);
    release();
  });
});
