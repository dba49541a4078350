/// <reference lib="dom" />
// (page.evaluate and waitForFunction callbacks run in the browser)
/**
 * The demo page in a real browser: Debian's Chromium driven by playwright-core
 * (no browser download). The demo runs in this process on a temporary
 * database and a random port; the page must load, show sessions that grow,
 * find a message, archive and restore a session, and show hostile content as
 * text without running any of it. Then it lays the page out at four widths
 * (1,280, 1,400, 1,920 and a phone's 390), fails on anything wider than its
 * box, and saves a screenshot of each in apps/demo/.screenshots/ (ignored by
 * git). The README's apps/demo/screenshot.png is rewritten only on request:
 * `npm run screenshot -w @llm-sessions/demo` (DEMO_SCREENSHOT=update).
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningDemo, startDemo } from "./demo.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** The README's picture: rewritten only when DEMO_SCREENSHOT=update. */
const TRACKED_SCREENSHOT = fileURLToPath(new URL("../screenshot.png", import.meta.url));
/** Where every run writes its screenshots (ignored by git). */
const SHOTS = fileURLToPath(new URL("../.screenshots/", import.meta.url));
const UPDATE_TRACKED = process.env.DEMO_SCREENSHOT === "update";

/** Widths the layout must fit: two laptop screens, a desktop one, a phone. */
const VIEWPORTS = [
  { name: "1280", width: 1280, height: 1000 },
  { name: "1400", width: 1400, height: 1000 },
  { name: "1920", width: 1920, height: 1080 },
  { name: "phone-390", width: 390, height: 844 },
] as const;

/** What sticks out: the page wider than the window, or an element wider than its box. */
interface Overflow {
  readonly page: { scrollWidth: number; innerWidth: number };
  readonly elements: readonly string[];
}

/**
 * Measures horizontal overflow in the page: the document against the window,
 * and in every panel each visible element against its own box (content that
 * spills or scrolls sideways) and against its panel's box. Text cut on
 * purpose with an ellipsis is allowed; how much room titles get is checked
 * apart.
 */
function measureOverflow(): Promise<Overflow> {
  return page.evaluate(() => {
    const describe = (el: Element): string => {
      const id = el.id ? `#${el.id}` : "";
      const cls = el.classList.length > 0 ? `.${Array.from(el.classList).join(".")}` : "";
      const text = (el.textContent ?? "").trim().slice(0, 30);
      return `${el.tagName.toLowerCase()}${id}${cls} "${text}"`;
    };
    const elements: string[] = [];
    for (const panel of Array.from(document.querySelectorAll(".panel"))) {
      const box = panel.getBoundingClientRect();
      if (box.width === 0) continue;
      if (box.right > window.innerWidth + 0.5) {
        elements.push(`${describe(panel)} ends at ${box.right} of ${window.innerWidth}`);
      }
      for (const el of Array.from(panel.querySelectorAll("*"))) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        const style = getComputedStyle(el);
        if (r.left < box.left - 0.5 || r.right > box.right + 0.5) {
          elements.push(
            `${describe(el)} spans ${r.left}..${r.right}, its panel ${box.left}..${box.right}`,
          );
          continue;
        }
        if (style.textOverflow === "ellipsis" && style.overflowX === "hidden") continue;
        if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0) {
          elements.push(`${describe(el)} holds ${el.scrollWidth} px in ${el.clientWidth}`);
        }
      }
    }
    return {
      page: {
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
      },
      elements,
    };
  });
}

const dir = mkdtempSync(join(tmpdir(), "llm-sessions-demo-browser-"));
let demo: RunningDemo;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];
const dialogs: string[] = [];

/** The number at the start of the "N sessions · ..." line. */
async function sessionTotal(): Promise<number> {
  const text = (await page.getByTestId("session-total").textContent()) ?? "";
  return Number(text.split(" ")[0]?.replace(/,/g, "") || 0);
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The browser test needs Chromium at ${CHROMIUM}, and there is none.\n` +
        "Install Debian's package:   sudo apt-get update && sudo apt-get install -y chromium\n" +
        "or point CHROMIUM_PATH at another Chromium or Chrome binary. (.ci/run installs it in CI.)",
    );
  }
  demo = await startDemo({
    file: join(dir, "router.db"),
    port: 0,
    users: 6,
    rate: 15,
    seed: 42,
    // Faster than `npm run demo`, so idle and archived sessions show within the test.
    lifecycle: { idleAfterMs: 3_000, archiveAfterMs: 7_000, purgeAfterMs: 120_000 },
    sweepEveryMs: 500,
  });
  context = await chromium.launchPersistentContext(join(dir, "profile"), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
    ],
    viewport: { width: 1600, height: 960 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (error) => pageErrors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") pageErrors.push(message.text());
  });
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
}, 30_000);

afterAll(async () => {
  await context?.close();
  await demo?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the demo page in Chromium", () => {
  it("loads with its Content-Security-Policy, and sessions appear and grow", async () => {
    const response = await page.goto(demo.url);
    expect(response?.status()).toBe(200);
    expect(response?.headers()["content-security-policy"]).toContain("script-src 'self'");
    await expect(page.title()).resolves.toContain("llm-sessions");

    await page.getByTestId("session-row").nth(2).waitFor();
    await page.waitForFunction(() =>
      /^\d/.test(document.getElementById("session-total")?.textContent ?? ""),
    );
    const before = await sessionTotal();
    expect(before).toBeGreaterThan(0);
    await page.waitForFunction(
      (n) =>
        Number((document.getElementById("session-total")?.textContent ?? "").split(" ")[0]) > n,
      before,
      { timeout: 10_000 },
    );
    // Usage per model and the live panel are filled in.
    await page.getByTestId("usage-row").first().waitFor();
    await expect(page.getByTestId("pool").textContent()).resolves.toContain("connections");
    await expect(page.getByTestId("health-badge").textContent()).resolves.toMatch(
      /health: (ok|warn)/,
    );
  });

  it("search finds a known message, with the match marked", async () => {
    const s = await demo.store.sessions.create({ title: "Lost manual", model: "sage-large" });
    await demo.store.messages.append(s.id, [
      { role: "user", content: "where is the quokkaphone manual?" },
      {
        role: "assistant",
        content: "The quokkaphone manual is in the drawer.",
        model: "sage-large",
        tokens: 8,
      },
    ]);
    await page.getByTestId("search-input").fill("quokkaphone");
    await page.getByTestId("search-button").click();
    const result = page.getByTestId("search-result").first();
    await result.waitFor();
    // Polled: the page fills the list after what the test waited for.
    await expect.poll(() => page.getByTestId("search-result").count(), { timeout: 30_000 }).toBe(2);
    await expect(result.locator("mark").first().textContent()).resolves.toBe("quokkaphone");
    await result.click();
    await page.waitForFunction(
      () => document.getElementById("session-title")?.textContent === "Lost manual",
    );
    // Polled: the page fills the list after what the test waited for.
    await expect
      .poll(() => page.getByTestId("message-content").count(), { timeout: 30_000 })
      .toBe(2);
  });

  it("archive, then restore, round-trips the session", async () => {
    const status = page.getByTestId("session-status");
    await page.waitForFunction(
      () => document.getElementById("session-status")?.textContent !== "archived",
    );
    await page.getByTestId("archive").click();
    await page.waitForFunction(
      () => document.getElementById("session-status")?.textContent === "archived",
    );
    await expect(page.getByTestId("restore").isEnabled()).resolves.toBe(true);
    await expect(page.getByTestId("archive").isEnabled()).resolves.toBe(false);
    // Still readable, from the snapshot (polled: the list fills after the status).
    await expect
      .poll(() => page.getByTestId("message-content").count(), { timeout: 30_000 })
      .toBe(2);

    await page.getByTestId("restore").click();
    await page.waitForFunction(
      () => document.getElementById("session-status")?.textContent === "active",
    );
    await expect(status.textContent()).resolves.toBe("active");
    await expect(page.getByTestId("message-content").nth(1).textContent()).resolves.toBe(
      "The quokkaphone manual is in the drawer.",
    );
    await page.waitForFunction(() =>
      (document.getElementById("events")?.textContent ?? "").includes('archived "Lost manual"'),
    );
  });

  it("shows <script> and <img onerror> in a message as text, and runs nothing", async () => {
    const hostile =
      '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> zebracorn';
    const s = await demo.store.sessions.create({
      title: '<img src=x onerror="window.__pwned = 3">Hostile title',
      model: "coder-pro",
    });
    await demo.store.messages.append(s.id, { role: "user", content: hostile });
    // A hash-only change would be a same-document navigation that keeps the previous
    // test's conversation and search results on screen; load the page afresh.
    await page.goto("about:blank");
    await page.goto(`${demo.url}#session=${s.id}`);
    await page.getByTestId("message-content").first().waitFor();
    // Typed into the page, too.
    const typed = '<img src=y onerror="window.__pwned = 4"><b>bold?</b>';
    await page.getByTestId("composer-input").fill(typed);
    await page.getByTestId("send").click();
    await page.waitForFunction(
      () => document.querySelectorAll("[data-testid=message-content]").length >= 3,
    );

    const contents = await page.getByTestId("message-content").allTextContents();
    expect(contents[0]).toBe(hostile);
    expect(contents[1]).toBe(typed);
    await expect(page.getByTestId("session-title").textContent()).resolves.toBe(
      '<img src=x onerror="window.__pwned = 3">Hostile title',
    );

    // And in a search snippet.
    await page.getByTestId("search-input").fill("zebracorn");
    await page.getByTestId("search-button").click();
    // Wait for this search's result, not whatever an earlier search left on screen.
    const snippet = page.getByTestId("snippet").filter({ hasText: "zebracorn" }).first();
    await snippet.waitFor();
    await expect(snippet.textContent()).resolves.toContain("<script>window.__pwned = 1</script>");
    await expect(snippet.locator("mark").textContent()).resolves.toBe("zebracorn");

    // No sleep for an image's error handler: with no <img> in the page (checked
    // below) there is none to wait for.
    const found = await page.evaluate(() => ({
      pwned: (window as unknown as { __pwned?: number }).__pwned,
      images: document.querySelectorAll("img").length,
      scripts: Array.from(document.scripts, (s) => s.getAttribute("src")),
      bold: document.querySelectorAll("main b").length,
    }));
    expect(found).toEqual({ pwned: undefined, images: 0, scripts: ["/app.js"], bold: 0 });
    // The simulation's own titles include "<script>alert(1)</script>": no dialog ever opened.
    expect(dialogs).toEqual([]);
  });

  it("saves a screenshot with real data: sessions in every state, a conversation, search, usage, live figures", async () => {
    // Wide enough for the four panels side by side.
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.goto(demo.url);
    // Wait for the lifecycle to have archived something, so every state shows.
    await page.waitForFunction(
      () => /archived [1-9]/.test(document.getElementById("status-legend")?.textContent ?? ""),
      undefined,
      { timeout: 15_000 },
    );
    await page.getByTestId("session-row").first().waitFor();
    // Open a conversation of the simulation with a few messages.
    const rows = page.getByTestId("session-row");
    const count = await rows.count();
    for (let i = 0; i < count; i++) {
      const cells = await rows.nth(i).locator("td").allTextContents();
      if (Number(cells[2]) >= 6 && !cells[1]?.includes("<")) {
        await rows.nth(i).click();
        break;
      }
    }
    await page.getByTestId("message-content").first().waitFor();
    await page.getByTestId("search-input").fill("sqlite wal");
    await page.getByTestId("search-button").click();
    await page.getByTestId("search-result").first().waitFor();
    await page.getByTestId("event").first().waitFor();
    // One more refresh of the live panel.
    const refreshes = await page.evaluate(() => document.getElementById("pool")?.dataset.refreshes);
    await page.waitForFunction(
      (n) => document.getElementById("pool")?.dataset.refreshes !== n,
      refreshes,
    );
    mkdirSync(SHOTS, { recursive: true });
    const shot = join(SHOTS, "readme.png");
    await page.screenshot({ path: shot });
    expect(existsSync(shot)).toBe(true);
    if (UPDATE_TRACKED) copyFileSync(shot, TRACKED_SCREENSHOT);
    expect(pageErrors).toEqual([]);
  }, 30_000);

  it("rows hold still while the pointer is on the list (a note says newer activity waits), so a click opens the row under it", async () => {
    await page.goto("about:blank");
    await page.goto(demo.url);
    const rows = page.getByTestId("session-row");
    await rows.nth(5).waitFor();
    const ids = () => rows.evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.id));
    await page.mouse.move(0, 0);
    await rows.nth(3).hover();
    const held = await ids();
    const under = held[3] ?? "";
    const row = page.locator(`[data-testid=session-row][data-id="${under}"]`);
    const count = async () =>
      Number(((await row.locator("td").nth(2).textContent()) ?? "").replace(/,/g, ""));
    const before = await count();
    // New messages in the session under the pointer: a refresh would change its row.
    await demo.store.messages.append(under, [
      { role: "user", content: "I am back" },
      { role: "user", content: "still there?" },
    ]);
    await page.getByTestId("list-held").waitFor({ state: "visible", timeout: 10_000 });
    expect(await ids()).toEqual(held);
    expect(await count()).toBe(before);
    await rows.nth(3).click();
    await page.waitForFunction(
      (id) => location.hash === `#session=${encodeURIComponent(id)}`,
      under,
      { timeout: 10_000 },
    );
    // Off the list, the waiting refresh shows.
    await page.mouse.move(0, 0);
    await page.getByTestId("list-held").waitFor({ state: "hidden", timeout: 10_000 });
    await row.waitFor();
    expect(await count()).toBeGreaterThanOrEqual(before + 2);
  });

  for (const viewport of VIEWPORTS) {
    it(`fits ${viewport.width} px wide: nothing wider than the window or its box; titles get room; the empty view says where sessions are`, async () => {
      await page.setViewportSize({ width: viewport.width, height: viewport.height });
      await page.goto("about:blank");
      await page.goto(demo.url);
      await page.getByTestId("session-row").nth(2).waitFor();
      await page.getByTestId("usage-row").first().waitFor();
      await page.getByTestId("event").first().waitFor();
      // Before a session is picked: the hint names where the list is in this layout.
      const hint = page.locator("#session-empty");
      const stacked = await page.evaluate(() => {
        const list = document.getElementById("sessions-panel")?.getBoundingClientRect();
        const view = document.getElementById("session-panel")?.getBoundingClientRect();
        return list !== undefined && view !== undefined && view.top >= list.bottom;
      });
      // biome-ignore lint/performance/useDomNodeTextContent: the text as laid out (one of two spans shows per layout) is the point
      await expect(hint.innerText()).resolves.toMatch(
        stacked ? /Pick a session above/ : /Pick a session on the left/,
      );
      // A long title, a conversation and search results on screen.
      const s = await demo.store.sessions.create({
        title: "A rather long session title about quarterly invoices and refunds",
        model: "sage-large",
      });
      await demo.store.messages.append(s.id, [
        { role: "user", content: "where are the quarterly invoices for 2025?" },
        {
          role: "assistant",
          content: "In the billing folder.",
          model: "sage-large",
          tokens: 123456,
        },
      ]);
      await page.getByTestId("search-input").fill("invoices");
      await page.getByTestId("search-button").click();
      await page.getByTestId("search-result").first().waitFor();
      await page.getByTestId("search-result").first().click();
      await page.getByTestId("message-content").first().waitFor();
      const row = page.locator(`[data-testid=session-row][data-id="${s.id}"]`);
      await row.waitFor();

      // Saved before the checks, so a failing layout can be looked at.
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: join(SHOTS, `${viewport.name}.png`), fullPage: true });
      const overflow = await measureOverflow();
      expect(overflow.page.scrollWidth, "the page is wider than the window").toBeLessThanOrEqual(
        overflow.page.innerWidth,
      );
      expect(overflow.elements).toEqual([]);
      // The title's cell shows at least 28 characters of the title.
      const shown = await row
        .locator("td.title .line")
        .first()
        .evaluate((el) => {
          const text = el.textContent ?? "";
          const range = document.createRange();
          range.selectNodeContents(el);
          const perChar = range.getBoundingClientRect().width / Math.max(1, text.length);
          return Math.floor(el.clientWidth / perChar);
        });
      expect(shown).toBeGreaterThanOrEqual(28);
      expect(pageErrors).toEqual([]);
    });
  }
});
