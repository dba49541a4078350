import { DatabaseSync } from "node:sqlite";

/** Where node:sqlite of Node 22 differs from 24 on: found once, on a private database. */
export const support = (() => {
  const db = new DatabaseSync(":memory:");
  try {
    db.exec("CREATE TABLE t (x); INSERT INTO t VALUES (1)");
    // Node 22's all() keeps the columns of the statement's last run after SQLite
    // re-prepared it for a schema change (get() and iterate() see the new ones).
    const star = db.prepare("SELECT * FROM t");
    star.all();
    db.exec("ALTER TABLE t ADD COLUMN y");
    const allSeesNewColumns = Object.keys(star.all()[0] ?? {}).length === 2;
    // Node 22 cuts bound text at its first NUL.
    const textKeepsNul = db.prepare("SELECT ? AS v").get("a\u0000b")?.v === "a\u0000b";
    return { allSeesNewColumns, textKeepsNul };
  } finally {
    db.close();
  }
})();
