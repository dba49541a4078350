import type { Store } from "@llm-sessions/core";
import { Hono } from "hono";
import type { Simulation } from "../simulation.js";
import { HttpError, toHttpError } from "./errors.js";
import { hostOf, LOOPBACK_HOSTS } from "./hosts.js";
import { type DemoInfo, liveRoutes } from "./routes/live.js";
import { searchRoutes } from "./routes/search.js";
import { sessionRoutes } from "./routes/sessions.js";
import { PUBLIC_DIR, SECURITY_HEADERS, servePage } from "./static.js";

export interface AppOptions {
  /** What the page's header shows about the run. */
  readonly info?: DemoInfo;
  /**
   * Host names the server answers to (the `Host` header, without port); any
   * other is refused with 403, so a web page elsewhere cannot reach the API
   * by pointing its own domain at this machine (DNS rebinding). Default:
   * `LOOPBACK_HOSTS`; `allowedHostsFor(bindAddress)` gives the list for a
   * server bound elsewhere.
   */
  readonly allowedHosts?: readonly string[];
  /** Where index.html, app.js and style.css are. Default: the package's `public/`. */
  readonly publicDir?: string;
  /** Called with errors that become a 500. Default: `console.error`. */
  readonly onError?: (error: unknown) => void;
}

export { allowedHostsFor, LOOPBACK_HOSTS } from "./hosts.js";

/**
 * The demo's web app: the page and the JSON API under `/api` it uses. No
 * socket here: `app.request("/api/sessions")` works in tests, and `main.ts`
 * serves `app.fetch` with @hono/node-server.
 */
export function createApp(store: Store, sim: Simulation, options: AppOptions = {}): Hono {
  const app = new Hono();
  const info = options.info ?? { driver: "unknown", database: "unknown" };
  const onError = options.onError ?? ((error: unknown) => console.error(error));
  const allowed = new Set((options.allowedHosts ?? LOOPBACK_HOSTS).map((h) => h.toLowerCase()));

  app.use("*", async (c, next) => {
    // Without a Host header (not a browser), the host the server put in the URL.
    if (!allowed.has(hostOf(c.req.header("host") ?? new URL(c.req.url).host))) {
      throw new HttpError(
        403,
        "FORBIDDEN_HOST",
        "this server does not answer to that host name (see --host)",
      );
    }
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
    if (c.req.path.startsWith("/api/")) c.res.headers.set("cache-control", "no-store");
  });

  app.route("/api/sessions", sessionRoutes(store, sim));
  app.route("/api/search", searchRoutes(store));
  app.route("/", liveRoutes(store, sim, info));
  app.all("/api/*", () => {
    throw new HttpError(404, "NOT_FOUND", "no such API route");
  });
  servePage(app, options.publicDir ?? PUBLIC_DIR);

  app.notFound((c) =>
    c.req.path.startsWith("/api/")
      ? c.json({ error: { code: "NOT_FOUND", message: "no such API route" } }, 404)
      : c.text("not found", 404),
  );
  app.onError((error, c) => {
    const { status, body, retryAfter } = toHttpError(error);
    if (status === 500) onError(error);
    const response = c.json(body, status);
    if (retryAfter !== undefined) response.headers.set("retry-after", String(retryAfter));
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.headers.set(name, value);
    response.headers.set("cache-control", "no-store");
    return response;
  });
  return app;
}
