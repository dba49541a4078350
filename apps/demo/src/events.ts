/**
 * What happened to sessions while the demo ran, for the page's live panel:
 * sweeps (idled / archived / purged), archives, restores, forks, returning
 * users. A bounded ring: the newest `capacity` events are kept.
 */
export type DemoEventKind = "sweep" | "archive" | "restore" | "fork" | "return" | "error";

export interface DemoEvent {
  /** 1, 2, 3, ... in the order they happened. */
  readonly id: number;
  /** ms since the epoch. */
  readonly at: number;
  readonly kind: DemoEventKind;
  /** A one-line description, plain text. */
  readonly text: string;
  /** The session it is about, when there is one. */
  readonly sessionId?: string;
}

export class EventLog {
  readonly #capacity: number;
  readonly #events: DemoEvent[] = [];
  #next = 1;

  constructor(capacity = 200) {
    this.#capacity = capacity;
  }

  add(kind: DemoEventKind, text: string, sessionId?: string): DemoEvent {
    const event: DemoEvent = {
      id: this.#next++,
      at: Date.now(),
      kind,
      text,
      ...(sessionId ? { sessionId } : {}),
    };
    this.#events.push(event);
    if (this.#events.length > this.#capacity) this.#events.shift();
    return event;
  }

  /** The newest `limit` events, newest first. */
  recent(limit = 50): DemoEvent[] {
    return this.#events.slice(-limit).reverse();
  }
}
