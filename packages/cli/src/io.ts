/** Where the CLI writes: stdout for results, stderr for progress and errors. */
export interface Io {
  /** Writes to stdout (results). */
  out(text: string): void;
  /** Writes to stderr (progress and errors). */
  err(text: string): void;
  /** Whether stderr is a terminal (progress bars redraw in place only then). */
  readonly errIsTTY: boolean;
  /** Terminal width for tables, when known. */
  readonly columns: number | undefined;
}

/** The process's own streams. */
export function processIo(): Io {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    errIsTTY: process.stderr.isTTY === true,
    columns: process.stdout.isTTY ? process.stdout.columns : undefined,
  };
}
