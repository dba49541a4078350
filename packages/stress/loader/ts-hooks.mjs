/**
 * Node module hooks that let a child process run TypeScript sources, so that a
 * child runs the same code as the vitest process that spawned it.
 *
 * - `./x.js` imported from a `.ts` file resolves to `./x.ts` when that exists
 *   (the `.js` suffix convention of NodeNext sources).
 * - A bare specifier of a package that is linked from a workspace (its real
 *   path is not inside node_modules) and whose export is `./dist/<p>.js`
 *   resolves to `./src/<p>.ts` when that exists (tsc's rootDir src, outDir dist).
 * - `.ts` files are transpiled with `typescript`'s `transpileModule` (types
 *   stripped, no type check), cached on disk by content hash.
 */
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const CACHE_DIR = join(tmpdir(), "llm-sessions-stress-ts-cache");
const TS = /\.[mc]?ts$/;
let ts;

export async function resolve(specifier, context, nextResolve) {
  const parent = context.parentURL;
  if (parent && TS.test(parent) && /^\.\.?\//.test(specifier) && specifier.endsWith(".js")) {
    const url = new URL(`${specifier.slice(0, -3)}.ts`, parent);
    if (existsSync(fileURLToPath(url))) return { url: url.href, shortCircuit: true };
  }
  if (isBare(specifier)) {
    const source = await workspaceSource(specifier, context, nextResolve);
    if (source) return { url: source, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith("file:") || !TS.test(new URL(url).pathname)) return nextLoad(url, context);
  const path = fileURLToPath(url);
  const source = readFileSync(path, "utf8");
  return { format: "module", source: await transpile(path, source), shortCircuit: true };
}

function isBare(specifier) {
  return !/^(\.|\/|[a-z][a-z0-9+.-]*:)/i.test(specifier);
}

async function workspaceSource(specifier, context, nextResolve) {
  const parts = specifier.split("/");
  const nameLength = specifier.startsWith("@") ? 2 : 1;
  const name = parts.slice(0, nameLength).join("/");
  const subpath = parts.length > nameLength ? `./${parts.slice(nameLength).join("/")}` : ".";
  let manifestPath;
  try {
    const found = await nextResolve(`${name}/package.json`, context);
    manifestPath = realpathSync(fileURLToPath(found.url));
  } catch {
    return undefined;
  }
  if (manifestPath.split(/[\\/]/).includes("node_modules")) return undefined;
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  const target = pickTarget(
    manifest.exports?.[subpath] ?? (subpath === "." ? manifest.main : undefined),
  );
  const match = typeof target === "string" ? /^\.\/dist\/(.+)\.js$/.exec(target) : null;
  if (!match) return undefined;
  const source = join(manifestPath, "..", "src", `${match[1]}.ts`);
  return existsSync(source) ? pathToFileURL(source).href : undefined;
}

function pickTarget(entry) {
  if (typeof entry === "string" || entry == null) return entry;
  return pickTarget(entry.import ?? entry.node ?? entry.default);
}

async function transpile(path, source) {
  const key = createHash("sha256").update(path).update("\0").update(source).digest("hex");
  const cached = join(CACHE_DIR, `${key}.mjs`);
  if (existsSync(cached)) return readFileSync(cached, "utf8");
  if (!ts) {
    try {
      ts = (await import("typescript")).default;
    } catch (error) {
      throw new Error(
        `@llm-sessions/stress: running ${path} needs the "typescript" package (install it, or point the adapter spec at compiled JavaScript)`,
        { cause: error },
      );
    }
  }
  const { outputText } = ts.transpileModule(source, {
    fileName: path,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
      inlineSourceMap: true,
      inlineSources: true,
    },
  });
  mkdirSync(CACHE_DIR, { recursive: true });
  const temp = `${cached}.${process.pid}.tmp`;
  writeFileSync(temp, outputText);
  renameSync(temp, cached);
  return outputText;
}
