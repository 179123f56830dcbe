/**
 * Packet capture end to end (issue 5): the real restify server, the real SDK clients against the in-process simulator,
 * replies and card updates at a local connector, records in SQLite. ALICE is an operator, CAROL a reader.
 */
import { ALICE, cardActionInvoke } from "../helpers/activities";
import { cardOf, cardText, startTestBot, type TestBot } from "../helpers/test-bot";
import { cardProblems } from "../helpers/validate-card";
import type { CaptureRecord } from "../../src/domain/capture-rules";

const CAROL = { id: "29:carol", name: "Carol Reader", aadObjectId: "00000000-0000-0000-0000-0000000ca201" };
const ALICE_CHAT = "conv-personal-alice";
const CAROL_CHAT = "conv-personal-carol";
const ROLES = { ROLE_READERS: CAROL.aadObjectId, ROLE_OPERATORS: ALICE.aadObjectId, ROLE_APPROVERS: "00000000-0000-0000-0000-000000000b0b" };

function sim(bot: TestBot) {
  return bot.app.simulator!;
}

function vmOf(bot: TestBot, name: string) {
  const vm = sim(bot).estate.vms.find((v) => v.name === name);
  if (!vm) throw new Error(`no VM ${name}`);
  return vm;
}

/** Captures the simulator holds for a VM. */
function simCaptures(bot: TestBot, vmName: string) {
  const id = vmOf(bot, vmName).id.toLowerCase();
  return sim(bot).estate.packetCaptures.filter((c) => c.target.toLowerCase() === id);
}

async function records(bot: TestBot): Promise<CaptureRecord[]> {
  return (await bot.app.services.store.listDocuments<CaptureRecord>("captures")).map((d) => d.value);
}

async function audit(bot: TestBot, action: string) {
  return (await bot.app.services.store.listAudit({ limit: 500 })).filter((e) => e.action === action);
}

/** Sends a command as Alice (or `from`) and returns the first reply's card and its activity id. */
async function ask(bot: TestBot, text: string, from = ALICE, conversationId = ALICE_CHAT) {
  const before = bot.connector.sent(conversationId).length;
  await bot.say(text, { from, conversationId });
  const call = bot.connector.sent(conversationId)[before]!;
  return { card: cardOf(call.activity), text: cardText(cardOf(call.activity)), activityId: call.id };
}

/** Waits until the card posted as `activityId` was updated to something containing `needle`; returns that card. */
async function updatedTo(bot: TestBot, conversationId: string, activityId: string, needle: string | RegExp) {
  const matches = (u: { id: string; activity: Record<string, any> }) =>
    u.id === activityId && (typeof needle === "string" ? cardText(cardOf(u.activity)).includes(needle) : needle.test(cardText(cardOf(u.activity))));
  await bot.connector.waitFor(() => bot.connector.updates(conversationId).some(matches));
  return cardOf(bot.connector.updates(conversationId).filter(matches).at(-1)!.activity);
}

/** Waits (polling) until `predicate` holds; for state that changes without a message to the connector. */
async function until(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Posts an Action.Execute invoke and returns the card that replaces the clicked one. */
async function click(bot: TestBot, verb: string, data: Record<string, unknown>, from: typeof ALICE, conversationId: string) {
  const res = await bot.post(cardActionInvoke(verb, data, bot.opts({ from, conversationId })));
  expect(res.status).toBe(200);
  expect(res.body.type).toBe("application/vnd.microsoft.card.adaptive");
  return res.body.value as Record<string, any>;
}

/** Starts a capture as Alice and waits until its card says it is running; returns the name and card id. */
async function startRunning(bot: TestBot, line: string) {
  const started = await ask(bot, line);
  expect(started.text).toContain("Starting");
  await updatedTo(bot, ALICE_CHAT, started.activityId, "Running");
  const name = /Packet capture (cap-\S+)/.exec(started.text)?.[1];
  if (!name) throw new Error(`no capture name in ${started.text}`);
  return { name, activityId: started.activityId, card: started.card };
}

describe("capture commands", () => {
  let bot: TestBot;
  beforeAll(async () => {
    // The monitor's own timer is slow here; these tests move the simulator clock and run a pass with tick().
    bot = await startTestBot({ ...ROLES, CAPTURE_MAX_SECONDS: "300" }, { capture: { pollIntervalMs: 3_600_000 } });
  });
  afterAll(async () => {
    await bot.stop();
  });

  test("when Alice starts a capture with every option, then Azure gets those filters and limits and the same card goes from starting to running to stopped with the file", async () => {
    const started = await ask(bot, "capture start vm-web-01 for 2m tcp port 443 remote 203.0.113.7");
    expect(cardProblems(started.card)).toEqual([]);
    expect(started.text).toMatch(/Packet capture cap-vm-web-01-\d{8}-\d{4}/);
    expect(started.text).toContain("Starting");
    expect(started.text).toContain("TCP, port 443 (either end), remote 203.0.113.7");

    const running = await updatedTo(bot, ALICE_CHAT, started.activityId, "Running");
    expect(cardProblems(running)).toEqual([]);
    const [capture] = simCaptures(bot, "vm-web-01").filter((c) => c.name.startsWith("cap-"));
    expect(capture).toMatchObject({
      timeLimitInSeconds: 120,
      bytesToCapturePerPacket: 1514,
      totalBytesPerSession: 100 * 1024 * 1024,
      storageId: sim(bot).estate.captureStorageAccountId,
      provisioningState: "Succeeded",
    });
    expect(capture!.filters).toEqual([
      { protocol: "TCP", localPort: "443", remoteIPAddress: "203.0.113.7" },
      { protocol: "TCP", remotePort: "443", remoteIPAddress: "203.0.113.7" },
    ]);
    expect(cardText(running)).toContain(capture!.storagePath!);

    sim(bot).advance(121);
    const pass = await bot.app.captures.tick();
    expect(pass.ended).toContain(capture!.name);
    const stopped = await updatedTo(bot, ALICE_CHAT, started.activityId, "Stopped");
    const text = cardText(stopped);
    expect(text).toContain("time limit reached (2 min)");
    expect(text).toContain("Capture file (.cap)");
    expect(text).toMatch(/https:\/\/stcontosocaptures\.blob\.core\.windows\.net\/network-watcher-logs\/.*\.cap/);
    expect((await audit(bot, "capture:start")).map((e) => e.result)).toEqual(expect.arrayContaining(["requested", "ok"]));
  });

  test("when no duration is given or more than CAPTURE_MAX_SECONDS is asked, then the capture gets the maximum and the card says it was capped", async () => {
    const plain = await startRunning(bot, "capture start vm-sql-01");
    const capped = await startRunning(bot, "capture start vm-app-01 for 1h udp");
    expect(simCaptures(bot, "vm-sql-01").find((c) => c.name === plain.name)).toMatchObject({ timeLimitInSeconds: 300, filters: [] });
    expect(simCaptures(bot, "vm-app-01").find((c) => c.name === capped.name)).toMatchObject({ timeLimitInSeconds: 300, filters: [{ protocol: "UDP" }] });
    const { text } = await ask(bot, `capture status ${capped.name}`);
    expect(text).toContain("5 min (the most allowed, CAPTURE_MAX_SECONDS=300)");
    sim(bot).advance(301);
    await bot.app.captures.tick();
  });

  test("when a second capture is started on a VM that has a running one, then the answer names the first and Azure gets no second capture", async () => {
    const first = await startRunning(bot, "capture start vm-api-01 for 60s");
    const before = simCaptures(bot, "vm-api-01").length;
    const second = await ask(bot, "capture start vm-api-01 port 3389");
    expect(second.text).toContain(`vm-api-01 already has a running capture from the bot: ${first.name}`);
    expect(second.text).toContain("started by Alice Analyst");
    expect(simCaptures(bot, "vm-api-01").length).toBe(before);

    // Once the first has ended, a new one may start.
    sim(bot).advance(61);
    const third = await startRunning(bot, "capture start vm-api-01 for 30s");
    expect(third.name).not.toBe(first.name);
    sim(bot).advance(31);
    await bot.app.captures.tick();
  });

  test("when Alice asks to stop, then she gets a confirmation with a Stop button, a reader cannot press it, and pressing it stops the capture once and updates the first card", async () => {
    const { name, activityId } = await startRunning(bot, "capture start vm-web-03 for 5m");
    const confirm = await ask(bot, `capture stop ${name}`);
    expect(cardProblems(confirm.card)).toEqual([]);
    const button = (confirm.card.actions as any[]).find((a) => a.type === "Action.Execute");
    expect(button).toMatchObject({ verb: "capture.stop", data: { name } });
    expect(sim(bot).estate.packetCaptures.find((c) => c.name === name)!.stoppedAt).toBeUndefined();

    const refused = await click(bot, "capture.stop", { name }, CAROL, CAROL_CHAT);
    expect(cardText(refused)).toContain("This needs the operator role");
    expect(sim(bot).estate.packetCaptures.find((c) => c.name === name)!.stoppedAt).toBeUndefined();

    const stopRoute = () => Object.entries(sim(bot).stats().byRoute).filter(([r]) => r.startsWith("POST") && r.endsWith("/stop")).reduce((n, [, c]) => n + c, 0);
    const stopsBefore = stopRoute();
    const done = await click(bot, "capture.stop", { name }, ALICE, ALICE_CHAT);
    expect(cardText(done)).toContain("stopped by Alice Analyst");
    expect(sim(bot).estate.packetCaptures.find((c) => c.name === name)).toMatchObject({ stopReason: "ManualStop" });
    await updatedTo(bot, ALICE_CHAT, activityId, "stopped by Alice Analyst");

    const again = await click(bot, "capture.stop", { name }, ALICE, ALICE_CHAT);
    expect(cardText(again)).toContain("Nothing to stop");
    expect(stopRoute()).toBe(stopsBefore + 1);
    expect((await audit(bot, "capture:stop")).filter((e) => e.detail === name && e.result === "ok")).toHaveLength(1);
  });

  test("when Alice types capture stop <name> confirm, then it stops without a button", async () => {
    const { name } = await startRunning(bot, "capture start vm-nva-01 for 5m");
    const { text } = await ask(bot, `capture stop ${name} confirm`);
    expect(text).toContain("stopped by Alice Analyst");
    expect(sim(bot).estate.packetCaptures.find((c) => c.name === name)!.stoppedAt).toBeDefined();
    expect((await records(bot)).find((r) => r.name === name)).toMatchObject({ state: "stopped", stoppedBy: { name: "Alice Analyst" } });
  });

  test("when a reader asks for status and the list, then they see running and ended captures with who started them, including one started outside the bot", async () => {
    const { name } = await startRunning(bot, "capture start vm-dev-02 for 90s");
    const status = await ask(bot, `capture status ${name}`, CAROL, CAROL_CHAT);
    expect(cardProblems(status.card)).toEqual([]);
    expect(status.text).toContain("Running");
    expect(status.text).toContain("Started by\nAlice Analyst");

    const running = await ask(bot, "capture status", CAROL, CAROL_CHAT);
    expect(running.text).toContain(name);

    const baseline = await ask(bot, "capture status pc-vm-web-01-baseline", CAROL, CAROL_CHAT);
    expect(baseline.text).toContain("outside the bot");
    expect(baseline.text).toContain("Stopped");

    const list = await ask(bot, "capture list", CAROL, CAROL_CHAT);
    expect(cardProblems(list.card)).toEqual([]);
    expect(list.text).toContain(name);
    expect(list.text).toContain("started by Alice Analyst");
    expect(list.text).toContain("pc-vm-web-01-baseline");
    expect(list.text).toContain("started outside the bot");

    sim(bot).advance(91);
    const ended = await ask(bot, `capture status ${name}`, CAROL, CAROL_CHAT);
    expect(ended.text).toMatch(/Stopped at .*: time limit reached/);
    expect(ended.text).toContain(".cap");
  });

  test("when a reader tries to start a capture, then it is refused and nothing is created", async () => {
    const before = sim(bot).estate.packetCaptures.length;
    const { text } = await ask(bot, "capture start vm-web-01", CAROL, CAROL_CHAT);
    expect(text).toContain('"capture start" needs the operator role');
    expect(sim(bot).estate.packetCaptures.length).toBe(before);
  });

  test.each([
    ["vm-jump-01", ["There is no Network Watcher in northeurope", "az network watcher configure -g NetworkWatcherRG -l northeurope --enabled true"]],
    ["vm-web-02", ["Network Watcher agent extension (NetworkWatcherAgentLinux)", "az vm extension set -g rg-web-prod --vm-name vm-web-02 --publisher Microsoft.Azure.NetworkWatcher --name NetworkWatcherAgentLinux"]],
    ["vm-dev-01", ["vm-dev-01 is deallocated; a packet capture needs a running VM", "az vm start -g rg-dev -n vm-dev-01"]],
    ["vm-nope-01", ['I can\'t find a VM named "vm-nope-01"']],
  ])("when the VM is %s, then the answer says what is wrong and how to fix it, and Azure gets no capture", async (vm, expected) => {
    const before = sim(bot).estate.packetCaptures.length;
    const { text } = await ask(bot, `capture start ${vm}`);
    for (const line of expected) expect(text).toContain(line);
    expect(sim(bot).estate.packetCaptures.length).toBe(before);
    expect((await records(bot)).some((r) => r.vmName === vm)).toBe(false);
  });

  test("when Azure fails the create after the checks passed (VM deallocated meanwhile), then the progress card turns to a plain failure", async () => {
    // The bot has read the VM as running (cached); the simulator's VM is then deallocated, so the create's operation fails.
    await bot.app.services.azure.virtualMachines();
    const vm = vmOf(bot, "vm-test-01");
    vm.extensions.push({ name: "AzureNetworkWatcherExtension", publisher: "Microsoft.Azure.NetworkWatcher", type: "NetworkWatcherAgentLinux", typeHandlerVersion: "1.4", provisioningState: "Succeeded" });
    vm.powerState = "deallocated";
    try {
      const started = await ask(bot, "capture start vm-test-01");
      expect(started.text).toContain("Starting");
      const failed = await updatedTo(bot, ALICE_CHAT, started.activityId, "Failed");
      expect(cardText(failed)).toContain("is deallocated; packet capture needs a running VM. Start the VM and try again.");
      expect(cardText(failed)).not.toContain("long-running operation");
      expect((await records(bot)).find((r) => r.vmName === "vm-test-01")).toMatchObject({ state: "failed" });
    } finally {
      vm.powerState = "running";
    }
  });

  test("when the agent disappears between the check and the create, then the card names the missing extension", async () => {
    const vm = vmOf(bot, "vm-build-01");
    vm.extensions.push({ name: "AzureNetworkWatcherExtension", publisher: "Microsoft.Azure.NetworkWatcher", type: "NetworkWatcherAgentLinux", typeHandlerVersion: "1.4", provisioningState: "Succeeded" });
    await bot.app.services.azure.vmExtensionTypes(vm.id); // the bot sees the agent (cached)
    vm.extensions.pop();
    const started = await ask(bot, "capture start vm-build-01 for 30s");
    const failed = await updatedTo(bot, ALICE_CHAT, started.activityId, "Failed");
    expect(cardText(failed)).toContain("NetworkWatcherAgentLinux");
    expect(cardText(failed)).toContain("Install the Network Watcher agent extension");
  });

  test("when the region's capture limit is reached, then the card says so and what to do", async () => {
    const limits = sim(bot).estate.limits;
    const saved = limits.maxRunningCapturesPerRegion;
    limits.maxRunningCapturesPerRegion = 0;
    try {
      const started = await ask(bot, "capture start vm-web-01 for 30s");
      const failed = await updatedTo(bot, ALICE_CHAT, started.activityId, "Failed");
      expect(cardText(failed)).toContain("running packet captures in westeurope is reached");
      expect(cardText(failed)).toContain("stop one");
    } finally {
      limits.maxRunningCapturesPerRegion = saved;
    }
  });

  test("when the command is malformed, then the answer shows the grammar", async () => {
    expect((await ask(bot, "capture start")).text).toContain("capture start <vm> [for <N>s|<N>m]");
    expect((await ask(bot, "capture start vm-web-01 port 99999")).text).toContain("one port number from 1 to 65535");
    expect((await ask(bot, "capture start vm-web-01 remote example.com")).text).toContain("needs one IP address");
    expect((await ask(bot, "capture stop")).text).toContain("capture stop <name> [confirm]");
    expect((await ask(bot, "capture status no-such-capture")).text).toContain('I can\'t find a capture named "no-such-capture"');
  });

  test("when the alert webhook secret is not configured, then /api/alerts does not exist", async () => {
    const res = await fetch(`${bot.url}/api/alerts?key=anything`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(res.status).toBe(404);
  });
});

const SECRET = "s3cr3t-Xq9v-for-capture-tests-0123456789";
const CHANNEL = "19:secops@thread.tacv2";

function defenderAlert(bot: TestBot, alertType: string) {
  const a = sim(bot).estate.alerts.find((x) => x.alertType === alertType)!;
  return {
    id: `/subscriptions/${a.subscriptionId}/providers/Microsoft.Security/locations/${a.ascLocation}/alerts/${a.name}`,
    name: a.name,
    type: "Microsoft.Security/Locations/alerts",
    properties: {
      systemAlertId: a.name,
      alertType: a.alertType,
      alertDisplayName: a.displayName,
      severity: a.severity,
      description: a.description,
      startTimeUtc: a.startTimeUtc,
      status: "Active",
      resourceIdentifiers: a.resourceIds.map((azureResourceId) => ({ type: "AzureResource", azureResourceId })),
      remediationSteps: a.remediationSteps,
    },
  };
}

function monitorAlert(bot: TestBot, vmName: string, rule: string, condition = "Fired") {
  return {
    schemaId: "azureMonitorCommonAlertSchema",
    data: {
      essentials: {
        alertId: `/subscriptions/${vmOf(bot, vmName).subscriptionId}/providers/Microsoft.AlertsManagement/alerts/${vmName}-${rule.toLowerCase().replace(/\W+/g, "-")}`,
        alertRule: rule,
        severity: "Sev2",
        signalType: "Metric",
        monitorCondition: condition,
        monitoringService: "Platform",
        alertTargetIDs: [vmOf(bot, vmName).id.toLowerCase()],
        firedDateTime: "2025-01-01T10:00:00.000Z",
        description: "Outbound packets well above the baseline",
      },
      alertContext: { condition: { allOf: [{ metricName: "Outbound Flows", threshold: "1000", metricValue: 12000 }] } },
    },
  };
}

async function postAlert(bot: TestBot, body: unknown, auth: { query?: string; header?: string } = {}) {
  const url = `${bot.url}/api/alerts${auth.query !== undefined ? `?key=${encodeURIComponent(auth.query)}` : ""}`;
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(auth.header !== undefined ? { "x-alert-key": auth.header } : {}) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

describe("alert webhook and alert-triggered capture", () => {
  let bot: TestBot;
  const heard: string[] = [];
  beforeAll(async () => {
    bot = await startTestBot(
      { ...ROLES, ALERT_WEBHOOK_SECRET: SECRET, CAPTURE_ON_ALERT: "Network_AnomalousOutgoingTcpSegments, High outbound flows", CAPTURE_MAX_SECONDS: "120" },
      // A short poll interval: the monitor's own timer finishes the cards after the simulator clock moves.
      { capture: { pollIntervalMs: 50 } },
    );
    // The channel has talked to the bot (so it can post there) and subscribed to alerts.
    await bot.say("help", { conversationId: CHANNEL, conversationType: "channel" });
    await bot.app.services.store.putDocument("digest-subscriptions", CHANNEL, { time: "08:00", timeZone: "UTC" });
    bot.app.alertIntake.onAlert(async (alert) => {
      heard.push(alert.id);
    });
  });
  afterAll(async () => {
    await bot.stop();
  });

  test.each([
    ["no key", {}],
    ["a wrong key in the query", { query: "not-the-secret" }],
    ["a wrong key in the header", { header: SECRET.slice(0, -1) }],
    ["the secret with something appended", { query: `${SECRET}x` }],
  ])("when an alert arrives with %s, then it is refused with 401, audited, and no capture starts", async (_label, auth) => {
    const before = sim(bot).estate.packetCaptures.length;
    const heardBefore = heard.length;
    const res = await postAlert(bot, defenderAlert(bot, "Network_AnomalousOutgoingTcpSegments"), auth);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("Unauthorized");
    expect(sim(bot).estate.packetCaptures.length).toBe(before);
    expect(heard.length).toBe(heardBefore);
    const rejected = await audit(bot, "alert:rejected");
    expect(rejected.length).toBeGreaterThan(0);
    expect(JSON.stringify(rejected)).not.toContain(SECRET.slice(0, 12));
  });

  test("when the body is not JSON or not an alert, then it is refused with 400 and nothing runs", async () => {
    const heardBefore = heard.length;
    const broken = await postAlert(bot, "{ not json", { query: SECRET });
    expect(broken.status).toBe(400);
    const notAlert = await postAlert(bot, { hello: "world" }, { header: SECRET });
    expect(notAlert.status).toBe(400);
    expect(notAlert.body.error.message).toContain("Not an alert I can read");
    const oldSchema = await postAlert(bot, { schemaId: "AzureMonitorMetricAlert", data: {} }, { header: SECRET });
    expect(oldSchema.status).toBe(400);
    expect(oldSchema.body.error.message).toContain("common alert schema");
    expect(heard.length).toBe(heardBefore);
  });

  test("when a matching Defender alert about a VM arrives twice, then it is accepted twice, listeners run once, and one capture starts with its card in the subscribed channel", async () => {
    const alert = defenderAlert(bot, "Network_AnomalousOutgoingTcpSegments");
    const first = await postAlert(bot, alert, { header: SECRET });
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ status: "accepted", id: alert.properties.systemAlertId });

    await bot.connector.waitFor(() => bot.connector.sent(CHANNEL).some((c) => cardText(cardOf(c.activity)).includes("for the alert")));
    const posted = bot.connector.sent(CHANNEL).find((c) => cardText(cardOf(c.activity)).includes("for the alert"))!;
    const text = cardText(cardOf(posted.activity));
    expect(text).toContain("vm-web-01");
    expect(text).toContain(alert.properties.alertDisplayName);
    await updatedTo(bot, CHANNEL, posted.id, "Running");

    const second = await postAlert(bot, alert, { query: SECRET });
    expect(second.status).toBe(202);
    expect(second.body.status).toBe("duplicate");
    expect(heard.filter((id) => id === alert.properties.systemAlertId)).toHaveLength(1);
    const fromBot = simCaptures(bot, "vm-web-01").filter((c) => c.name.startsWith("cap-"));
    expect(fromBot).toHaveLength(1);
    expect(fromBot[0]).toMatchObject({ timeLimitInSeconds: 120, bytesToCapturePerPacket: 1514 });
    const record = (await records(bot)).find((r) => r.name === fromBot[0]!.name)!;
    expect(record).toMatchObject({ trigger: { kind: "alert", alertId: alert.properties.systemAlertId }, cards: [{ conversationId: CHANNEL, activityId: posted.id }] });
    expect((await audit(bot, "alert:received")).map((e) => e.result)).toEqual(expect.arrayContaining(["ok", "duplicate"]));

    // The monitor's timer (50 ms here) finishes the card once the capture's time is up.
    sim(bot).advance(121);
    const final = await updatedTo(bot, CHANNEL, posted.id, "Stopped");
    expect(cardText(final)).toContain("time limit reached");
  });

  test("when an Azure Monitor alert rule in CAPTURE_ON_ALERT fires on a VM, then a capture starts there; its resolved notice and other rules start none", async () => {
    const res = await postAlert(bot, monitorAlert(bot, "vm-app-01", "High outbound flows"), { query: SECRET });
    expect(res.status).toBe(202);
    await bot.connector.waitFor(() => bot.connector.sent(CHANNEL).some((c) => /vm-app-01/.test(cardText(cardOf(c.activity)))));
    await until(() => simCaptures(bot, "vm-app-01").some((c) => c.name.startsWith("cap-vm-app-01")), "Azure has the capture");
    const count = () => sim(bot).estate.packetCaptures.length;
    const before = count();

    const resolved = await postAlert(bot, monitorAlert(bot, "vm-app-01", "High outbound flows", "Resolved"), { query: SECRET });
    expect(resolved.status).toBe(202);
    expect(resolved.body.status).toBe("accepted");
    const other = await postAlert(bot, monitorAlert(bot, "vm-sql-01", "Disk almost full"), { query: SECRET });
    expect(other.status).toBe(202);
    const otherId = monitorAlert(bot, "vm-sql-01", "Disk almost full").data.essentials.alertId;
    await until(() => heard.includes(otherId), "the listeners heard the other alert");
    expect(count()).toBe(before);
  });

  test("when a matching alert names a VM that already has a running capture, then no second capture starts and the refusal is audited", async () => {
    const first = await postAlert(bot, monitorAlert(bot, "vm-sql-01", "High outbound flows"), { query: SECRET });
    expect(first.status).toBe(202);
    await until(() => simCaptures(bot, "vm-sql-01").filter((c) => c.name.startsWith("cap-")).length === 1, "Azure has the capture");
    await bot.connector.waitFor(() => bot.connector.updates(CHANNEL).some((u) => /vm-sql-01[\s\S]*Running|Running[\s\S]*vm-sql-01/.test(cardText(cardOf(u.activity)))));
    const again = monitorAlert(bot, "vm-sql-01", "High outbound flows");
    again.data.essentials.alertId += "-second";
    expect((await postAlert(bot, again, { query: SECRET })).status).toBe(202);
    // Listeners run in order, so once the test's own listener heard it, the capture listener has finished.
    await until(() => heard.includes(again.data.essentials.alertId), "the listeners heard the second alert");
    const conflicts = (await audit(bot, "capture:start")).filter((e) => e.result === "conflict");
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]!.detail).toContain("already has a running capture");
    expect(simCaptures(bot, "vm-sql-01").filter((c) => c.name.startsWith("cap-"))).toHaveLength(1);
  });
});
