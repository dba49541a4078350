/**
 * Progress on stderr (the table goes to stdout): on a terminal one line that
 * is rewritten in place, elsewhere only the lines marked as lasting.
 */
const tty = process.stderr.isTTY === true;
let open = false;

export function progress(line: string, lasting = false): void {
  if (tty) {
    const width = process.stderr.columns || 100;
    process.stderr.write(`\r\x1b[2K${line.slice(0, width - 1)}`);
    open = true;
    if (lasting) {
      process.stderr.write("\n");
      open = false;
    }
  } else if (lasting) {
    process.stderr.write(`${line}\n`);
  }
}

/** A lasting line, also when not on a terminal. */
export function note(line: string): void {
  if (open) {
    process.stderr.write("\r\x1b[2K");
    open = false;
  }
  process.stderr.write(`${line}\n`);
}
