// Module hooks for a child process: importing the library or a driver fails,
// so a command that answers proves it never loaded them.
const DENIED =
  /^(@llm-sessions\/(core|adapter-better-sqlite|adapter-libsql)|better-sqlite3|libsql|@libsql\/client)$/;

export async function resolve(specifier, context, next) {
  if (DENIED.test(specifier)) throw new Error(`denied import of ${specifier}`);
  return next(specifier, context);
}
