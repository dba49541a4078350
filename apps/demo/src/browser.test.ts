/// <reference lib="dom" />
// (page.evaluate and waitForFunction callbacks run in the browser)
/**
 * The demo page in a real browser: Debian's Chromium driven by playwright-core
 * (no browser download). The demo runs in this process on a temporary
 * database and a random port; the page must load, show sessions that grow,
 * find a message, archive and restore a session, and show hostile content as
 * text without running any of it. Last, it saves the screenshot the README
 * shows (apps/demo/screenshot.png).
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningDemo, startDemo } from "./demo.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SCREENSHOT = fileURLToPath(new URL("../screenshot.png", import.meta.url));

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
    await expect(page.getByTestId("search-result").count()).resolves.toBe(2);
    await expect(result.locator("mark").first().textContent()).resolves.toBe("quokkaphone");
    await result.click();
    await page.waitForFunction(
      () => document.getElementById("session-title")?.textContent === "Lost manual",
    );
    await expect(page.getByTestId("message-content").count()).resolves.toBe(2);
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
    // Still readable, from the snapshot.
    await expect(page.getByTestId("message-content").count()).resolves.toBe(2);

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

    await page.waitForTimeout(300); // time for an image error handler, if one had been created
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
    await page.waitForTimeout(1_200); // one more refresh of the live panel
    await page.screenshot({ path: SCREENSHOT });
    expect(existsSync(SCREENSHOT)).toBe(true);
    expect(pageErrors).toEqual([]);
  }, 30_000);
});
