/**
 * Posture questions end to end: the real restify server, the real SDK clients against the simulator (pages of 5 items,
 * so every list spans several ARM pages), replies at the local connector. Expected answers are read from the simulator's
 * estate, not written down, so the tests follow the estate.
 */
import { messageActivity } from "../helpers/activities";
import { cardOf, cardText, startTestBot, type TestBot } from "../helpers/test-bot";
import { cardProblems } from "../helpers/validate-card";
import type { Estate, SimVm } from "../../src/simulator";

const BUDGET = 28 * 1024;

interface Answer {
  card: Record<string, any>;
  text: string;
  /** Commands of the card's buttons. */
  buttons: string[];
  /** The report card's warning lines. */
  warnings: string[];
  facts: Record<string, string>;
}

function read(activity: Record<string, any>): Answer {
  const card = cardOf(activity);
  expect(cardProblems(card)).toEqual([]);
  expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThan(BUDGET);
  const warningBlock = (card.body as any[]).find((b) => b.type === "Container" && b.style === "warning");
  const factSet = (card.body as any[]).find((b) => b.type === "FactSet");
  return {
    card,
    text: cardText(card),
    buttons: ((card.actions ?? []) as any[]).filter((a) => a.type === "Action.Submit").map((a) => a.data.command as string),
    warnings: warningBlock ? (warningBlock.items as any[]).map((i) => String(i.text)) : [],
    facts: Object.fromEntries(((factSet?.facts ?? []) as any[]).map((f) => [f.title, f.value])),
  };
}

async function ask(bot: TestBot, text: string, conversationId = "conv-posture"): Promise<Answer> {
  const [reply] = await bot.say(text, { conversationId });
  return read(reply!);
}

/** The item titles of the card's sections (bold TextBlocks inside item column sets). */
function itemTitles(card: Record<string, any>): string[] {
  const titles: string[] = [];
  for (const section of (card.body as any[]).filter((b) => b.type === "Container" && b.style !== "warning")) {
    for (const set of (section.items as any[]).filter((i) => i.type === "ColumnSet")) {
      const stretch = (set.columns as any[]).find((c) => c.width === "stretch");
      if (stretch) titles.push(String(stretch.items[0].text));
    }
  }
  return titles;
}

function subscriptionNamed(estate: Estate, name: string) {
  const sub = estate.subscriptions.find((s) => s.displayName === name);
  if (!sub) throw new Error(`no subscription ${name}`);
  return sub;
}

function severityOf(estate: Estate, key: string): string {
  return estate.assessmentMetadata.find((m) => m.key.toLowerCase() === key.toLowerCase())!.severity;
}

function unhealthyKeys(estate: Estate, filter: (a: Estate["assessments"][number]) => boolean = () => true): Set<string> {
  return new Set(estate.assessments.filter((a) => a.status === "Unhealthy" && filter(a)).map((a) => a.key.toLowerCase()));
}

function activeAlertsNewestFirst(estate: Estate) {
  return estate.alerts
    .filter((a) => a.status === "Active")
    .sort((a, b) => Date.parse(b.timeGeneratedUtc) - Date.parse(a.timeGeneratedUtc) || a.name.localeCompare(b.name));
}

describe("posture commands against the seeded estate", () => {
  let bot: TestBot;
  let estate: Estate;
  beforeAll(async () => {
    // pageSize 5: every list the gateway reads spans several pages; no cache, so faults apply to the next question.
    bot = await startTestBot({}, { simulator: { pageSize: 5 }, azure: { cacheTtlMs: 0 } });
    estate = bot.app.simulator!.estate;
  });
  afterAll(async () => {
    await bot.stop();
  });
  afterEach(() => {
    bot.app.simulator!.faults.clear();
  });

  test("when someone asks for the score, then each subscription's score and the top controls arrive, named as in Azure", async () => {
    const a = await ask(bot, "score");
    for (const sub of estate.subscriptions) expect(a.facts[sub.displayName]).toMatch(/^\d+(\.\d)? \/ \d+(\.\d)? \(\d+%\)$/);
    expect(a.text).toMatch(/\n\d+%\noverall/);
    const controls = new Set(estate.scoreControls.map((c) => c.displayName));
    const titles = itemTitles(a.card);
    expect(titles.length).toBeGreaterThan(0);
    for (const t of titles) expect(controls.has(t)).toBe(true);
    expect(a.warnings).toEqual([]);
  });

  test("when someone asks for recommendations, then every unhealthy recommendation is counted and they page across cards", async () => {
    const expected = unhealthyKeys(estate);
    const first = await ask(bot, "recommendations");
    expect(first.text).toContain(`${expected.size} recommendations on`);
    expect(first.buttons).toContain("recs page 2");
    const second = await ask(bot, "recs page 2");
    const all = [...itemTitles(first.card), ...itemTitles(second.card)];
    expect(new Set(all).size).toBe(expected.size);
    // High first, then by affected count: the first is the high recommendation on the most resources.
    const high = [...unhealthyKeys(estate, (x) => severityOf(estate, x.key) === "High")];
    const counts = high.map((k) => estate.assessments.filter((x) => x.key.toLowerCase() === k && x.status === "Unhealthy").length);
    expect(first.text).toContain(`${Math.max(...counts)} resources`);
  });

  test("when someone filters recommendations by severity, then only that severity's recommendations are listed", async () => {
    const expected = unhealthyKeys(estate, (x) => severityOf(estate, x.key) === "Medium");
    const a = await ask(bot, "recs medium");
    expect(itemTitles(a.card)).toHaveLength(expected.size);
    expect(a.text).not.toMatch(/^HIGH$/m);
  });

  test("when someone scopes recommendations to a resource group or a subscription name, then only resources there are named", async () => {
    const inGroup = estate.vms.filter((v) => v.resourceGroup === "rg-dev").map((v) => v.name);
    const a = await ask(bot, "recs in rg-dev");
    const affected = a.text.split("\n").filter((l) => l.startsWith("Affected: "));
    expect(affected.length).toBe(unhealthyKeys(estate, (x) => /\/resourceGroups\/rg-dev\//i.test(x.resourceId)).size);
    for (const line of affected) for (const name of line.slice(10).split(/, | and /).filter((n) => !/more$/.test(n))) expect(inGroup).toContain(name);

    const dev = subscriptionNamed(estate, "Contoso Dev");
    const b = await ask(bot, 'recs high in "Contoso Dev"');
    expect(b.text).toContain(`${unhealthyKeys(estate, (x) => x.subscriptionId === dev.id && severityOf(estate, x.key) === "High").size} recommendations on`);
  });

  test("when someone scopes recommendations to a place that does not exist, then the answer says so with the usage", async () => {
    const a = await ask(bot, "recs in rg-nowhere");
    expect(a.text).toContain('I see no resource group or subscription named "rg-nowhere"');
  });

  test("when someone asks for alerts, then the active ones arrive newest first with their resource, and filters narrow them", async () => {
    const active = activeAlertsNewestFirst(estate);
    const a = await ask(bot, "alerts");
    expect(a.text).toContain(`${active.length} active alert`);
    expect(itemTitles(a.card)).toEqual(active.slice(0, 10).map((x, i) => `#${i + 1} ${x.displayName}`));
    expect(a.text).not.toContain(estate.alerts.find((x) => x.status === "Resolved")!.displayName);

    const high = await ask(bot, "alerts high");
    expect(itemTitles(high.card)).toEqual(active.flatMap((x, i) => (x.severity === "High" ? [`#${i + 1} ${x.displayName}`] : [])));

    const since = Date.now() - 24 * 3_600_000;
    const recent = active.filter((x) => Date.parse(x.timeGeneratedUtc) >= since + 60_000 || Date.parse(x.timeGeneratedUtc) < since - 60_000);
    const day = await ask(bot, "alerts last 24h");
    // Alerts within a minute of the window's edge could fall either side while the test runs; compare the rest.
    const shown = new Set(itemTitles(day.card).map((t) => t.replace(/^#\d+ /, "")));
    for (const x of recent) expect(shown.has(x.displayName)).toBe(Date.parse(x.timeGeneratedUtc) >= since);
  });

  test("when someone asks for one alert by number or by name, then its remediation steps are shown", async () => {
    const newest = activeAlertsNewestFirst(estate)[0]!;
    const a = await ask(bot, "alerts 1");
    expect(a.text).toContain(newest.displayName);
    for (const [i, step] of newest.remediationSteps.entries()) expect(a.text).toContain(`${i + 1}. ${step}`);
    const byName = await ask(bot, `alerts ${newest.name}`);
    expect(byName.text).toContain(newest.description.slice(0, 40));
    const tooFar = await ask(bot, "alerts 999");
    expect(tooFar.text).toContain(`ask for a number from 1 to ${activeAlertsNewestFirst(estate).length}`);
  });

  test("when someone asks about a VM, then its NIC, public IP, allowing NSG rule, JIT state, findings and alerts arrive", async () => {
    const vm = estate.vms.find((v) => v.name === "vm-web-01")!;
    const nic = estate.nics.find((n) => n.vmId === vm.id)!;
    const pip = estate.publicIps.find((p) => p.id === nic.ipConfigurations[0]!.publicIpId)!;
    const nsg = estate.nsgs.find((n) => n.id === nic.nsgId)!;
    const sshRule = nsg.rules.find((r) => r.access === "Allow" && r.destinationPortRanges.includes("22"))!;
    const a = await ask(bot, "vm vm-web-01");
    expect(a.text).toContain(`${nic.name}: private ${nic.ipConfigurations[0]!.privateIpAddress} · public ${pip.ipAddress}`);
    expect(a.text).toContain(`${nsg.name} / ${sshRule.name} · priority ${sshRule.priority}`);
    expect(a.text).toContain("Management ports without JIT: 22");
    expect(a.text).toContain("No JIT policy covers this VM.");
    for (const alert of estate.alerts.filter((x) => x.resourceIds.some((id) => id.toLowerCase() === vm.id.toLowerCase()))) {
      expect(a.text).toContain(alert.displayName);
    }
    const unhealthy = estate.assessments.filter((x) => x.status === "Unhealthy" && x.resourceId.toLowerCase() === vm.id.toLowerCase());
    expect(a.text).toContain(`\n${unhealthy.length}\nunhealthy finding`);

    const jump = estate.jitPolicies.flatMap((p) => p.virtualMachines).find((v) => v.id.endsWith("/vm-jump-01"))!;
    const b = await ask(bot, "vm vm-jump-01");
    for (const port of jump.ports) expect(b.text).toContain(`Port ${port.number}`);
  });

  test("when a VM name is unknown, then the answer says no VM by that name and offers the close names as buttons", async () => {
    const a = await ask(bot, "vm vm-web-1");
    expect(a.text).toContain('No VM named "vm-web-1"');
    expect(a.buttons.length).toBeGreaterThan(0);
    for (const b of a.buttons) expect(estate.vms.map((v) => `vm ${v.name}`)).toContain(b);
    expect(a.buttons).toContain("vm vm-web-01");
  });

  test("when two subscriptions have a VM of the same name, then both are shown, labelled with their subscription", async () => {
    const original = estate.vms.find((v) => v.name === "vm-web-01")!;
    const dev = subscriptionNamed(estate, "Contoso Dev");
    const twin: SimVm = {
      ...original,
      subscriptionId: dev.id,
      resourceGroup: "rg-web-dev",
      id: original.id.replace(original.subscriptionId, dev.id).replace("rg-web-prod", "rg-web-dev"),
      vmId: "00000000-0000-0000-0000-0000000000aa",
    };
    estate.vms.push(twin);
    try {
      const a = await ask(bot, "vm vm-web-01");
      expect(a.text).toContain("2 VMs named vm-web-01");
      expect(a.text).toContain("vm-web-01 · Contoso Production / rg-web-prod");
      expect(a.text).toContain("vm-web-01 · Contoso Dev / rg-web-dev");
    } finally {
      estate.vms.splice(estate.vms.indexOf(twin), 1);
    }
  });

  test("when someone asks about exposure, then the VMs open on management ports are named with the rule that allows them", async () => {
    const a = await ask(bot, "exposure");
    const build = estate.vms.find((v) => v.name === "vm-build-01")!;
    const nsg = estate.nsgs.find((n) => n.id === estate.nics.find((x) => x.vmId === build.id)!.nsgId)!;
    const rule = nsg.rules.find((r) => r.destinationPortRanges.includes("22") && r.access === "Allow")!;
    expect(a.text).toContain(`${nsg.name} / ${rule.name} · priority ${rule.priority} · Tcp 22 · from ${rule.sourceAddressPrefixes.join(",")}`);
    expect(a.text).toContain(estate.nics.find((n) => n.enableIPForwarding)!.name);
    const unwatched = estate.vms.filter((v) => !estate.networkWatchers.some((w) => w.subscriptionId === v.subscriptionId && w.location === v.location));
    expect(a.facts["Regions without Network Watcher"]).toBe(String(new Set(unwatched.map((v) => `${v.subscriptionId}|${v.location}`)).size));
    const vms = await ask(bot, "exposure vms");
    expect(itemTitles(vms.card).some((t) => t.startsWith("vm-build-01 ("))).toBe(true);
  });

  test("when someone asks about containers, then every unhealthy image finding is counted, most severe first", async () => {
    const findings = estate.subAssessments.filter((s) => s.statusCode === "Unhealthy" && s.additionalData.assessedResourceType === "ContainerRegistryVulnerability");
    const a = await ask(bot, "containers");
    expect(a.text).toContain(`${findings.length}\nimage findings`);
    const high = findings.filter((f) => f.severity === "High");
    expect(a.facts.High).toBe(String(high.length));
    expect(itemTitles(a.card)[0]).toContain(high[0] ? "CVE-" : "");
    const host = estate.assessments.find((x) => x.key === "0677209d-e675-2c6f-e91a-54cef2878663" && x.status === "Unhealthy")!;
    expect(a.text).toContain(host.resourceId.split("/").pop()!);
  });

  test("when a subscription refuses access, then the others are still answered and a warning names the refused one", async () => {
    const dev = subscriptionNamed(estate, "Contoso Dev");
    const prod = subscriptionNamed(estate, "Contoso Production");
    bot.app.simulator!.faults.set(dev.id, { forbidden: true });
    const a = await ask(bot, "score");
    expect(a.warnings).toHaveLength(1);
    expect(a.warnings[0]).toContain("Could not read Contoso Dev");
    expect(a.facts[prod.displayName]).toBeDefined();
    expect(a.facts[dev.displayName]).toBeUndefined();
    const e = await ask(bot, "exposure");
    expect(e.warnings[0]).toContain("Contoso Dev");
    expect(e.text).toContain("vm-web-01 (");
    expect(e.text).not.toContain("vm-build-01 (");
  });

  test("when a subscription is throttled once, then the answer is complete and carries no warning", async () => {
    const dev = subscriptionNamed(estate, "Contoso Dev");
    bot.app.simulator!.faults.set(dev.id, { throttle: { count: 1, retryAfterSeconds: 1 } });
    const before = bot.app.simulator!.stats().byStatus["429"] ?? 0;
    const a = await ask(bot, "score");
    expect(bot.app.simulator!.stats().byStatus["429"] ?? 0).toBe(before + 1);
    expect(a.warnings).toEqual([]);
    for (const sub of estate.subscriptions) expect(a.facts[sub.displayName]).toBeDefined();
  });

  test.each([
    ["what's our secure score", "score"],
    ["which VMs are exposed to the internet", "exposure"],
    ["is vm-web-01 patched", "vm vm-web-01"],
    ["any high alerts today", "alerts high last 24h"],
  ])("when someone asks %p, then the answer says which command ran (%s)", async (question, ran) => {
    const a = await ask(bot, question);
    expect(a.text).toContain(`You asked: "${question}" — I ran: ${ran}`);
  });

  test("when the answer to a patch question arrives, then it says whether system updates are missing", async () => {
    const a = await ask(bot, "is vm-web-02 patched?");
    expect(a.text).toMatch(/System updates: 1 unhealthy finding/);
  });

  test.each([
    ["alerts last 5y", '"5y" is not a time window'],
    ["alerts critical", '"critical" is not a severity'],
    ["recs critical", '"critical" is not a severity (high, medium or low). Use: recommendations [high|medium|low]'],
    ["vm", 'Name the VM, e.g. "vm vm-web-01". Use: vm <name>'],
    ["exposure everything", '"everything" is not a part of the exposure answer'],
    ["score page 0", '"page" needs a page number from 1'],
  ])("when someone types %p, then a card explains the mistake with the usage and the audit log says invalid", async (text, message) => {
    const a = await ask(bot, text, "conv-bad-input");
    expect(a.text).toContain("Sorry, that did not work");
    expect(a.text).toContain(message);
    const [entry] = await bot.app.services.store.listAudit({ limit: 1 });
    expect(entry).toMatchObject({ result: "invalid", conversationId: "conv-bad-input" });
  });

  test("when the next-page button is clicked, then the next page of the same filter arrives", async () => {
    const first = await ask(bot, "recs", "conv-button-page");
    const next = first.buttons.find((b) => b.endsWith("page 2"))!;
    await bot.post(messageActivity("", bot.opts({ conversationId: "conv-button-page", value: { command: next } })));
    await bot.connector.waitFor(() => bot.connector.sent("conv-button-page").length === 2);
    const second = read(bot.connector.sent("conv-button-page")[1]!.activity);
    expect(itemTitles(second.card).length).toBeGreaterThan(0);
    for (const t of itemTitles(second.card)) expect(itemTitles(first.card)).not.toContain(t);
  });
});

describe("posture commands against a 2,000-VM estate", () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot({}, { simulator: { size: 2000 } });
  }, 120_000);
  afterAll(async () => {
    await bot.stop();
  });

  test.each([
    "score",
    "recommendations",
    "recs high page 2",
    "alerts",
    "alerts 1",
    "vm vm-web-01",
    "vm vm-nope-0001",
    // Each exposure answer analyses the whole estate; two here, the rest of the parts are sized in test/cards.
    "exposure",
    "exposure flowlogs page 2",
    "containers",
  ])("when someone asks %p, then the card validates and stays under 28 KB", async (text) => {
    const a = await ask(bot, text, "conv-large");
    expect(a.text).not.toContain("Sorry, that did not work");
    expect(a.text.length).toBeGreaterThan(0);
  }, 180_000);

  test("when the estate is large, then the exposure overview still counts every exposed VM while showing a few", async () => {
    const a = await ask(bot, "exposure vms", "conv-large");
    const shownVms = itemTitles(a.card);
    const total = Number(a.text.match(/(\d+) VMs? open to the internet/)![1]);
    expect(total).toBeGreaterThan(shownVms.length);
    expect(a.buttons).toContain("exposure vms page 2");
  }, 180_000);
});
