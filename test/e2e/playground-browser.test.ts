/**
 * Once, as a person would: headless Debian Chromium opens the Agents Playground page, types "help" and sees the
 * bot's Adaptive Card rendered by the playground's own renderer. No browser is downloaded; every host other than
 * loopback is blocked (the page asks a CDN for fonts and works without them).
 * Screenshot: docs/images/help.png when UPDATE_SCREENSHOTS=1, else the OS temp dir.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { freePort, startPlayground, type RunningPlayground } from "../../scripts/playground-lib";
import { startTestBot, type TestBot } from "../helpers/test-bot";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
/** What the playground (Bot Framework Web Chat + adaptivecards) shows when a card cannot be parsed or rendered. */
const CARD_ERRORS = /Adaptive Card (parse|render) error|Adaptive Card rendered as empty element|Render error\. Please check the console/i;

describe("Agents Playground in headless Chromium: a person types help and sees the card", () => {
  if (!existsSync(CHROMIUM)) {
    test("when Debian's chromium is not installed, then the browser round trip is not run and the reason is printed", () => {
      process.stdout.write(
        `playground-browser.test.ts: ${CHROMIUM} is absent, so the headless-browser round trip did not run. ` +
          "Install it with: apt-get install -y chromium (never a downloaded browser).\n",
      );
      expect(existsSync(CHROMIUM)).toBe(false);
    });
    return;
  }

  let bot: TestBot;
  let playground: RunningPlayground;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    bot = await startTestBot();
    playground = await startPlayground({ botEndpoint: `${bot.url}/api/messages`, port: await freePort() });
    profile = mkdtempSync(join(tmpdir(), "secops-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 1000 },
    });
    await context.route("**/*", async (route) => {
      const host = new URL(route.request().url()).hostname;
      if (host === "127.0.0.1" || host === "localhost") return route.continue();
      return route.abort();
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on("pageerror", (err) => pageErrors.push(err.message));
  }, 60000);

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await playground?.stop();
    await bot?.stop();
  });

  test("when help is typed and sent, then the SecOps help card renders without a card error", async () => {
    await page.goto(`${playground.url}/`);
    const box = page.locator('[data-lexical-editor="true"][role=textbox]');
    await box.waitFor({ timeout: 20000 });
    await box.click();
    await box.pressSequentially("help");
    await page.getByRole("button", { name: "Send Message" }).click();

    // Page load also brings the welcome card ("Hello! I'm the SecOps bot"); the help card is the one titled
    // "SecOps bot: what I can do" (src/bot/help-view.ts), after the message the person sent.
    const card = page.locator(".ac-adaptiveCard").filter({ hasText: "what I can do" }).last();
    await card.waitFor({ timeout: 20000 });
    const text = await card.innerText();
    expect(text).toContain("SecOps bot");
    expect(text).toContain("help [command]");

    expect(await page.locator("body").innerText()).not.toMatch(CARD_ERRORS);
    expect(pageErrors).toEqual([]);

    const target =
      process.env.UPDATE_SCREENSHOTS === "1"
        ? resolve(__dirname, "..", "..", "docs", "images", "help.png")
        : join(tmpdir(), "secops-playground-help.png");
    mkdirSync(dirname(target), { recursive: true });
    // The chat scrolls smoothly to new messages; put the whole help card in view and let the scroll settle.
    await card.evaluate((el) => el.scrollIntoView({ block: "end", behavior: "instant" }));
    await page.waitForTimeout(300);
    await page.screenshot({ path: target });
    expect(statSync(target).size).toBeGreaterThan(10_000);
  }, 60000);
});
