import { ValidationError } from "../errors.js";
import { defineExtension } from "./define.js";
import { type ExtensionHandle, makeHandle } from "./handle.js";
import { runExtensionMigrations } from "./migrate.js";
import { storeInternals } from "./registry.js";
import type { StoreExtension } from "./types.js";

/**
 * Brings an extension's tables up to date on an open store (see
 * `runExtensionMigrations`: one write transaction per migration, safe when
 * several processes attach at once), adds its checks to
 * `store.integrity.check`, and returns the handle the package works
 * through. Attaching the same extension again only re-reads its version.
 * `openStore({ extensions })` does the same at open.
 *
 * @throws ValidationError when `store` is not a store from `openStore`, or the extension is malformed.
 * @throws ExtensionSchemaTooNewError when the file has a newer version of the extension's tables.
 */
export async function attachExtension(
  store: object,
  extension: StoreExtension,
): Promise<ExtensionHandle> {
  const inside = storeInternals(store);
  if (!inside) {
    throw new ValidationError("attachExtension", [
      { path: "store", message: "must be a store returned by openStore" },
    ]);
  }
  const ext = defineExtension(extension);
  const other = inside.attached.get(ext.name);
  if (other && other.migrations.length !== ext.migrations.length) {
    throw new ValidationError("attachExtension", [
      { path: "name", message: `another "${ext.name}" extension is attached to this store` },
    ]);
  }
  const migration = await inside.pool.withWriter((conn) =>
    runExtensionMigrations(conn, ext, inside.ctx.clock()),
  );
  inside.attached.set(ext.name, ext);
  return makeHandle(inside.ctx, ext, migration);
}
