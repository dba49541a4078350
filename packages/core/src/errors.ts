/**
 * The root of every error this library throws on purpose. A leaf module: it
 * imports nothing, so every layer (driver, pool, store) can extend it.
 */
export class LlmSessionsError extends Error {
  /** A stable, machine-readable name for the kind of failure. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}
