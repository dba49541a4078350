import * as sqlite from "node:sqlite";

/**
 * What the running Node's node:sqlite does, where releases of the supported
 * range (22.16 on) differ. Found once, on a private database.
 */
export const support = probe();

function probe() {
  const db = new sqlite.DatabaseSync(":memory:");
  try {
    db.exec("CREATE TABLE t (x)");
    db.exec("INSERT INTO t VALUES ('a')");
    // On 22, all() kept the columns of the statement's last run after SQLite
    // re-prepared it for a schema change (get() and iterate() see the new ones).
    const star = db.prepare("SELECT * FROM t");
    star.all();
    db.exec("ALTER TABLE t ADD COLUMN y");
    const allSeesNewColumns = Object.keys(star.all()[0] ?? {}).length === 2;
    // On 22, bound text was cut at its first NUL.
    const nul = db.prepare("SELECT ? AS v").get("a\u0000b");
    return {
      allSeesNewColumns,
      textKeepsNul: nul?.v === "a\u0000b",
    };
  } finally {
    db.close();
  }
}
