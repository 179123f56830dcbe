#!/usr/bin/env node
"use strict";
/**
 * `npm run screenshots`: refreshes docs/images/*.png from the real cards as Microsoft 365 Agents Playground shows them.
 * Builds (via npm), starts the bot from dist/ in demo mode with the roles `npm run playground` gives the mock users and
 * a throw-away state folder, starts the playground, and drives its page in headless Debian Chromium through a first
 * conversation: welcome → help → "Secure score" button → exposure → vm vm-web-01 → (war room) jit request, approved
 * by Alex Approver → capture start → digest now. Each card is cropped as the page draws it.
 *
 * test/e2e/playground-browser.test.ts runs the same conversation (runConversation below), so the screenshots in the
 * README are the ones the tests check. Needs /usr/bin/chromium (apt-get install -y chromium); nothing is downloaded,
 * and every request to a host other than loopback is blocked.
 *
 * Environment: SCREENSHOTS_DIR  where to write (default docs/images)
 */
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { startPlayground, freePort, playgroundRoles, PlaygroundClient, REPO_ROOT } = require("./playground-lib");

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
/** What the playground (adaptivecards in its page) shows when a card cannot be parsed or rendered. */
const CARD_ERRORS = /Adaptive Card (parse|render) error|Adaptive Card rendered as empty element|Render error\. Please check the console/i;
/** Wide enough for the playground's chat column; tall enough that the longest card fits in its scroll area. */
const VIEWPORT = { width: 1280, height: 800 };
const TALL = { width: 1280, height: 2600 };
/** The README's picture, the whole window as a newcomer sees it: tall enough for the welcome card and the score card. */
const HERO = { width: 1280, height: 1440 };

/**
 * Opens headless Chromium on a fresh profile with every non-loopback host blocked.
 * @returns {Promise<{context: import("playwright-core").BrowserContext, page: import("playwright-core").Page, close(): Promise<void>}>}
 */
async function launchBrowser() {
  const { chromium } = require("playwright-core");
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "secops-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: VIEWPORT,
  });
  await context.route("**/*", (route) => {
    const host = new URL(route.request().url()).hostname;
    // The page asks a Microsoft CDN for fonts and an animation; it works without them, and tests stay offline.
    return host === "127.0.0.1" || host === "localhost" ? route.continue() : route.abort();
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Drives the playground page through the first conversation and crops each card.
 * @param {object} o
 * @param {import("playwright-core").Page} o.page      a page from launchBrowser()
 * @param {PlaygroundClient} o.client                  connected to the same playground (it presses Approve as Alex)
 * @param {string} o.outDir                            where the PNGs go
 * @param {(line: string) => void} [o.log]
 * @returns {Promise<{name: string, file: string, text: string}[]>}  one entry per screenshot, in order
 */
async function runConversation({ page, client, outDir, log = () => undefined }) {
  fs.mkdirSync(outDir, { recursive: true });
  const shots = [];
  const cards = page.locator(".ac-adaptiveCard");
  const box = page.locator('[data-lexical-editor="true"][role=textbox]');

  /** The newest card on the page whose text matches `marker` (a RegExp is case-sensitive), once it is there. */
  async function cardWith(marker) {
    const card = cards.filter({ hasText: marker }).last();
    await card.waitFor({ timeout: 20000 });
    return card;
  }

  async function type(text) {
    await box.click();
    await box.pressSequentially(text);
    await page.getByRole("button", { name: "Send Message" }).click();
  }

  /** Crops the card's frame (the playground's card border) at a viewport tall enough for the whole card. */
  async function shoot(name, card) {
    await page.setViewportSize(TALL);
    const frame = card.locator("xpath=ancestor::*[contains(concat(' ', normalize-space(@class), ' '), ' fai-OutputCard ')][1]");
    const target = (await frame.count()) > 0 ? frame : card;
    await target.evaluate((el) => el.scrollIntoView({ block: "center", behavior: "instant" }));
    // The chat scrolls smoothly to new messages; let it settle before the crop.
    await page.waitForTimeout(300);
    const file = path.join(outDir, `${name}.png`);
    await target.screenshot({ path: file, animations: "disabled" });
    await page.setViewportSize(VIEWPORT);
    const text = await card.innerText();
    shots.push({ name, file, text });
    log(`  ${path.relative(process.cwd(), file)}`);
  }

  await page.goto(`${client.url}/`);
  await box.waitFor({ timeout: 20000 });
  // Opening the page installs the bot: the welcome card, with three first questions.
  const welcome = await cardWith("Hello! I'm the SecOps bot");
  await shoot("welcome", welcome);

  // The first question, as a newcomer asks it: the welcome card's "Secure score" button.
  await welcome.getByRole("button", { name: "Secure score" }).click();
  const score = await cardWith(/Top controls by potential gain/);
  await shoot("score", score);
  // The whole window, for the README: the welcome card and the answer to its first button, as in Teams.
  await page.setViewportSize(HERO);
  await score.evaluate((el) => el.scrollIntoView({ block: "end", behavior: "instant" }));
  await page.waitForTimeout(300);
  const playgroundFile = path.join(outDir, "playground.png");
  await page.screenshot({ path: playgroundFile, animations: "disabled" });
  await page.setViewportSize(VIEWPORT);
  shots.push({ name: "playground", file: playgroundFile, text: await page.locator("body").innerText() });
  log(`  ${path.relative(process.cwd(), playgroundFile)}`);

  await type("help");
  await shoot("help", await cardWith(/SecOps bot: what I can do/));

  await type("exposure");
  await shoot("exposure", await cardWith(/Network exposure/));

  await type("vm vm-web-01");
  await shoot("vm", await cardWith(/unhealthy findings/));

  // JIT needs a second person: ask in the war room, where Alex Approver is a member too.
  await page.getByRole("treeitem", { name: "SecOps war room" }).click();
  await cardWith("Hello! I'm the SecOps bot");
  await box.click();
  await box.pressSequentially("@Sec");
  // Picking the bot from the @ suggestions makes a real mention (typing the name alone is not one).
  await page.getByRole("menuitem", { name: client.bot.name }).click();
  await box.pressSequentially(" jit request vm-api-01 port 3389 for 1h from 203.0.113.7 because patching");
  await page.getByRole("button", { name: "Send Message" }).click();
  const pending = await cardWith(/Waiting for an approver/);
  await shoot("jit-approval", pending);

  // Alex presses Approve on that card (the page can only act as Dana); the card changes in place for everyone.
  const room = client.groupChatId;
  const posted = await client.waitFor(
    () => client.botMessages(room).find((m) => JSON.stringify(m.attachments ?? []).includes('"jit.approve"')),
    "the approval card on the WebSocket",
  );
  const approve = JSON.parse(JSON.stringify(posted.attachments[0].content.actions)).find((a) => a.verb === "jit.approve");
  await client.execute(room, posted.messageId, approve, { from: client.user("Alex Approver").id });
  await shoot("jit-approved", await cardWith(/Approved by Alex Approver/));

  await page.getByRole("treeitem", { name: "Personal Chat" }).click();
  await cardWith("Hello! I'm the SecOps bot");
  await type("capture start vm-web-01 for 60s");
  // The progress card answers at once ("Starting…") and is updated in place when Network Watcher has started.
  await shoot("capture", await cardWith(/Running since/));

  await type("digest now");
  await shoot("digest", await cardWith(/Daily security digest/));
  return shots;
}

/** About the width Teams gives a card on a phone, in CSS pixels. */
const NARROW_WIDTH = 320;

/**
 * Draws each card alone with the adaptivecards library (the renderer inside the playground and Teams' web client) in
 * a column `width` px wide and lists what does not fit: an element that sticks out of the column, or a text cut off
 * with an ellipsis. Empty = every card fits.
 * @param {import("playwright-core").Page} page  a blank page (its content is replaced)
 * @param {unknown[]} cards  Adaptive Card JSON
 * @returns {Promise<string[]>}
 */
async function narrowProblems(page, cards, width = NARROW_WIDTH) {
  // Hosts lay the buttons out themselves and wrap them onto more rows when they do not fit (the playground and Teams
  // both do); the library alone would keep them on one row.
  const css = ".ac-actionSet { flex-wrap: wrap !important; row-gap: 8px; }";
  await page.setContent(`<!doctype html><html><head><style>${css}</style></head><body style="margin:0"><div id="host" style="width:${width}px"></div></body></html>`);
  await page.addScriptTag({ path: require.resolve("adaptivecards/dist/adaptivecards.min.js", { paths: [REPO_ROOT] }) });
  return page.evaluate((list) => {
    const AC = window.AdaptiveCards;
    const host = document.getElementById("host");
    const problems = [];
    list.forEach((json, i) => {
      host.innerHTML = "";
      const card = new AC.AdaptiveCard();
      card.hostConfig = new AC.HostConfig({ fontFamily: "'Segoe UI', Tahoma, Geneva, Verdana, sans-serif" });
      card.parse(json);
      const el = card.render();
      const what = `card ${i} (${JSON.stringify(json).slice(0, 100)}…)`;
      if (!el) {
        problems.push(`${what} did not render`);
        return;
      }
      host.appendChild(el);
      const right = host.getBoundingClientRect().right;
      for (const node of el.querySelectorAll("*")) {
        const r = node.getBoundingClientRect();
        if (r.width > 0 && r.right > right + 1) {
          problems.push(`${what}: <${node.tagName.toLowerCase()}> "${(node.innerText || "").slice(0, 40)}" sticks out by ${Math.round(r.right - right)} px`);
        }
      }
      for (const text of el.querySelectorAll(".ac-textBlock")) {
        if (text.scrollWidth > text.clientWidth + 1) problems.push(`${what}: "${text.innerText.slice(0, 60)}" is cut off`);
      }
    });
    return problems;
  }, cards);
}

async function main() {
  if (!fs.existsSync(CHROMIUM)) {
    process.stderr.write(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); no browser is downloaded.\n`);
    process.exit(1);
  }
  const dist = (name) => require(path.join(REPO_ROOT, "dist", name));
  const { loadConfig } = dist("config");
  const { buildApp } = dist("composition");
  const { createLogger } = dist("logger");
  const outDir = path.resolve(REPO_ROOT, process.env.SCREENSHOTS_DIR || path.join("docs", "images"));
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "secops-screenshots-"));

  // Demo mode regardless of .env: the pictures show the seeded estate, never a real tenant.
  const app = await buildApp(loadConfig({ PORT: "0", STATE_DIR: stateDir, LOG_LEVEL: "warn", ...playgroundRoles() }), { logger: createLogger("warn") });
  const stops = [];
  try {
    stops.push(() => app.stop());
    const bot = await app.start();
    const playground = await startPlayground({ botEndpoint: `${bot.url}/api/messages`, port: await freePort() });
    stops.push(() => playground.stop());
    const client = await PlaygroundClient.connect(playground.url);
    stops.push(() => client.close());
    const browser = await launchBrowser();
    stops.push(() => browser.close());
    const errors = [];
    browser.page.on("pageerror", (err) => errors.push(err.message));

    process.stdout.write(`Screenshots of the cards in Agents Playground → ${path.relative(REPO_ROOT, outDir)}/\n`);
    await runConversation({ page: browser.page, client, outDir, log: (line) => process.stdout.write(`${line}\n`) });
    const body = await browser.page.locator("body").innerText();
    if (CARD_ERRORS.test(body) || errors.length > 0) {
      throw new Error(`the page reported errors: ${[...errors, ...(body.match(CARD_ERRORS) ?? [])].join("; ")}`);
    }
    // The same check as the browser test: every card the bot sent also fits a phone's width.
    const cards = client.events
      .filter((e) => e.message && e.message.from && e.message.from.id === client.bot.id)
      .flatMap((e) => (e.message.attachments || []).filter((a) => a.contentType === "application/vnd.microsoft.card.adaptive").map((a) => a.content));
    const narrow = await narrowProblems(await browser.context.newPage(), cards);
    if (narrow.length > 0) throw new Error(`cards that do not fit ${NARROW_WIDTH} px:\n  ${narrow.join("\n  ")}`);
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

module.exports = { runConversation, launchBrowser, narrowProblems, NARROW_WIDTH, CHROMIUM, CHROMIUM_ARGS, CARD_ERRORS };

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`npm run screenshots failed: ${err && err.stack ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
