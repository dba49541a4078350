/**
 * Template databases (built once per schema and size, then reused by later
 * runs) and the working copies each run measures on.
 */
import { fork } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { MIGRATIONS } from "@llm-sessions/core";
import { contentOf, sizeLabel } from "./data.js";
import { progress } from "./progress.js";
import { packageVersion } from "./versions.js";

export const HERE = path.dirname(fileURLToPath(import.meta.url));

export type TemplateKind = "store" | "mastra";

/** Changes whenever the template's content would: the store's schema, the corpus, Mastra's version. */
function templateKey(kind: TemplateKind): string {
  const h = createHash("sha256");
  // "seed-v3": templates index their queued messages (schema v3) per seeding transaction.
  h.update(`corpus-v1:seed-v3:${contentOf(0)}:${contentOf(12_345)}`);
  if (kind === "store") h.update(JSON.stringify(MIGRATIONS));
  else h.update(`mastra:${packageVersion("@mastra/libsql")}:${packageVersion("@mastra/core")}`);
  return h.digest("hex").slice(0, 12);
}

/** The path of a ready template, building it first if needed. */
export async function template(
  dataDir: string,
  kind: TemplateKind,
  messages: number,
): Promise<string> {
  const dir = path.join(dataDir, "templates");
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${kind}-${sizeLabel(messages)}-${templateKey(kind)}.db`);
  if (fs.existsSync(file)) return file;
  // Older templates of this kind and size (another schema) are dropped.
  for (const old of fs.readdirSync(dir)) {
    if (old.startsWith(`${kind}-${sizeLabel(messages)}-`))
      fs.rmSync(path.join(dir, old), { force: true });
  }
  const building = `${file}.building`;
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = fork(path.join(HERE, "seed.js"), [kind, String(messages), building], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    child.on("message", (m: { progress?: number }) => {
      if (m.progress !== undefined) {
        progress(
          `building the ${kind} template of ${sizeLabel(messages)} messages: ${Math.round((100 * m.progress) / messages)}%`,
        );
      }
    });
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`seeding ${kind} ${messages} failed (exit ${code})`)),
    );
  });
  for (const suffix of ["-wal", "-shm"]) fs.rmSync(building + suffix, { force: true });
  fs.renameSync(building, file);
  progress(
    `built the ${kind} template of ${sizeLabel(messages)} messages in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    true,
  );
  return file;
}

/** Copies a template to a working file (and removes any WAL of an older copy). */
export function workingCopy(templateFile: string, file: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  removeDb(file);
  fs.copyFileSync(templateFile, file);
  return file;
}

export function removeDb(file: string): void {
  for (const suffix of ["", "-wal", "-shm", "-journal"]) fs.rmSync(file + suffix, { force: true });
}
