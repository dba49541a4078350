#!/usr/bin/env node
// Docs check (part of `npm test`): every relative link in the repo's Markdown
// files, and every file a document names in backticks (`docs/operations.md`,
// `src/store.ts`), must exist in the repo; nothing may point outside it. A
// renamed or deleted file then fails the tests instead of leaving a reader
// with a dead reference.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));

/**
 * Files that documents name but that only exist after a step the reader
 * runs (a build, a release, a benchmark run), or that name a file in the
 * user's own project. Each with the reason it may be missing here.
 */
const GENERATED = new Map([
  ["CHANGELOG.md", "written by `changeset version` at release"],
  ["docs/api/", "written by `npm run docs`"],
  ["./demo-data/router.db", "the demo's database, created when it first runs"],
  ["bench/.data", "the bench's cache of template databases, created on its first run"],
  ["bench/.data/templates", "the bench's cache of template databases, created on its first run"],
  ["stress-report.json", "written by the stress runner"],
  ["ext.json", "an example of a user's file"],
  ["./x.js", "an example of a user's file"],
  ["./x.ts", "an example of a user's file"],
]);

const FILE_EXTENSIONS = /\.(ts|tsx|mts|cts|js|mjs|cjs|json|md|sh|ya?ml|toml)$/;
const PATH_START = /^(\.{1,2}\/|packages\/|apps\/|docs\/|bench\/|scripts\/|src\/|test\/|\.ci\/)/;

const markdown = execFileSync("git", ["ls-files", "*.md"], { cwd: root, encoding: "utf8" })
  .split("\n")
  .filter((f) => f && !f.includes("node_modules") && !f.endsWith("CHANGELOG.md"));

/** The nearest directory at or above `dir` (inside the repo) that has a package.json. */
function packageRoot(dir) {
  for (let d = dir; d.startsWith(root); d = dirname(d)) {
    if (existsSync(join(d, "package.json"))) return d;
    if (d === root) break;
  }
  return root;
}

const inside = (path) => path === root || path.startsWith(root + sep);

/** Blanks fenced code blocks (their contents are examples, not references), keeping line numbers. */
function prose(text) {
  return text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, (block) =>
    block.replace(/[^\n]/g, ""),
  );
}

const problems = [];
let checked = 0;
for (const file of markdown) {
  const abs = join(root, file);
  const dir = dirname(abs);
  const text = prose(readFileSync(abs, "utf8"));
  const lineOf = (index) => text.slice(0, index).split("\n").length;

  for (const m of text.matchAll(/\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    const target = m[1];
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("#")) continue;
    const path = resolve(dir, decodeURIComponent(target.split("#")[0]));
    checked += 1;
    if (!inside(path))
      problems.push(`${file}:${lineOf(m.index)}: link points outside the repo: ${target}`);
    else if (!existsSync(path))
      problems.push(`${file}:${lineOf(m.index)}: link to a missing file: ${target}`);
  }

  for (const m of text.matchAll(/`([^`\s]+)`/g)) {
    // An ellipsis marks an example (`file:...`), not a file.
    if (m[1].includes("...")) continue;
    const token = m[1].replace(/[:#].*$/, "");
    // A bare extension (`.ts`, `.d.ts`) names a kind of file, not a file.
    if (/^(\.[a-z]+)+$/.test(token)) continue;
    if (!FILE_EXTENSIONS.test(token) && !PATH_START.test(token)) continue;
    if (/[*<>{}$]|node_modules|^dist\/|\/dist\/|^@/.test(token)) continue;
    if (!token.includes("/") && !FILE_EXTENSIONS.test(token)) continue;
    checked += 1;
    if (!inside(resolve(dir, token))) {
      problems.push(`${file}:${lineOf(m.index)}: names a file outside the repo: ${token}`);
      continue;
    }
    if (GENERATED.has(token)) continue;
    const candidates = [dir, packageRoot(dir), root].map((base) => resolve(base, token));
    // A bare file name (`store.ts`) may live anywhere under the document's package.
    const found =
      candidates.some((c) => inside(c) && existsSync(c)) ||
      (!token.includes("/") && gitHas(relative(root, packageRoot(dir)), token));
    if (!found)
      problems.push(`${file}:${lineOf(m.index)}: names a file that does not exist: ${token}`);
  }
}

function gitHas(under, name) {
  const listed = execFileSync("git", ["ls-files", "--", under || "."], {
    cwd: root,
    encoding: "utf8",
  });
  return listed.split("\n").some((f) => f === name || f.endsWith(`/${name}`));
}

if (problems.length > 0) {
  console.error(
    `Docs check: ${problems.length} broken reference(s) in ${markdown.length} documents:`,
  );
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log(`Docs check: ${checked} references in ${markdown.length} documents, all resolve.`);
