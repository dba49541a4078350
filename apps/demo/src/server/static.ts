import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Hono } from "hono";

/** The page's files: `apps/demo/public`, next to `src/` and `dist/`. */
export const PUBLIC_DIR = fileURLToPath(new URL("../../public/", import.meta.url));

const FILES: ReadonlyArray<readonly [path: string, file: string, type: string]> = [
  ["/", "index.html", "text/html; charset=utf-8"],
  ["/index.html", "index.html", "text/html; charset=utf-8"],
  ["/app.js", "app.js", "text/javascript; charset=utf-8"],
  ["/style.css", "style.css", "text/css; charset=utf-8"],
  ["/favicon.svg", "favicon.svg", "image/svg+xml"],
];

/**
 * Serves the page: a fixed list of files read once at start, so no path
 * from a request ever reaches the file system.
 */
export function servePage(app: Hono, dir = PUBLIC_DIR): void {
  for (const [path, file, type] of FILES) {
    const body = readFileSync(join(dir, file));
    app.get(path, (c) => c.body(body, 200, { "content-type": type, "cache-control": "no-cache" }));
  }
}

/**
 * Defense in depth for a page that shows text written by users and models:
 * scripts only from this server (no inline script, no eval), no plugins, no
 * framing, no other origin to talk to. The page builds every node with
 * textContent, so this should never have anything to block.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "x-frame-options": "DENY",
};
