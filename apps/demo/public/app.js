// The demo page: plain JavaScript over the JSON API under /api.
//
// Everything a user or a model wrote is data, never markup: every node is
// built with createElement and text nodes (no string is ever parsed as HTML), and the
// server's Content-Security-Policy allows no script but this file.

const $ = (id) => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing`);
  return el;
};

/**
 * Builds an element. `props`: `class`, `data` (dataset), `on<event>`
 * handlers, other attributes set with setAttribute (never HTML). Children are
 * nodes or strings (strings become text nodes).
 */
function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "data") Object.assign(el.dataset, value);
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

// ---------------------------------------------------------------- the API

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function api(path, init) {
  const res = await fetch(path, { headers: { accept: "application/json" }, ...init });
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    throw new ApiError(
      res.status,
      body?.error?.code ?? "HTTP",
      body?.error?.message ?? res.statusText,
    );
  }
  return body;
}

const post = (path, body = {}) =>
  api(path, {
    method: "POST",
    headers: { accept: "application/json", "content-type": "application/json" },
    body: JSON.stringify(body),
  });

const enc = encodeURIComponent;

// ---------------------------------------------------------------- formatting

const nf = new Intl.NumberFormat("en");
const fmt = (n) => (typeof n === "number" ? nf.format(Math.round(n * 10) / 10) : String(n));

function ago(ms) {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s ago`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m ago`;
}

function duration(ms) {
  if (ms === null || ms === undefined) return "never";
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  return s < 120 ? `${fmt(s)} s` : `${fmt(s / 60)} min`;
}

const clock = (ms) => new Date(ms).toLocaleTimeString("en-GB", { hour12: false });
const shortId = (id) => `…${id.slice(-8)}`;
const statusBadge = (status) =>
  h("span", { class: `badge ${status}`, "data-testid": "status" }, status);

function toast(message) {
  const el = $("toast");
  el.textContent = message;
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => {
    el.hidden = true;
  }, 5000);
}

/** Replaces an element's children; null, undefined and false are left out. */
function fill(el, ...children) {
  el.replaceChildren(
    ...children
      .flat()
      .filter((c) => c !== null && c !== undefined && c !== false)
      .map((c) => (c instanceof Node ? c : document.createTextNode(String(c)))),
  );
}

/** A definition list of [label, value] pairs. */
function figures(el, pairs) {
  el.replaceChildren(
    ...pairs.flatMap(([label, value]) => [h("dt", null, label), h("dd", null, value)]),
  );
}

// ---------------------------------------------------------------- sessions list

const list = {
  status: "",
  cursors: [null],
  page: 0,
  next: null,
  held: false,
  waiting: false,
  signature: "",
};

// The list is ordered by last activity, so a refresh can move rows. While
// the pointer (or the keyboard focus) is on the list, refreshes wait: a row
// never moves under the pointer, so a click opens the session that was
// under it. A note says that newer activity is waiting; leaving the list
// shows it.
function holdList(held) {
  list.held = held;
  if (!held && list.waiting) loadSessions().catch(report);
}

function showWaiting(waiting) {
  list.waiting = waiting;
  $("list-held").hidden = !waiting;
}

/** What the rows show, to tell whether a held list is behind. */
const rowsSignature = (items) =>
  items.map((s) => `${s.id}/${s.status}/${s.messageCount}/${s.title}`).join("|");

async function loadSessions(options) {
  const params = new URLSearchParams({ limit: "20" });
  if (list.status) params.set("status", list.status);
  const cursor = list.cursors[list.page];
  if (cursor) params.set("cursor", cursor);
  const page = await api(`/api/sessions?${params}`);
  const rows = page.items.map((s) =>
    h(
      "tr",
      {
        class: s.id === view.id ? "selected" : undefined,
        data: { id: s.id },
        "data-testid": "session-row",
        onclick: () => select(s.id),
      },
      h("td", null, statusBadge(s.status)),
      h(
        "td",
        { class: "title", title: s.title ?? "" },
        h(
          "div",
          { class: "line" },
          s.parentId ? h("span", { class: "fork-mark", title: "a fork" }, "↳ ") : null,
          s.title ?? "(untitled)",
        ),
        h(
          "div",
          { class: "line sub" },
          [s.model ?? "no model", typeof s.metadata?.user === "string" ? s.metadata.user : null]
            .filter(Boolean)
            .join(" · "),
        ),
      ),
      h("td", { class: "num" }, fmt(s.messageCount)),
      h("td", { class: "num" }, fmt(s.tokenCount)),
      h("td", { class: "num muted" }, ago(s.lastActivityAt)),
    ),
  );
  if (rows.length === 0) {
    rows.push(h("tr", null, h("td", { colspan: 5, class: "empty" }, "no sessions here yet")));
  }
  const signature = rowsSignature(page.items);
  if (list.held && !options?.force) {
    if (signature !== list.signature) showWaiting(true);
    return;
  }
  list.signature = signature;
  list.next = page.nextCursor;
  $("sessions").replaceChildren(...rows);
  showWaiting(false);
  $("page-info").textContent = `page ${list.page + 1}`;
  $("page-next").disabled = !list.next;
  $("page-prev").disabled = list.page === 0;
  $("page-first").disabled = list.page === 0;
}

function setFilter(status) {
  list.status = status;
  list.cursors = [null];
  list.page = 0;
  for (const b of $("filters").querySelectorAll("button")) {
    b.classList.toggle("on", b.dataset.status === status);
  }
  loadSessions({ force: true }).catch(report);
}

// ---------------------------------------------------------------- one session

const view = { id: null, signature: "", messagesCursor: null };

async function select(id) {
  view.id = id;
  view.signature = "";
  history.replaceState(null, "", `#session=${enc(id)}`);
  $("action-result").textContent = "";
  for (const tr of $("sessions").querySelectorAll("tr")) {
    tr.classList.toggle("selected", tr.dataset.id === id);
  }
  await loadSession().catch(report);
}

async function loadSession() {
  const id = view.id;
  if (!id) return;
  let session;
  try {
    session = await api(`/api/sessions/${enc(id)}`);
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 400)) {
      view.id = null;
      $("session").hidden = true;
      $("session-empty").hidden = false;
      $("session-empty").textContent =
        error.status === 404
          ? `Session ${shortId(id)} is gone (purged or deleted).`
          : `There is no session ${JSON.stringify(id)}.`;
      return;
    }
    throw error;
  }
  if (view.id !== id) return;
  $("session-empty").hidden = true;
  $("session").hidden = false;
  $("session-title").textContent = session.title ?? "(untitled)";
  $("session-title").title = session.title ?? "";
  const badge = $("session-status");
  badge.textContent = session.status;
  badge.className = `badge ${session.status}`;
  fill(
    $("session-facts"),
    h("span", { title: session.id }, shortId(session.id)),
    ` · ${session.model ?? "no model"} · ${fmt(session.messageCount)} messages · ${fmt(session.tokenCount)} tokens · created ${clock(session.createdAt)} · last activity ${ago(session.lastActivityAt)}`,
    session.parentId
      ? h(
          "span",
          null,
          " · forked from ",
          h(
            "button",
            { type: "button", class: "link", onclick: () => select(session.parentId) },
            shortId(session.parentId),
          ),
          ` at #${session.parentSeq}`,
        )
      : null,
  );
  const archived = session.status === "archived";
  $("archive").disabled = archived;
  $("restore").disabled = !archived;
  $("fork").disabled = archived;
  $("archived-note").hidden = !archived;
  const signature = `${session.lastSeq}/${session.messageCount}/${session.status}`;
  if (signature === view.signature) return;
  view.signature = signature;
  await loadMessages(id, true);
}

async function loadMessages(id, fresh) {
  const params = new URLSearchParams({ limit: "100" });
  if (!fresh && view.messagesCursor) params.set("cursor", view.messagesCursor);
  const page = await api(`/api/sessions/${enc(id)}/messages?${params}`);
  if (view.id !== id) return;
  view.messagesCursor = page.nextCursor;
  const items = page.items.map((m) => messageItem(m, id));
  if (fresh) $("messages").replaceChildren(...items);
  else $("messages").append(...items);
  if (items.length === 0 && fresh) {
    $("messages").append(h("li", { class: "empty" }, "no messages yet"));
  }
  $("more-messages").hidden = !page.nextCursor;
}

function messageItem(m, sessionId) {
  const facts = [
    m.model,
    m.tokens !== null ? `${fmt(m.tokens)} tokens` : null,
    m.latencyMs !== null ? `${m.latencyMs} ms` : null,
    clock(m.createdAt),
  ].filter(Boolean);
  return h(
    "li",
    { class: `message ${m.role}`, data: { seq: m.seq }, "data-testid": "message" },
    h(
      "div",
      { class: "meta" },
      h("span", { class: "role" }, m.role),
      h("span", { class: "seq" }, `#${m.seq}`),
      h("span", { class: "muted" }, facts.join(" · ")),
      h(
        "button",
        {
          type: "button",
          class: "link fork-here",
          title: `fork this conversation at message #${m.seq}`,
          onclick: () => fork(sessionId, m.seq),
        },
        "fork here",
      ),
    ),
    h("p", { class: "content", "data-testid": "message-content" }, m.content),
  );
}

async function act(label, run) {
  const out = $("action-result");
  out.textContent = `${label}…`;
  try {
    const text = await run();
    out.textContent = text;
  } catch (error) {
    out.textContent = "";
    report(error);
  }
  refreshSoon();
}

async function fork(id, atSeq) {
  await act("forking", async () => {
    const branch = await post(
      `/api/sessions/${enc(id)}/fork`,
      atSeq === undefined ? {} : { atSeq },
    );
    await select(branch.id);
    return `forked: this is the new session (${branch.messageCount} messages copied)`;
  });
}

// ---------------------------------------------------------------- search

const search = { q: "", cursor: null };

async function runSearch(more) {
  if (!more) search.cursor = null;
  const params = new URLSearchParams({ q: search.q, limit: "20" });
  if (more && search.cursor) params.set("cursor", search.cursor);
  const page = await api(`/api/search?${params}`);
  search.cursor = page.nextCursor;
  const items = page.items.map((hit) =>
    h(
      "li",
      {
        class: "result",
        "data-testid": "search-result",
        data: { session: hit.message.sessionId },
        tabindex: 0,
        onclick: () => select(hit.message.sessionId),
        onkeydown: (e) => {
          if (e.key === "Enter") select(hit.message.sessionId);
        },
      },
      h(
        "div",
        { class: "meta" },
        hit.session ? statusBadge(hit.session.status) : null,
        h("span", { class: "title" }, hit.session?.title ?? shortId(hit.message.sessionId)),
        h("span", { class: "muted" }, `${hit.message.role} #${hit.message.seq}`),
      ),
      h("p", { class: "snippet", "data-testid": "snippet" }, snippet(hit.snippetParts)),
    ),
  );
  if (more) $("results").append(...items);
  else $("results").replaceChildren(...items);
  const shown = $("results").children.length;
  fill(
    $("search-info"),
    shown === 0
      ? `nothing found for “${search.q}” (archived sessions are not searched)`
      : `${shown}${page.nextCursor ? "+" : ""} result${shown === 1 ? "" : "s"} for “${search.q}”, newest first `,
    page.nextCursor
      ? h(
          "button",
          { type: "button", class: "link", onclick: () => runSearch(true).catch(report) },
          "more",
        )
      : null,
  );
}

/** The excerpt, with matches as <mark> elements: text nodes only. */
function snippet(parts) {
  return parts.map((part) =>
    part.match ? h("mark", null, part.text) : document.createTextNode(part.text),
  );
}

// ---------------------------------------------------------------- usage and live panel

async function loadStats() {
  const stats = await api("/api/stats");
  const max = Math.max(1, ...stats.byModel.map((m) => m.tokens));
  $("usage").replaceChildren(
    ...stats.byModel.map((m) => {
      const bar = h("span", { class: "bar", title: `${fmt(m.tokens)} tokens` });
      bar.style.width = `${(100 * m.tokens) / max}%`;
      return h(
        "tr",
        { "data-testid": "usage-row" },
        h("td", { class: "model" }, m.model ?? "(none)", bar),
        h("td", { class: "num" }, fmt(m.sessions)),
        h("td", { class: "num" }, fmt(m.messages)),
        h("td", { class: "num" }, fmt(m.tokens)),
      );
    }),
  );
  const s = stats.sessions;
  $("session-total").textContent =
    `${fmt(s.total)} sessions · ${fmt(stats.messages)} messages · ${fmt(stats.tokens)} tokens`;
  const parts = ["active", "idle", "archived"].map((status) => {
    const part = h("span", { class: `part ${status}`, title: `${status}: ${s[status]}` });
    part.style.flexGrow = String(s[status]);
    return part;
  });
  $("status-bar").replaceChildren(...parts);
  $("status-legend").replaceChildren(
    ...["active", "idle", "archived"].map((status) =>
      h(
        "span",
        { class: "legend-item" },
        h("span", { class: `dot ${status}` }),
        `${status} ${fmt(s[status])}`,
      ),
    ),
  );
}

async function loadLive() {
  const live = await api("/api/live");
  const t = live.simulation.totals;
  $("run").textContent =
    `${live.info.driver} on ${live.info.database} · up ${duration(live.now - live.startedAt)} · ` +
    `${fmt(t.turns)} turns by ${live.simulation.settings.users} simulated users` +
    (live.simulation.running ? "" : " (stopped)");

  const p = live.pool;
  figures($("pool"), [
    ["connections", `${p.size} (${p.idle} idle, ${p.busy} busy)`],
    ["waiting", fmt(p.waiting)],
    ["acquired", fmt(p.acquired)],
    [
      "wait p50 / p95 / p99",
      `${fmt(p.waitMs.p50)} / ${fmt(p.waitMs.p95)} / ${fmt(p.waitMs.p99)} ms`,
    ],
    ["timed out / refused", `${fmt(p.timedOut)} / ${fmt(p.overloaded)}`],
    ["replaced", fmt(p.replaced)],
    ["WAL pages", p.walPages === undefined ? "—" : fmt(p.walPages)],
    ["checkpoints", fmt(p.checkpoints)],
  ]);
  // A counter the browser test waits on ("one more refresh"), instead of a sleep.
  $("pool").dataset.refreshes = String(Number($("pool").dataset.refreshes ?? 0) + 1);

  const { policy, figures: f } = live.lifecycle;
  figures($("lifecycle"), [
    [
      "policy",
      `idle ${duration(policy.idleAfterMs)} → archive ${duration(policy.archiveAfterMs)} → purge ${duration(policy.purgeAfterMs)}`,
    ],
    ["sweeps", `${fmt(f.sweeps)}, every ${duration(policy.sweepEveryMs)}`],
    [
      "last sweep",
      f.lastSweepAt ? `${ago(f.lastSweepAt)}, ${fmt(f.lastSweepDurationMs ?? 0)} ms` : "—",
    ],
    ["idled / archived / purged", `${fmt(f.idled)} / ${fmt(f.archived)} / ${fmt(f.purged)}`],
    ["restored", fmt(f.restored)],
    ["users came back", fmt(t.returns)],
  ]);

  renderHealth(live.health);
  renderDatabase(live.database);
  renderOperations(live.operations);
  $("events").replaceChildren(
    ...(live.events.length === 0
      ? [h("li", { class: "empty" }, "nothing yet: sessions go idle after a few quiet seconds")]
      : live.events.map((e) =>
          h(
            "li",
            { class: `event ${e.kind}`, "data-testid": "event" },
            h("span", { class: "time muted" }, clock(e.at)),
            h("span", { class: `kind ${e.kind}` }, e.kind),
            e.sessionId
              ? h(
                  "button",
                  { type: "button", class: "link text", onclick: () => select(e.sessionId) },
                  e.text,
                )
              : h("span", { class: "text" }, e.text),
          ),
        )),
  );
}

function renderHealth(health) {
  const badge = $("health-badge");
  badge.textContent = `health: ${health.status}`;
  badge.className = `badge health-${health.status}`;
  $("health").replaceChildren(
    ...(health.reasons.length === 0
      ? [h("li", { class: "ok" }, "ok: every figure is under its threshold")]
      : health.reasons.map((r) => h("li", { class: r.level }, `${r.level}: ${r.message}`))),
  );
}

const bytes = (n) =>
  n === undefined || n === null
    ? "—"
    : n < 1024 * 1024
      ? `${fmt(n / 1024)} KiB`
      : `${fmt(n / 1024 / 1024)} MiB`;

function renderDatabase(db) {
  figures($("database"), [
    ["file", bytes(db.fileBytes)],
    ["WAL", bytes(db.walBytes)],
    ["pages", `${fmt(db.pageCount)} × ${fmt(db.pageSize)} B`],
    ["free pages", `${fmt(db.freelistCount)} (${fmt(db.freeRatio * 100)}%)`],
  ]);
}

/** `store.metrics()` operations that ran, busiest first. */
function renderOperations(operations) {
  const rows = Object.entries(operations)
    .filter(([, o]) => o.count + o.errors > 0)
    .sort(([, a], [, b]) => b.count + b.errors - (a.count + a.errors))
    .map(([name, o]) =>
      h(
        "tr",
        null,
        h("td", null, name),
        h("td", { class: "num" }, fmt(o.count)),
        h("td", { class: `num${o.errors ? " warn" : ""}` }, fmt(o.errors)),
        h("td", { class: "num" }, o.latencyMs.p95.toFixed(2)),
      ),
    );
  $("operations").replaceChildren(...rows);
}

// ---------------------------------------------------------------- wiring

function report(error) {
  console.warn(error);
  toast(error instanceof Error ? error.message : String(error));
}

let connected = true;
function setConnected(ok) {
  if (ok === connected) return;
  connected = ok;
  const el = $("connection");
  el.textContent = ok ? "live" : "disconnected";
  el.className = `badge ${ok ? "live" : "down"}`;
}

/** Runs `task` now and then every `ms`, never overlapping itself. */
function every(ms, task) {
  const tick = async () => {
    try {
      await task();
      setConnected(true);
    } catch (error) {
      if (error instanceof ApiError) report(error);
      else setConnected(false);
    }
    setTimeout(tick, ms);
  };
  tick();
}

let soon;
function refreshSoon() {
  clearTimeout(soon);
  soon = setTimeout(() => {
    loadSessions().catch(report);
    loadStats().catch(report);
    if (view.id) loadSession().catch(report);
  }, 100);
}

function start() {
  connected = false;
  setConnected(true);
  for (const b of $("filters").querySelectorAll("button")) {
    b.addEventListener("click", () => setFilter(b.dataset.status ?? ""));
  }
  $("page-next").addEventListener("click", () => {
    if (!list.next) return;
    list.cursors[list.page + 1] = list.next;
    list.page += 1;
    loadSessions({ force: true }).catch(report);
  });
  $("page-prev").addEventListener("click", () => {
    list.page = Math.max(0, list.page - 1);
    loadSessions({ force: true }).catch(report);
  });
  $("page-first").addEventListener("click", () => {
    list.page = 0;
    list.cursors = [null];
    loadSessions({ force: true }).catch(report);
  });
  const rows = $("sessions");
  rows.addEventListener("pointerenter", () => holdList(true));
  rows.addEventListener("pointerleave", () => holdList(rows.contains(document.activeElement)));
  rows.addEventListener("focusin", () => holdList(true));
  rows.addEventListener("focusout", () => holdList(false));
  $("archive").addEventListener("click", () =>
    act("archiving", async () => {
      await post(`/api/sessions/${enc(view.id)}/archive`);
      return "archived: snapshot written, messages left the hot tables";
    }),
  );
  $("restore").addEventListener("click", () =>
    act("restoring", async () => {
      const s = await post(`/api/sessions/${enc(view.id)}/restore`);
      return `restored from its snapshot: ${s.messageCount} messages back`;
    }),
  );
  $("fork").addEventListener("click", () => fork(view.id));
  $("more-messages").addEventListener("click", () => loadMessages(view.id, false).catch(report));
  $("composer").addEventListener("submit", (e) => {
    e.preventDefault();
    const input = $("composer-input");
    const content = input.value;
    if (!content.trim() || !view.id) return;
    act("sending", async () => {
      await post(`/api/sessions/${enc(view.id)}/messages`, { content });
      input.value = "";
      return "sent; the model answered";
    });
  });
  $("search-form").addEventListener("submit", (e) => {
    e.preventDefault();
    search.q = $("q").value.trim();
    if (!search.q) return;
    runSearch(false).catch(report);
  });

  const fromHash = () => {
    const m = /^#session=(.+)$/.exec(location.hash);
    if (m?.[1]) select(decodeURIComponent(m[1]));
  };
  window.addEventListener("hashchange", fromHash);
  fromHash();

  every(2000, loadSessions);
  every(2000, loadStats);
  every(1000, loadLive);
  every(2000, loadSession);
}

start();
