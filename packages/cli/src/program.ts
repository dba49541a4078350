import { Command, InvalidArgumentError, Option } from "commander";
import type { CommandContext } from "./commands/context.js";
import { DRIVERS, driverNamed } from "./drivers.js";
import { commandHelpAfter, programHelpAfter } from "./help-text.js";
import type { Io } from "./io.js";
import { DEFAULT_SEARCH_LIMIT, MAX_BUSY_TIMEOUT_MS, wholeNumber } from "./numbers.js";
import type { GlobalOptions } from "./target.js";
import { VERSION } from "./version.js";

// The commands (and through them the library and the drivers) are imported
// when one runs, not here: `--version` and `--help` answer without loading them.

function driver(value: string): GlobalOptions["driver"] {
  const name = driverNamed(value);
  if (name === undefined) {
    throw new InvalidArgumentError(`use ${DRIVERS.join(" or ")} (better-sqlite3 works too)`);
  }
  return name;
}

function busyTimeout(value: string): number {
  const n = wholeNumber(value, 0, MAX_BUSY_TIMEOUT_MS);
  if (n === undefined) {
    throw new InvalidArgumentError(
      `must be a whole number of milliseconds from 0 to ${MAX_BUSY_TIMEOUT_MS}`,
    );
  }
  return n;
}

/** What the program reports back to `main`. */
export interface ProgramHooks {
  /** The command's exit code. */
  setExitCode(code: number): void;
  /** The database a command works on, named in error lines. */
  setDatabase(db: string): void;
}

/** The `llm-sessions` command line, with every command and option. */
export function buildProgram(io: Io, hooks: ProgramHooks): Command {
  const program = new Command()
    .name("llm-sessions")
    .description("Check, repair, back up, restore and inspect an llm-sessions database.")
    .version(VERSION, "-V, --version")
    .addOption(
      new Option("--driver <name>", "SQLite driver: better-sqlite (or better-sqlite3), libsql")
        .argParser(driver)
        .default("better-sqlite"),
    )
    .option("--busy-timeout <ms>", "wait this long for another process's lock", busyTimeout, 5000)
    .option("--no-verify", "skip the quick_check when opening (faster on big files)")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(s),
      outputError: (s, write) => write(`llm-sessions: ${s.replace(/^error: /, "")}`),
    })
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError("(llm-sessions --help lists the commands and options)")
    .addHelpText("after", programHelpAfter());

  const ctx = (cmd: Command): CommandContext => {
    const o = cmd.optsWithGlobals<{
      driver: GlobalOptions["driver"];
      busyTimeout: number;
      verify: boolean;
    }>();
    return { io, globals: { driver: o.driver, busyTimeout: o.busyTimeout, verify: o.verify } };
  };
  const run = (db: string, work: () => Promise<number>) => async (): Promise<void> => {
    hooks.setDatabase(db);
    hooks.setExitCode(await work());
  };
  const command = (name: string): Command =>
    program.command(name).addHelpText("after", commandHelpAfter(name));

  command("doctor")
    .description(
      "check a database (integrity_check, foreign keys, counters, seq, search index, snapshots)",
    )
    .argument("<db>", "database file")
    .option("--repair", "repair what breaks the store's rules (after a backup), then check again")
    .option("--quick", "quick_check instead of the full integrity_check")
    .option(
      "--backup-to <file>",
      "where --repair writes its backup (default: <db>.before-repair-<time>.bak)",
    )
    .option("--no-backup", "repair without a backup")
    .option("--json", "print the report as JSON")
    .action((db: string, opts, cmd: Command) =>
      run(db, async () => (await import("./commands/doctor.js")).doctor(db, opts, ctx(cmd)))(),
    );

  command("migrate")
    .description("bring an older database (v0 layout or an older schema) to the current schema")
    .argument("<db>", "database file")
    .option(
      "--backup-to <file>",
      "where to write the backup first (default: <db>.before-migrate-<time>.bak)",
    )
    .option("--no-backup", "migrate without a backup")
    .option("--json", "print the report as JSON")
    .action((db: string, opts, cmd: Command) =>
      run(db, async () => (await import("./commands/migrate.js")).migrate(db, opts, ctx(cmd)))(),
    );

  command("backup")
    .description("write a checked copy of a database while it stays in use")
    .argument("<db>", "database file")
    .argument("<out>", "the backup file to create (must not exist)")
    .addOption(
      new Option("--method <method>", "how to copy")
        .choices(["auto", "online", "vacuum-into"])
        .default("auto"),
    )
    .option("--json", "print the result as JSON")
    .action((db: string, out: string, opts, cmd: Command) =>
      run(db, async () => (await import("./commands/backup.js")).backup(db, out, opts, ctx(cmd)))(),
    );

  command("restore")
    .description(
      "replace a database with a checked backup (keeps the old file as <db>.pre-restore)",
    )
    .argument("<backup>", "the backup file")
    .argument("<db>", "the database file to replace (or create)")
    .option("--json", "print the result as JSON")
    .action((from: string, db: string, opts, cmd: Command) =>
      run(db, async () =>
        (await import("./commands/restore.js")).restore(from, db, opts, ctx(cmd)),
      )(),
    );

  command("stats")
    .description("sessions by status, usage per model, file size, free space and health")
    .argument("<db>", "database file")
    .option("--json", "print the figures as JSON")
    .action((db: string, opts, cmd: Command) =>
      run(db, async () => (await import("./commands/stats.js")).stats(db, opts, ctx(cmd)))(),
    );

  command("sweep")
    .description("run the lifecycle policy once: idle, archive (with a snapshot), purge")
    .argument("<db>", "database file")
    .option("--idle-after <duration>", "active -> idle after this long without activity (e.g. 30m)")
    .option("--archive-after <duration>", "-> archived after this long (e.g. 7d)")
    .option("--purge-after <duration>", "-> deleted after this long (e.g. 90d)")
    .option("--keep-snapshots", "keep the snapshots of purged sessions")
    .option("--json", "print the result as JSON")
    .action((db: string, opts, cmd: Command) =>
      run(db, async () => (await import("./commands/sweep.js")).sweep(db, opts, ctx(cmd)))(),
    );

  command("vacuum")
    .description("rebuild the file without its free pages (reads and writes wait meanwhile)")
    .argument("<db>", "database file")
    .option("--json", "print the report as JSON")
    .action((db: string, opts, cmd: Command) =>
      run(db, async () => (await import("./commands/vacuum.js")).vacuum(db, opts, ctx(cmd)))(),
    );

  command("checkpoint")
    .description("fold the WAL into the database file and truncate it")
    .argument("<db>", "database file")
    .option("--json", "print the report as JSON")
    .action((db: string, opts, cmd: Command) =>
      run(db, async () =>
        (await import("./commands/checkpoint.js")).checkpoint(db, opts, ctx(cmd)),
      )(),
    );

  command("optimize")
    .description("ANALYZE where useful, merge the search index, truncate the WAL")
    .argument("<db>", "database file")
    .addOption(
      new Option("--vacuum <when>", "also vacuum")
        .choices(["never", "auto", "always"])
        .default("never"),
    )
    .option("--json", "print the report as JSON")
    .action((db: string, opts, cmd: Command) =>
      run(db, async () => (await import("./commands/optimize.js")).optimize(db, opts, ctx(cmd)))(),
    );

  command("search")
    .description("full-text search over message content, newest first")
    .argument("<db>", "database file")
    .argument("<text>", "what to look for (any text; it is escaped)")
    .addOption(
      new Option("--limit <n>", "results to show (up to the library's search page bound)").default(
        DEFAULT_SEARCH_LIMIT,
      ),
    )
    .option("--session <id>", "only this session")
    .option("--role <role>", "only this role (system, user, assistant, tool)")
    .option("--json", "print the results as JSON")
    .action((db: string, text: string, opts, cmd: Command) =>
      run(db, async () =>
        (await import("./commands/search.js")).searchCommand(db, text, opts, ctx(cmd)),
      )(),
    );

  return program;
}
