/**
 * The text `--help` prints after the options: exit codes, environment and
 * examples. Plain strings, so help never loads the library.
 */

/** The exit codes, as every command's help lists them (see `EXIT`). */
export const EXIT_CODES_HELP = `Exit codes:
  0  done; the database is sound
  1  problems found, or the operation failed (damaged, locked, in use, not a database, disk full)
  2  usage: a bad or missing argument or option, a missing file, an unknown command`;

/** Environment variables the CLI reads. */
export const ENVIRONMENT_HELP = `Environment:
  LLM_SESSIONS_AUTH_TOKEN  the token for a libSQL server URL (--driver libsql)
  LLM_SESSIONS_DEBUG=1     print a stack trace with an error line`;

/** Examples per command, shown by `llm-sessions <command> --help`. */
export const EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  doctor: [
    "llm-sessions doctor ./router.db",
    "llm-sessions doctor --repair ./router.db",
    "llm-sessions doctor --quick --json ./router.db",
  ],
  migrate: ["llm-sessions migrate ./router.db"],
  backup: [
    "llm-sessions backup ./router.db ./router-2026-01-31.bak",
    "llm-sessions --driver libsql backup ./router.db ./router.bak",
  ],
  restore: ["llm-sessions restore ./router-2026-01-31.bak ./router.db"],
  stats: ["llm-sessions stats ./router.db", "llm-sessions stats --json ./router.db"],
  sweep: [
    "llm-sessions sweep --idle-after 30m --archive-after 7d ./router.db",
    "llm-sessions sweep --purge-after 90d --keep-snapshots ./router.db",
  ],
  vacuum: ["llm-sessions vacuum ./router.db"],
  checkpoint: ["llm-sessions checkpoint ./router.db"],
  optimize: [
    "llm-sessions optimize ./router.db",
    "llm-sessions optimize --vacuum auto ./router.db",
  ],
  search: [
    'llm-sessions search ./router.db "reset password"',
    'llm-sessions search --limit 50 --role user ./router.db "invoice"',
  ],
};

/** What `llm-sessions <command> --help` prints after the options. */
export function commandHelpAfter(command: string): string {
  const examples = EXAMPLES[command] ?? [];
  const lines =
    examples.length > 0 ? `Examples:\n${examples.map((e) => `  ${e}`).join("\n")}\n\n` : "";
  return `\n${lines}${EXIT_CODES_HELP}\n`;
}

/** What `llm-sessions --help` prints after the commands. */
export function programHelpAfter(): string {
  return `\n${EXIT_CODES_HELP}\n\n${ENVIRONMENT_HELP}\n\nExamples:\n  llm-sessions doctor ./router.db\n  llm-sessions stats ./router.db\n  llm-sessions help backup\n`;
}
