import { Command, InvalidArgumentError, Option } from "commander";
import { backup } from "./commands/backup.js";
import { checkpoint } from "./commands/checkpoint.js";
import type { CommandContext } from "./commands/context.js";
import { doctor } from "./commands/doctor.js";
import { migrate } from "./commands/migrate.js";
import { optimize } from "./commands/optimize.js";
import { restore } from "./commands/restore.js";
import { searchCommand } from "./commands/search.js";
import { stats } from "./commands/stats.js";
import { sweep } from "./commands/sweep.js";
import { vacuum } from "./commands/vacuum.js";
import type { Io } from "./io.js";
import { MAX_BUSY_TIMEOUT_MS, wholeNumber } from "./numbers.js";
import { DRIVERS, type GlobalOptions } from "./target.js";
import { VERSION } from "./version.js";

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
      new Option("--driver <name>", "SQLite driver").choices(DRIVERS).default("better-sqlite"),
    )
    .option("--busy-timeout <ms>", "wait this long for another process's lock", busyTimeout, 5000)
    .option("--no-verify", "skip the quick_check when opening (faster on big files)")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(s),
      outputError: (s, write) => write(`llm-sessions: ${s.replace(/^error: /, "")}`),
    })
    .showHelpAfterError("(llm-sessions --help lists the commands and options)");

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

  program
    .command("doctor")
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
    .action((db: string, opts, cmd: Command) => run(db, () => doctor(db, opts, ctx(cmd)))());

  program
    .command("migrate")
    .description("bring an older database (v0 layout or an older schema) to the current schema")
    .argument("<db>", "database file")
    .option(
      "--backup-to <file>",
      "where to write the backup first (default: <db>.before-migrate-<time>.bak)",
    )
    .option("--no-backup", "migrate without a backup")
    .option("--json", "print the report as JSON")
    .action((db: string, opts, cmd: Command) => run(db, () => migrate(db, opts, ctx(cmd)))());

  program
    .command("backup")
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
      run(db, () => backup(db, out, opts, ctx(cmd)))(),
    );

  program
    .command("restore")
    .description(
      "replace a database with a checked backup (keeps the old file as <db>.pre-restore)",
    )
    .argument("<backup>", "the backup file")
    .argument("<db>", "the database file to replace (or create)")
    .option("--json", "print the result as JSON")
    .action((from: string, db: string, opts, cmd: Command) =>
      run(db, () => restore(from, db, opts, ctx(cmd)))(),
    );

  program
    .command("stats")
    .description("sessions by status, usage per model, file size, free space and health")
    .argument("<db>", "database file")
    .option("--json", "print the figures as JSON")
    .action((db: string, opts, cmd: Command) => run(db, () => stats(db, opts, ctx(cmd)))());

  program
    .command("sweep")
    .description("run the lifecycle policy once: idle, archive (with a snapshot), purge")
    .argument("<db>", "database file")
    .option("--idle-after <duration>", "active -> idle after this long without activity (e.g. 30m)")
    .option("--archive-after <duration>", "-> archived after this long (e.g. 7d)")
    .option("--purge-after <duration>", "-> deleted after this long (e.g. 90d)")
    .option("--keep-snapshots", "keep the snapshots of purged sessions")
    .option("--json", "print the result as JSON")
    .action((db: string, opts, cmd: Command) => run(db, () => sweep(db, opts, ctx(cmd)))());

  program
    .command("vacuum")
    .description("rebuild the file without its free pages (reads and writes wait meanwhile)")
    .argument("<db>", "database file")
    .option("--json", "print the report as JSON")
    .action((db: string, opts, cmd: Command) => run(db, () => vacuum(db, opts, ctx(cmd)))());

  program
    .command("checkpoint")
    .description("fold the WAL into the database file and truncate it")
    .argument("<db>", "database file")
    .option("--json", "print the report as JSON")
    .action((db: string, opts, cmd: Command) => run(db, () => checkpoint(db, opts, ctx(cmd)))());

  program
    .command("optimize")
    .description("ANALYZE where useful, merge the search index, truncate the WAL")
    .argument("<db>", "database file")
    .addOption(
      new Option("--vacuum <when>", "also vacuum")
        .choices(["never", "auto", "always"])
        .default("never"),
    )
    .option("--json", "print the report as JSON")
    .action((db: string, opts, cmd: Command) => run(db, () => optimize(db, opts, ctx(cmd)))());

  program
    .command("search")
    .description("full-text search over message content, best first")
    .argument("<db>", "database file")
    .argument("<text>", "what to look for (any text; it is escaped)")
    .option("--limit <n>", "results to show", "20")
    .option("--session <id>", "only this session")
    .option("--role <role>", "only this role (system, user, assistant, tool)")
    .option("--json", "print the results as JSON")
    .action((db: string, text: string, opts, cmd: Command) =>
      run(db, () => searchCommand(db, text, opts, ctx(cmd)))(),
    );

  return program;
}
