import dns from "node:dns";

/** sqld's rule for a namespace name: a DNS label (it is read from the Host header). */
const NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Creates namespace `name` through sqld's admin API and returns its URLs.
 * An existing namespace is kept as it is (creating it again is not an error).
 *
 * @throws Error for a name that is not a DNS label, or when the server refuses.
 */
export async function createNamespace(
  adminUrl: string,
  httpUrl: string,
  name: string,
): Promise<{ httpUrl: string; wsUrl: string }> {
  if (!NAME.test(name)) {
    throw new Error(`sqld namespace ${JSON.stringify(name)} must be a lower-case DNS label`);
  }
  const response = await fetch(`${adminUrl}/v1/namespaces/${name}/create`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  if (!response.ok) {
    const body = await response.text();
    if (!/already exists/i.test(body)) {
      throw new Error(`sqld could not create namespace ${name} (${response.status}): ${body}`);
    }
  }
  const url = new URL(httpUrl);
  url.hostname = `${name}.localhost`;
  const http = url.origin;
  return { httpUrl: http, wsUrl: http.replace(/^http:/, "ws:") };
}

let installed = false;

/**
 * Makes this process resolve every `<name>.localhost` to 127.0.0.1, as RFC
 * 6761 says a resolver should and browsers do, but glibc does not: the
 * namespace URLs of {@link createNamespace} need it. Patches `dns.lookup`,
 * which Node's `net` (so `http`, `fetch` and WebSocket clients) calls for
 * every host name; other names resolve as before. Idempotent.
 */
export function resolveLocalhostSubdomains(): void {
  if (installed) return;
  installed = true;
  const original = dns.lookup;
  const patched = ((hostname: string, ...rest: unknown[]) => {
    const host =
      typeof hostname === "string" && /\.localhost$/i.test(hostname) ? "127.0.0.1" : hostname;
    return (original as (...args: unknown[]) => unknown)(host, ...rest);
  }) as typeof dns.lookup;
  dns.lookup = patched;
}
