import { describe, expect, it } from "vitest";
import { SqliteError } from "../driver/errors.js";
import { DatabaseCorruptError } from "../errors.js";
import { DiskFullError } from "../files/errors.js";
import { surfaceOpenFailure } from "./open-failure.js";

const driver = { target: "/data/store.db", localPath: "/data/store.db" };
const ioerr = new SqliteError("IOERR", "disk I/O error");

describe("surfaceOpenFailure", () => {
  it("a disk I/O error at open on a full file system is DiskFullError", () => {
    const error = surfaceOpenFailure(ioerr, driver, "opening a connection", () => 0);
    expect(error).toBeInstanceOf(DiskFullError);
    expect((error as DiskFullError).message).toContain("full");
    expect((error as DiskFullError).cause).toBe(ioerr);
  });

  it("FULL is DiskFullError whatever the free space", () => {
    const full = new SqliteError("FULL", "database or disk is full");
    expect(surfaceOpenFailure(full, driver, "opening", () => 1e12)).toBeInstanceOf(DiskFullError);
  });

  it("a disk I/O error with room to spare stays what it is", () => {
    expect(surfaceOpenFailure(ioerr, driver, "opening", () => 1e12)).toBe(ioerr);
  });

  it("without a local path (a server), nothing is guessed; corruption is still DatabaseCorruptError", () => {
    const remote = { target: "https://db.example" };
    expect(surfaceOpenFailure(ioerr, remote, "opening", () => 0)).toBe(ioerr);
    const notadb = new SqliteError("NOTADB", "file is not a database");
    expect(surfaceOpenFailure(notadb, driver, "opening", () => 0)).toBeInstanceOf(
      DatabaseCorruptError,
    );
  });
});
