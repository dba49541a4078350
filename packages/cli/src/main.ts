import { CommanderError } from "commander";
import { describeError, EXIT } from "./errors.js";
import { type Io, processIo } from "./io.js";
import { buildProgram } from "./program.js";

/**
 * Runs the CLI on `argv` (without `node` and the script) and resolves with
 * the exit code: 0 sound/done, 1 problems found or the operation failed,
 * 2 usage error. Errors are printed as one line on stderr, never a stack
 * trace (set LLM_SESSIONS_DEBUG=1 to get one).
 */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let exitCode: number = EXIT.ok;
  let db: string | undefined;
  const program = buildProgram(io, {
    setExitCode: (code) => {
      exitCode = code;
    },
    setDatabase: (name) => {
      db = name;
    },
  });
  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; everything else commander refuses is a usage error.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const { line, exitCode: code } = describeError(error, db);
    io.err(`llm-sessions: ${line}\n`);
    if (process.env.LLM_SESSIONS_DEBUG && error instanceof Error && error.stack) {
      io.err(`${error.stack}\n`);
    }
    return code;
  }
}
