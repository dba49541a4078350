import { hostname as machineName, networkInterfaces } from "node:os";

/** The loopback names the server always answers to. */
export const LOOPBACK_HOSTS: readonly string[] = ["127.0.0.1", "localhost", "[::1]"];

/** Bind addresses that mean "every interface of this machine". */
const WILDCARDS = new Set(["0.0.0.0", "::", "[::]", ""]);

/** `::1` → `[::1]` (as it appears in a `Host` header); names and IPv4 as they are. */
function asHostHeader(host: string): string {
  const h = host.toLowerCase();
  return h.includes(":") && !h.startsWith("[") ? `[${h}]` : h;
}

/**
 * The `Host` names a server bound to `bind` answers to, whatever the bind
 * address: the loopback names, the bound host itself, and for a wildcard
 * bind (`0.0.0.0`, `::`) this machine's addresses and its host name. Any
 * other name is refused: a page of another site that points its own domain
 * at this machine (DNS rebinding) sends that domain as `Host`.
 */
export function allowedHostsFor(bind: string): string[] {
  const hosts = new Set(LOOPBACK_HOSTS);
  const b = bind.trim().toLowerCase();
  if (!WILDCARDS.has(b)) {
    hosts.add(asHostHeader(b));
    return [...hosts];
  }
  for (const list of Object.values(networkInterfaces())) {
    for (const address of list ?? []) {
      // A link-local IPv6 address carries a zone (`fe80::1%eth0`), which no Host header does.
      if (!address.address.includes("%")) hosts.add(asHostHeader(address.address));
    }
  }
  hosts.add(machineName().toLowerCase());
  return [...hosts];
}

/** The host name of a `Host` header, without the port: `[::1]:3000` → `[::1]`. */
export function hostOf(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith("[")) return h.slice(0, h.indexOf("]") + 1);
  return h.split(":")[0] ?? "";
}
