/**
 * The longest wait for a locked database any part of the project accepts, in
 * milliseconds: 2^31 - 1, the largest delay Node's timers take (a longer one
 * fires at once) and the largest `timeout` better-sqlite3 accepts. The store's
 * options, the pool's options, the CLI and every adapter check against this
 * one figure.
 */
export const MAX_BUSY_TIMEOUT_MS = 2_147_483_647;
