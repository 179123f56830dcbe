/**
 * The first conversation as a person has it (issue 9): headless Debian Chromium opens the Agents Playground page and
 * goes welcome → "Secure score" button → help → exposure → vm vm-web-01 → (war room) @mention jit request, which Alex
 * Approver approves → capture start → digest now, cropping each card as the page draws it (scripts/screenshots.js,
 * the code behind `npm run screenshots`). Then every card the bot sent is drawn alone at a phone's width.
 *
 * No browser is downloaded; every host other than loopback is blocked (the page asks a CDN for fonts and works
 * without them). Screenshots go to the OS temp dir, or to docs/images with UPDATE_SCREENSHOTS=1.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort, playgroundRoles, PlaygroundClient, startPlayground, type RunningPlayground } from "../../scripts/playground-lib";
import { CARD_ERRORS, CHROMIUM, launchBrowser, narrowProblems, NARROW_WIDTH, runConversation, type Shot } from "../../scripts/screenshots";
import { startTestBot, type TestBot } from "../helpers/test-bot";
import { cardIn } from "./playground-support";

describe("Agents Playground in headless Chromium: a first conversation, card by card", () => {
  if (!existsSync(CHROMIUM)) {
    test("when Debian's chromium is not installed, then the browser round trip is not run and the reason is printed", () => {
      process.stdout.write(
        `playground-browser.test.ts: ${CHROMIUM} is absent, so the headless-browser conversation did not run. ` +
          "Install it with: apt-get install -y chromium (never a downloaded browser).\n",
      );
      expect(existsSync(CHROMIUM)).toBe(false);
    });
    return;
  }

  let bot: TestBot;
  let playground: RunningPlayground;
  let client: PlaygroundClient;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let outDir: string;
  let shots: Shot[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    bot = await startTestBot(playgroundRoles());
    playground = await startPlayground({ botEndpoint: `${bot.url}/api/messages`, port: await freePort() });
    client = await PlaygroundClient.connect(playground.url);
    browser = await launchBrowser();
    browser.page.on("pageerror", (err) => pageErrors.push(err.message));
    outDir = process.env.UPDATE_SCREENSHOTS === "1" ? resolve(__dirname, "..", "..", "docs", "images") : mkdtempSync(join(tmpdir(), "secops-shots-"));
  }, 60000);

  afterAll(async () => {
    await browser?.close();
    await client?.close();
    await playground?.stop();
    await bot?.stop();
    if (outDir && process.env.UPDATE_SCREENSHOTS !== "1") rmSync(outDir, { recursive: true, force: true });
  });

  test("when a person goes through the first conversation, then every card shows in the page without a rendering error", async () => {
    shots = await runConversation({ page: browser.page, client, outDir });
    expect(shots.map((s) => s.name)).toEqual(["welcome", "score", "playground", "help", "exposure", "vm", "jit-approval", "jit-approved", "capture", "digest"]);
    const text = Object.fromEntries(shots.map((s) => [s.name, s.text]));
    expect(text.welcome).toContain("Secure score");
    expect(text.score).toMatch(/Secure score[\s\S]*overall/);
    expect(text.playground).toContain("Hello! I'm the SecOps bot");
    expect(text.help).toContain("help [command]");
    expect(text.exposure).toContain("Internet-exposed VMs");
    expect(text.vm).toContain("vm-web-01");
    expect(text["jit-approval"]).toMatch(/Approve[\s\S]*Deny/);
    expect(text["jit-approved"]).toMatch(/Approved by Alex Approver at \d\d:\d\d UTC, access until/);
    expect(text.capture).toMatch(/Running since \d\d:\d\d UTC/);
    expect(text.digest).toMatch(/JIT access granted[\s\S]*vm-api-01/);
    for (const shot of shots) expect(statSync(shot.file).size).toBeGreaterThan(5_000);

    expect(await browser.page.locator("body").innerText()).not.toMatch(CARD_ERRORS);
    expect(pageErrors).toEqual([]);
  }, 90000);

  test(`when every card of that conversation is drawn alone ${NARROW_WIDTH} px wide (Teams on a phone), then nothing sticks out or is cut off`, async () => {
    expect(shots.length).toBeGreaterThan(0);
    const cards = client.events
      .filter((e) => e.message?.from?.id === client.bot.id && (e.action === "createMessage" || e.action === "updateMessage"))
      .map((e) => cardIn(e.message))
      .filter((c): c is Record<string, any> => c !== undefined);
    expect(cards.length).toBeGreaterThanOrEqual(shots.length);
    const page = await browser.context.newPage();
    try {
      expect(await narrowProblems(page, cards)).toEqual([]);
    } finally {
      await page.close();
    }
  }, 30000);
});
