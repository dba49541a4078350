import { Rng } from "../suite/rng.js";
import {
  type Env,
  HOSTILE_METADATA,
  HOSTILE_NUMBERS,
  HOSTILE_QUERIES,
  HOSTILE_STRINGS,
  just,
  type Make,
  WRONG_TYPES,
} from "./values.js";
import {
  A_MESSAGES,
  A_SESSIONS,
  ATTACKER,
  SECRET_MESSAGES,
  SECRET_SESSIONS,
  SECRET_TENANTS,
} from "./world.js";

/** The methods a hostile input calls, on a tenant view or the root store. */
export const SCOPED_METHODS = [
  "sessions.create",
  "sessions.get",
  "sessions.list",
  "sessions.update",
  "sessions.delete",
  "sessions.fork",
  "messages.append",
  "messages.last",
  "messages.list",
  "messages.pop",
  "search",
  "stats",
] as const;

/** Methods only the root store has. */
export const ROOT_METHODS = [
  "tenant",
  "lifecycle.archive",
  "lifecycle.restore",
  "lifecycle.touch",
  "lifecycle.sweep",
  "flushSearchIndex",
  "health",
  "integrity.check",
] as const;

/** Search and append are drawn more often: ranks and snippets leak through search, and appends feed it. */
const WEIGHTS: Readonly<Record<(typeof SCOPED_METHODS)[number], number>> = {
  "sessions.create": 1,
  "sessions.get": 1,
  "sessions.list": 1,
  "sessions.update": 1,
  "sessions.delete": 0.5,
  "sessions.fork": 1,
  "messages.append": 2,
  "messages.last": 1,
  "messages.list": 1,
  "messages.pop": 0.5,
  search: 3,
  stats: 1,
};

export type Method = (typeof SCOPED_METHODS)[number] | (typeof ROOT_METHODS)[number];

/** Which handle an input calls through. */
export type ViewRef =
  | { readonly kind: "root" }
  | {
      readonly kind: "tenant";
      /** The tenant id passed to `store.tenant` (any value). */
      readonly id: Make;
      /**
       * Whether the world store and its twin must answer alike: true for
       * every view except a secret tenant's own.
       */
      readonly compared: boolean;
    };

/** One hostile input: a method called with arguments through a view. */
export interface HostileCall {
  /** Its position in the run (0-based); the same seed gives the same input at each index. */
  readonly index: number;
  readonly view: ViewRef;
  readonly method: Method;
  /** The arguments, built fresh for each store. */
  readonly args: readonly Make[];
}

/** Whether the two stores' answers to this input must be equal. */
export function isCompared(call: HostileCall): boolean {
  return call.view.kind === "tenant" && call.view.compared;
}

/**
 * Ids a secret tenant holds. The attacker names them in lookups and also
 * chooses them for its own new sessions, forks and messages: ids belong to
 * their tenant, so whether another tenant holds one must make no difference
 * (the id-existence probe).
 */
const SECRET_IDS: readonly string[] = [...SECRET_SESSIONS, ...SECRET_MESSAGES];
const FRESH_IDS = Array.from({ length: 40 }, (_, i) => `n-${i + 1}`);

const cursorOf = (key: unknown) => Buffer.from(JSON.stringify(key), "utf8").toString("base64url");

/** Cursors no store issued: wrong shapes, other tenants' keys, out-of-range numbers. */
const FORGED_CURSORS: readonly string[] = [
  "",
  "!!!",
  "null",
  "x".repeat(512),
  "x".repeat(513),
  cursorOf([]),
  cursorOf([1]),
  cursorOf([1, 2, 3]),
  cursorOf(["b-live", 1]),
  cursorOf(["b-live", 0]),
  cursorOf(["a-busy", 10]),
  cursorOf(["a-busy", -5]),
  cursorOf(["a-busy", 2 ** 63]),
  cursorOf(["a-busy", 1e308]),
  cursorOf([Date.UTC(2026, 0, 1, 1), "b-live"]),
  cursorOf([Date.UTC(2030, 0, 1), "zzzz"]),
  cursorOf([0, "\uD800"]),
  cursorOf([-1e308, 1]),
  cursorOf([0, 0]),
  cursorOf([-1, 2 ** 53]),
  cursorOf([null, null]),
  cursorOf({ 0: 1, 1: 2, length: 2 }),
  Buffer.from([0xff, 0xfe, 0x00]).toString("base64url"),
  Buffer.from('["a-busy", 1]garbage').toString("base64url"),
];

/** Every this many inputs, one is an id-existence probe (`idProbe`). */
const PROBE_EVERY = 12;

/**
 * The attacker takes, in its own tenant, an id a secret tenant holds: a
 * session id, a fork id, or a message id with a secret tenant's
 * idempotency key. Ids belong to their tenant, so the world store (where
 * the secret tenant holds the id) must answer exactly as its twin (where
 * no one does).
 */
function idProbe(index: number, n: number): HostileCall {
  const view: ViewRef = { kind: "tenant", id: just(ATTACKER), compared: true };
  const sessionId = SECRET_SESSIONS[n % SECRET_SESSIONS.length] as string;
  const messageId = SECRET_MESSAGES[n % SECRET_MESSAGES.length] as string;
  switch (n % 3) {
    case 0:
      return { index, view, method: "sessions.create", args: [just({ id: sessionId })] };
    case 1:
      return {
        index,
        view,
        method: "sessions.fork",
        args: [just("a-live"), just({ id: sessionId, atSeq: 1 })],
      };
    default:
      return {
        index,
        view,
        method: "messages.append",
        args: [
          just("a-live"),
          just({ role: "user", content: "probe", id: messageId, idempotencyKey: `p-${n}` }),
        ],
      };
  }
}

/** Draws the inputs of a run: a pure function of the seed. */
export function generateCalls(seed: number, count: number): HostileCall[] {
  const rng = new Rng(seed);
  const calls: HostileCall[] = [];
  let probes = 0;
  for (let index = 0; index < count; index++) {
    if (index % PROBE_EVERY === PROBE_EVERY - 1) {
      calls.push(idProbe(index, probes++));
      continue;
    }
    const view = drawView(rng);
    const method =
      view.kind === "root" && rng.chance(0.5) ? rng.pick(ROOT_METHODS) : rng.weighted(WEIGHTS);
    const comparedBefore = calls.filter(isCompared).map((c) => c.index);
    // Two inputs in five are well-formed calls (state grows, searches match, cursors come back); the rest are hostile.
    const g = new Draw(rng, comparedBefore, rng.chance(0.4), index, view.kind === "root");
    calls.push({ index, view, method, args: g.args(method) });
  }
  return calls;
}

/**
 * Tenant ids that differ from a secret tenant's (or the attacker's) only in
 * ways a driver or a normalization could erase: ill-formed UTF-16 and its
 * replacement character, a NUL and what follows it, spaces, case.
 */
const LOOKALIKE_TENANTS: readonly string[] = [
  "T\uDC00",
  "T\uDFFF",
  "T\uFFFD",
  "T\uD800\uDC00",
  "T",
  "A\uD800",
  "A\uDC00",
  "A\uFFFD",
  "A\u0000",
  "A\u0000evil2",
  "A\u0000evi",
  "A  ",
  " A",
  "a",
  "B ",
  "b",
  "B\u0000",
  "B\uD800",
  "B\uFFFD",
  "",
];

function drawView(rng: Rng): ViewRef {
  const roll = rng.next();
  if (roll < 0.55) return { kind: "tenant", id: just(ATTACKER), compared: true };
  if (roll < 0.8) {
    const id: unknown =
      roll < 0.7
        ? rng.pick(LOOKALIKE_TENANTS)
        : rng.chance(0.6)
          ? rng.pick(HOSTILE_STRINGS)
          : rng.pick(WRONG_TYPES);
    // `null` (also as a made value) is the default tenant's view, whose data is secret.
    const value = typeof id === "function" ? (id as Make)({ cursor: () => null }) : id;
    const compared =
      value !== null && (typeof value !== "string" || !SECRET_TENANTS.includes(value));
    return { kind: "tenant", id: typeof id === "function" ? (id as Make) : just(id), compared };
  }
  if (roll < 0.85) return { kind: "tenant", id: just("B"), compared: false };
  return { kind: "root" };
}

/** The random choices for one input's arguments. */
class Draw {
  readonly #rng: Rng;
  readonly #earlier: readonly number[];
  /** Draw well-formed values only (ids and queries may still name other tenants' data). */
  readonly #calm: boolean;

  /** This input's index: ids the store generated for earlier inputs are `in<index>-<n>`. */
  readonly #index: number;

  /**
   * Whether the input calls the root store. The root store finds a session
   * by id in any tenant, and the attacker may hold ids the secret tenants
   * hold (the probe): a root call naming such an id would reach the
   * attacker's session in the twin but not in the world store (where the id
   * is ambiguous), and the attacker's data would no longer be the same in
   * both. So the root store never names a secret tenant's id.
   */
  readonly #root: boolean;

  constructor(
    rng: Rng,
    earlierCompared: readonly number[],
    calm: boolean,
    index: number,
    root: boolean,
  ) {
    this.#root = root;
    this.#index = index;
    this.#rng = rng;
    this.#earlier = earlierCompared;
    this.#calm = calm;
  }

  args(method: Method): Make[] {
    switch (method) {
      case "sessions.create":
        return this.#maybeNone(() => this.#options(NEW_SESSION));
      case "sessions.delete":
        return this.#extraArgs([this.disposableId()]);
      case "sessions.get":
      case "messages.pop":
      case "lifecycle.archive":
      case "lifecycle.restore":
      case "lifecycle.touch":
        return this.#extraArgs([this.sessionId()]);
      case "sessions.list":
        return this.#maybeNone(() => this.#options(LIST_SESSIONS));
      case "sessions.update":
        return [this.sessionId(), this.#options(PATCH)];
      case "sessions.fork":
        return [this.sessionId(), ...this.#maybeNone(() => this.#options(FORK))];
      case "messages.append":
        return [this.sessionId(), this.#messages()];
      case "messages.last":
        return [this.sessionId(), this.number(() => this.#rng.int(1, 70))];
      case "messages.list":
        return [this.sessionId(), ...this.#maybeNone(() => this.#options(LIST_MESSAGES))];
      case "search":
        return [this.query(), ...this.#maybeNone(() => this.#options(SEARCH))];
      case "stats":
      case "lifecycle.sweep":
      case "flushSearchIndex":
        return this.#extraArgs([]);
      case "tenant":
        return [this.#rng.chance(0.7) ? just(this.#rng.pick(HOSTILE_STRINGS)) : this.wrong()];
      case "health":
        return this.#maybeNone(() => this.#health());
      case "integrity.check":
        return this.#maybeNone(() =>
          this.#rng.chance(0.5) ? just({ full: this.#rng.chance(0.5) }) : this.any(),
        );
    }
  }

  // ---- values ----

  wrong(): Make {
    return this.#rng.pick(WRONG_TYPES);
  }

  string(plausible: () => string): Make {
    const roll = this.#calm ? 0 : this.#rng.next();
    if (roll < 0.45) return just(plausible());
    if (roll < 0.85) return just(this.#rng.pick(HOSTILE_STRINGS));
    return this.wrong();
  }

  number(plausible: () => number): Make {
    const roll = this.#calm ? 0 : this.#rng.next();
    if (roll < 0.4) return just(plausible());
    if (roll < 0.85) return just(this.#rng.pick(HOSTILE_NUMBERS));
    if (roll < 0.92) return just(String(plausible()));
    return this.wrong();
  }

  any(): Make {
    const roll = this.#rng.next();
    if (roll < 0.3) return just(this.#rng.pick(HOSTILE_STRINGS));
    if (roll < 0.5) return just(this.#rng.pick(HOSTILE_NUMBERS));
    if (roll < 0.7) return this.#rng.pick(HOSTILE_METADATA);
    return this.wrong();
  }

  /** An id to look up: the attacker's, a secret tenant's, a message's, or junk. */
  sessionId(): Make {
    const roll = this.#calm ? this.#rng.next() * 0.75 : this.#rng.next();
    if (roll < 0.25) return just(this.#rng.pick(["a-live", "a-busy", "a-fork"]));
    if (roll < 0.45) return just(this.#rng.pick([...A_SESSIONS, ...FRESH_IDS.slice(0, 10)]));
    if (roll < 0.5 && this.#index > 0) return just(`in${this.#rng.int(0, this.#index - 1)}-1`);
    if (roll < 0.7) return just(this.#rng.pick(this.#root ? FRESH_IDS : SECRET_SESSIONS));
    if (roll < 0.75) return just(this.#rng.pick(this.#root ? A_MESSAGES : SECRET_IDS));
    if (roll < 0.9) return just(this.#rng.pick(HOSTILE_STRINGS));
    return this.wrong();
  }

  /** An id to delete: never the attacker's two busiest sessions, so that later inputs still find data. */
  disposableId(): Make {
    if (this.#rng.chance(0.3) && this.#index > 0) {
      return just(`in${this.#rng.int(0, this.#index - 1)}-1`);
    }
    const id = this.sessionId();
    return (env) => {
      const value = id(env);
      return value === "a-live" || value === "a-busy" ? "a-fork" : value;
    };
  }

  /**
   * An id the caller chooses for a new row: a fresh one, one a secret tenant
   * holds (the answer must be the one the twin, where no tenant holds it,
   * gives), the attacker's own, or junk.
   */
  chosenId(): Make {
    const roll = this.#calm ? this.#rng.next() * 0.65 : this.#rng.next();
    if (roll < 0.4) return just(this.#rng.pick(FRESH_IDS));
    if (roll < 0.55) return just(this.#rng.pick(SECRET_IDS));
    if (roll < 0.65) return just(this.#rng.pick([...A_SESSIONS, ...A_MESSAGES]));
    if (roll < 0.9) return just(this.#rng.pick(HOSTILE_STRINGS));
    return this.wrong();
  }

  text(): Make {
    return this.string(() => this.#rng.pick(["m1", "m2", "title", "zebra", "zqsecretb"]));
  }

  metadata(): Make {
    if (this.#calm) return just(this.#rng.pick([{}, { k: "v" }, { n: 1, list: [true, null] }]));
    return this.#rng.chance(0.3) ? just({ k: "v" }) : this.#rng.pick(HOSTILE_METADATA);
  }

  cursor(): Make {
    const roll = this.#calm ? 0.15 + this.#rng.next() * 0.45 : this.#rng.next();
    if (roll < 0.15) return just(null);
    if (roll < 0.6 && this.#earlier.length > 0) {
      // Prefer recent inputs: their cursors are the ones a caller would pass on.
      const recent = this.#earlier.slice(-30);
      const from = this.#rng.pick(recent);
      return (env: Env) => env.cursor(from);
    }
    if (roll < 0.9) return just(this.#rng.pick(FORGED_CURSORS));
    return this.#rng.chance(0.5) ? just(this.#rng.pick(HOSTILE_STRINGS)) : this.wrong();
  }

  pickTenant(): string {
    return this.#rng.pick([ATTACKER, "B", ...SECRET_TENANTS, "A\uDC00"]);
  }

  pickStatus(): string {
    return this.#rng.pick(["active", "idle", "archived"]);
  }

  smallInt(min: number, max: number): number {
    return this.#rng.int(min, max);
  }

  /** Snippet markers: ordinary, long, empty, the private-use ones the store uses inside. */
  mark(): Make {
    if (this.#calm) return just(["<b>", "</b>"]);
    if (this.#rng.chance(0.2)) return this.any();
    const one = () =>
      this.#rng.pick([
        "<",
        "»",
        "",
        "x".repeat(64),
        "x".repeat(65),
        "\u{F0001}",
        "\uD800",
        "\u0000",
      ]);
    const pair = [one(), one()];
    if (this.#rng.chance(0.1)) pair.push(one());
    return () => [...pair];
  }

  limit(): Make {
    return this.number(() => this.#rng.pick([1, 2, 5, 50, 1000]));
  }

  query(): Make {
    const roll = this.#calm ? this.#rng.next() * 0.9 : this.#rng.next();
    if (roll < 0.8) return just(this.#rng.pick(HOSTILE_QUERIES));
    if (roll < 0.9) {
      // Several pieces of syntax in one query.
      const parts = Array.from({ length: this.#rng.int(2, 5) }, () =>
        this.#rng.pick(HOSTILE_QUERIES).slice(0, 40),
      );
      return just(parts.join(this.#rng.pick([" ", "", " OR ", " AND ", " NOT "])));
    }
    return this.wrong();
  }

  role(): Make {
    return this.#calm || this.#rng.chance(0.8)
      ? just(this.#rng.pick(["user", "assistant", "system", "tool"]))
      : this.string(() => this.#rng.pick(["USER", "admin", "user "]));
  }

  content(): Make {
    const roll = this.#calm ? 0 : this.#rng.next();
    if (roll < 0.55) {
      const words = ["zebra", "apple", "alpha", "beta", "gamma", "zqsecretb", "NEAR", "AND", "*"];
      const n = this.#rng.int(1, 6);
      return just(Array.from({ length: n }, () => this.#rng.pick(words)).join(" "));
    }
    if (roll < 0.6) {
      const bytes = 1024 * 1024 + this.#rng.pick([-1, 0, 1]);
      return just("c".repeat(bytes));
    }
    if (roll < 0.9) return just(this.#rng.pick(HOSTILE_STRINGS));
    return this.wrong();
  }

  // ---- composites ----

  #message(): Make {
    const fields: FieldSpec = {
      role: [0.95, () => this.role()],
      content: [0.95, () => this.content()],
      id: [0.15, () => this.chosenId()],
      name: [0.15, () => this.text()],
      model: [0.2, () => this.text()],
      tokens: [0.35, () => this.number(() => this.#rng.int(0, 100))],
      latencyMs: [0.2, () => this.number(() => this.#rng.int(0, 5000))],
      metadata: [0.25, () => this.metadata()],
      idempotencyKey: [0.3, () => this.string(() => this.#rng.pick(["k1", "k2", "k3", "k4"]))],
    };
    return this.#object(fields);
  }

  #messages(): Make {
    const roll = this.#calm ? this.#rng.next() * 0.85 : this.#rng.next();
    if (roll < 0.5) return this.#message();
    if (roll < 0.85) {
      const items = Array.from({ length: this.#rng.int(0, 4) }, () => this.#message());
      return (env) => items.map((m) => m(env));
    }
    if (roll < 0.9) {
      // Past the batch bound (1000 by default) and at it.
      const n = this.#rng.pick([1000, 1001]);
      return () =>
        Array.from({ length: n }, (_, i) => ({ role: "user", content: `zebra bulk ${i}` }));
    }
    return this.#rng.chance(0.5) ? this.wrong() : this.any();
  }

  #health(): Make {
    const keys = ["walBytes", "freeRatio", "poolWaitMs", "errorsPerMinute", "nope", "__proto__"];
    const key = this.#rng.pick(keys);
    const warn = this.number(() => this.#rng.int(0, 100));
    const critical = this.number(() => this.#rng.int(0, 100));
    if (this.#rng.chance(0.2)) return this.any();
    return (env) => ({ [key]: { warn: warn(env), critical: critical(env) } });
  }

  #options(spec: (d: Draw) => FieldSpec): Make {
    if (!this.#calm && this.#rng.chance(0.08)) return this.any();
    return this.#object(spec(this));
  }

  /** An object with some of `fields` (each with its chance), sometimes with a key too many. */
  #object(fields: FieldSpec): Make {
    const entries: [string, Make][] = [];
    for (const [key, [p, make]] of Object.entries(fields)) {
      if (this.#rng.chance(p)) entries.push([key, make()]);
    }
    if (!this.#calm && this.#rng.chance(0.07)) {
      const key = this.#rng.pick(["extra", "__proto__", "constructor", "tenantId", "sql", ""]);
      entries.push([key, this.any()]);
    }
    // defineProperty, so that a `__proto__` key is an own key, as JSON.parse makes it.
    return (env) => {
      const o: Record<string, unknown> = {};
      for (const [key, make] of entries) {
        Object.defineProperty(o, key, {
          value: make(env),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return o;
    };
  }

  /** No argument, or sometimes an argument too many. */
  #maybeNone(one: () => Make): Make[] {
    const roll = this.#rng.next();
    if (roll < 0.1) return [];
    if (roll < 0.13 && !this.#calm) return [one(), this.any()];
    return [one()];
  }

  #extraArgs(args: Make[]): Make[] {
    return !this.#calm && this.#rng.chance(0.05) ? [...args, this.any()] : args;
  }
}

/** Fields of an options object: the chance each is present, and how to draw its value. */
type FieldSpec = Record<string, [chance: number, draw: () => Make]>;

const NEW_SESSION = (d: Draw): FieldSpec => ({
  id: [0.3, () => d.chosenId()],
  title: [0.4, () => d.text()],
  model: [0.4, () => d.text()],
  metadata: [0.4, () => d.metadata()],
  tenantId: [0.15, () => d.string(() => d.pickTenant())],
  expiresAt: [0.2, () => d.number(() => Date.UTC(2027, 0, 1))],
});

const LIST_SESSIONS = (d: Draw): FieldSpec => ({
  status: [0.3, () => d.string(() => d.pickStatus())],
  model: [0.3, () => d.text()],
  tenantId: [0.2, () => d.string(() => d.pickTenant())],
  limit: [0.6, () => d.limit()],
  cursor: [0.4, () => d.cursor()],
});

const PATCH = (d: Draw): FieldSpec => ({
  title: [0.5, () => d.text()],
  model: [0.3, () => d.text()],
  metadata: [0.4, () => d.metadata()],
  expiresAt: [0.2, () => d.number(() => Date.UTC(2027, 0, 1))],
});

const FORK = (d: Draw): FieldSpec => ({
  atSeq: [0.5, () => d.number(() => d.smallInt(0, 8))],
  title: [0.3, () => d.text()],
  metadata: [0.3, () => d.metadata()],
  id: [0.4, () => d.chosenId()],
});

const LIST_MESSAGES = (d: Draw): FieldSpec => ({
  afterSeq: [0.4, () => d.number(() => d.smallInt(0, 70))],
  limit: [0.6, () => d.limit()],
  cursor: [0.4, () => d.cursor()],
});

const SEARCH = (d: Draw): FieldSpec => ({
  sessionId: [0.3, () => d.sessionId()],
  role: [0.2, () => d.role()],
  model: [0.2, () => d.text()],
  limit: [0.6, () => d.limit()],
  cursor: [0.4, () => d.cursor()],
  mark: [0.2, () => d.mark()],
});
