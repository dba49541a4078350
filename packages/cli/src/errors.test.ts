import {
  DatabaseReplacedError,
  DiskFullError,
  ForeignDatabaseError,
  ValidationError,
} from "@llm-sessions/core";
import { describe, expect, it } from "vitest";
import { describeError, EXIT } from "./errors.js";

describe("describeError: the store's file errors as one line and an exit code", () => {
  it("FOREIGN_DATABASE: names the file, says nothing changed and that the CLI needs an llm-sessions database; exit 1", () => {
    const { line, exitCode } = describeError(
      new ForeignDatabaseError("/srv/app.db", "its application_id is 42"),
      "app.db",
    );
    expect(exitCode).toBe(EXIT.problems);
    expect(line).toBe(
      "/srv/app.db is not an llm-sessions database (its application_id is 42); nothing was changed. Check the path: the CLI works only on llm-sessions databases",
    );
  });

  it("DATABASE_REPLACED: names the database as typed, says the command stopped and to run it again; exit 1", () => {
    const { line, exitCode } = describeError(
      new DatabaseReplacedError("/srv/r.db", "was renamed over"),
      "r.db",
    );
    expect(exitCode).toBe(EXIT.problems);
    expect(line).toMatch(/^r\.db was replaced or removed while the command had it open/);
    expect(line).toContain("nothing more was written to the old file");
    expect(line).toContain("Run the command again");
    // The library's advice is for an application ("close the store"), not an operator.
    expect(line).not.toContain("close the store");
  });

  it("DISK_FULL: says the disk is full and to free space; exit 1, never a raw SQLite message", () => {
    const { line, exitCode } = describeError(
      new DiskFullError("/srv/r.db", "opening", {
        cause: Object.assign(new Error("database or disk is full"), { code: "FULL" }),
      }),
      "r.db",
    );
    expect(exitCode).toBe(EXIT.problems);
    expect(line).toBe(
      "the disk holding /srv/r.db is full (opening): free some space and retry (nothing was committed)",
    );
  });

  it("the exit codes stay apart: a validation error is usage (2)", () => {
    expect(
      describeError(new ValidationError("search", [{ path: "limit", message: "too big" }]))
        .exitCode,
    ).toBe(EXIT.usage);
  });
});
