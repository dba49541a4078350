import {
  ConflictError,
  LlmSessionsError,
  PoolClosedError,
  PoolOverloadedError,
  PoolTimeoutError,
  SessionArchivedError,
  SessionNotFoundError,
  ValidationError,
  type ValidationIssue,
} from "@llm-sessions/core";

/** The JSON body of every error answer of the API. */
export interface ErrorBody {
  readonly error: {
    /** Stable and machine-readable: `VALIDATION`, `SESSION_NOT_FOUND`, ... */
    readonly code: string;
    readonly message: string;
    /** For `VALIDATION`: which field broke which rule. */
    readonly issues?: readonly ValidationIssue[];
  };
}

export type ErrorStatus = 400 | 403 | 404 | 409 | 413 | 415 | 500 | 503;

/** An error raised by the HTTP layer itself (bad query parameter, wrong content type, ...). */
export class HttpError extends Error {
  readonly status: ErrorStatus;
  readonly code: string;
  readonly issues: readonly ValidationIssue[] | undefined;

  constructor(
    status: ErrorStatus,
    code: string,
    message: string,
    issues?: readonly ValidationIssue[],
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.issues = issues;
  }
}

/** A bad query parameter or body field: 400 with the same shape as the store's `ValidationError`. */
export function invalid(path: string, message: string): HttpError {
  return new HttpError(400, "VALIDATION", `${path}: ${message}`, [{ path, message }]);
}

const INTERNAL = "internal error (see the server's log)";

/**
 * Maps an error to an HTTP status and a JSON body: the store's typed errors
 * to their meaning (400, 404, 409, 503), anything else to 500 without details.
 */
export function toHttpError(error: unknown): {
  status: ErrorStatus;
  body: ErrorBody;
  retryAfter?: number;
} {
  if (error instanceof HttpError) {
    return {
      status: error.status,
      body: {
        error: {
          code: error.code,
          message: error.message,
          ...(error.issues ? { issues: error.issues } : {}),
        },
      },
    };
  }
  if (error instanceof ValidationError) {
    return {
      status: 400,
      body: { error: { code: error.code, message: error.message, issues: error.issues } },
    };
  }
  if (error instanceof SessionNotFoundError) return known(404, error);
  if (error instanceof SessionArchivedError || error instanceof ConflictError)
    return known(409, error);
  if (
    error instanceof PoolOverloadedError ||
    error instanceof PoolTimeoutError ||
    error instanceof PoolClosedError
  ) {
    return { ...known(503, error), retryAfter: 1 };
  }
  // Its code is safe to show; its message may name files of the server: it goes to the log.
  if (error instanceof LlmSessionsError) {
    return { status: 500, body: { error: { code: error.code, message: INTERNAL } } };
  }
  return {
    status: 500,
    body: { error: { code: "INTERNAL", message: INTERNAL } },
  };
}

function known(status: ErrorStatus, error: LlmSessionsError) {
  return { status, body: { error: { code: error.code, message: error.message } } };
}
