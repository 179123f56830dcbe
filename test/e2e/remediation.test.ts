/**
 * Remediation from Teams end to end (issue 10): the real restify server, the real SDK clients against the simulator
 * (which applies each change to its estate, so the next `exposure` shows the risk gone), replies and card updates at
 * a local connector, state in SQLite. ALICE is an operator, BOB an approver, CAROL a reader.
 */
import { ALICE, BOB, cardActionInvoke } from "../helpers/activities";
import { cardOf, cardText, startTestBot, type TestBot } from "../helpers/test-bot";
import { cardProblems } from "../helpers/validate-card";
import type { RemediationRecord } from "../../src/domain/remediation-record";
import type { Clock } from "../../src/domain/ports";

const CAROL = { id: "29:carol", name: "Carol Reader", aadObjectId: "00000000-0000-0000-0000-0000000ca201" };
const ALICE_CHAT = "conv-personal-alice";
const BOB_CHAT = "conv-personal-bob";
const CAROL_CHAT = "conv-personal-carol";
const ROLES = { ROLE_READERS: CAROL.aadObjectId, ROLE_OPERATORS: ALICE.aadObjectId, ROLE_APPROVERS: BOB.aadObjectId };
const WITH_APPROVAL = { ...ROLES, REMEDIATION_REQUIRE_APPROVAL: "true" };

/** Requests the simulator received whose route starts with `method` and contains `fragment`. */
function calls(bot: TestBot, method: string, fragment: string): number {
  return Object.entries(bot.app.simulator!.stats().byRoute)
    .filter(([route]) => route.startsWith(`${method} `) && route.toLowerCase().includes(fragment.toLowerCase()))
    .reduce((n, [, count]) => n + count, 0);
}

async function record(bot: TestBot, id: string): Promise<RemediationRecord> {
  const doc = await bot.app.services.store.getDocument<RemediationRecord>("remediations", id);
  if (!doc) throw new Error(`no change ${id}`);
  return doc.value;
}

/** Waits (without asserting any timing) until the change leaves "approved", i.e. the background apply finished. */
async function settled(bot: TestBot, id: string): Promise<RemediationRecord> {
  for (let i = 0; i < 500; i++) {
    const r = await record(bot, id);
    if (r.status !== "approved" && r.status !== "pending") return r;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`change ${id} never settled`);
}

/** Posts an Action.Execute invoke and returns the card that replaces the clicked one. */
async function click(bot: TestBot, verb: string, data: Record<string, unknown>, from: typeof BOB, conversationId: string) {
  const res = await bot.post(cardActionInvoke(verb, data, bot.opts({ from, conversationId })));
  expect(res.status).toBe(200);
  expect(res.body.type).toBe("application/vnd.microsoft.card.adaptive");
  return res.body.value as Record<string, any>;
}

/** Sends a `fix …` line and returns the change id and its preview card. */
async function propose(bot: TestBot, line: string, from = ALICE, conversationId = ALICE_CHAT): Promise<{ id: string; card: Record<string, any>; text: string }> {
  const [reply] = await bot.say(line, { from, conversationId });
  const card = cardOf(reply!);
  const id = (card.actions ?? []).map((a: any) => a.data?.changeId).find((x: unknown) => typeof x === "string") ?? /Change (C[0-9A-Z]{6})/.exec(cardText(card))?.[1];
  if (!id) throw new Error(`no change id in ${cardText(card)}`);
  expect(cardProblems(card)).toEqual([]);
  return { id, card, text: cardText(card) };
}

async function say(bot: TestBot, line: string, from = ALICE, conversationId = ALICE_CHAT): Promise<string> {
  const [reply] = await bot.say(line, { from, conversationId });
  return cardText(cardOf(reply!));
}

async function audit(bot: TestBot, id: string) {
  return (await bot.app.services.store.listAudit({ limit: 500 })).filter((e) => e.target === id);
}

describe("remediation with approval required", () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot(WITH_APPROVAL);
    // Bob and Carol have talked to the bot, so it knows their personal chats.
    await bot.say("help", { from: BOB, conversationId: BOB_CHAT });
    await bot.say("help", { from: CAROL, conversationId: CAROL_CHAT });
  });
  afterAll(async () => {
    await bot.stop();
  });

  const nsg = (name: string) => bot.app.simulator!.estate.nsgs.find((n) => n.name === name)!;

  test("when Alice tightens an internet-wide rule and Bob approves, then only that rule changes, it reads back, exposure drops it, and undo restores it", async () => {
    const otherBefore = JSON.stringify(nsg("nsg-web-prod").rules.filter((r) => r.name !== "Allow-SSH-Internet"));
    const puts = calls(bot, "PUT", "/securityRules/");
    const { id, card, text } = await propose(bot, "fix rule nsg-web-prod/Allow-SSH-Internet from 203.0.113.0/24");

    // The preview: the exact resource, the ARM property with its current and proposed value, who approves, the rollback.
    expect(text).toContain("Tighten rule Allow-SSH-Internet of nsg-web-prod");
    expect(text).toContain("waiting for an approver");
    expect(text).toMatch(/\/resourceGroups\/rg-web-prod\/providers\/Microsoft\.Network\/networkSecurityGroups\/nsg-web-prod\/securityRules\/Allow-SSH-Internet/);
    expect(text).toContain("properties.sourceAddressPrefix");
    expect(text).toContain("Internet");
    expect(text).toContain("203.0.113.0/24");
    expect(text).toContain("an approver other than Alice Analyst");
    expect(text).toContain(`undo ${id}`);
    expect(card.actions.map((a: any) => [a.verb, a.data.changeId])).toEqual([
      ["fix.approve", id],
      ["fix.deny", id],
    ]);
    expect(calls(bot, "PUT", "/securityRules/")).toBe(puts);
    await bot.connector.waitFor(() => bot.connector.sent(BOB_CHAT).some((c) => cardText(cardOf(c.activity)).includes(`Change ${id}`)));

    const approved = await click(bot, "fix.approve", { changeId: id }, BOB, BOB_CHAT);
    expect(cardText(approved)).toMatch(/Approved by Bob Approver at \d\d:\d\d UTC; applying the change/);
    const done = await settled(bot, id);
    expect(done.status).toBe("applied");
    expect(calls(bot, "PUT", "/securityRules/")).toBe(puts + 1);
    const rule = nsg("nsg-web-prod").rules.find((r) => r.name === "Allow-SSH-Internet")!;
    expect(rule.sourceAddressPrefixes).toEqual(["203.0.113.0/24"]);
    expect(rule.destinationPortRanges).toEqual(["22"]);
    expect(JSON.stringify(nsg("nsg-web-prod").rules.filter((r) => r.name !== "Allow-SSH-Internet"))).toBe(otherBefore);
    expect(done.readBack).toMatchObject({ kind: "rule", rule: { sourceAddressPrefix: "203.0.113.0/24" } });
    // Every posted copy shows the outcome and the read-back.
    await bot.connector.waitFor(() =>
      [ALICE_CHAT, BOB_CHAT].every((conv) =>
        bot.connector.updates(conv).some((u) => {
          const t = cardText(cardOf(u.activity));
          return t.includes(`Change ${id}`) && /Applied at \d\d:\d\d UTC/.test(t) && t.includes("Read back from Azure: as proposed");
        }),
      ),
    );
    const rules = await say(bot, "exposure rules");
    expect(rules).not.toContain("nsg-web-prod / Allow-SSH-Internet");
    expect(rules).toContain("nsg-web-02 / Allow-SSH-Internet");

    const trail = await audit(bot, id);
    expect(trail.find((e) => e.action === "fix:propose")).toMatchObject({ actorId: ALICE.aadObjectId, result: "ok" });
    expect(trail.find((e) => e.action === "fix:approve")).toMatchObject({ actorId: BOB.aadObjectId, result: "ok" });
    const applied = trail.find((e) => e.action === "fix:apply")!;
    expect(applied).toMatchObject({ actorId: BOB.aadObjectId, result: "ok" });
    expect(applied.detail).toContain("properties.sourceAddressPrefix: Internet → 203.0.113.0/24");

    // Undo: a new change from what was written back to what was there, through the same approval.
    const undo = await propose(bot, `undo ${id.toLowerCase()}`);
    expect(undo.text).toContain(`undoes ${id}`);
    expect(undo.text).toMatch(/properties\.sourceAddressPrefix[\s\S]*203\.0\.113\.0\/24[\s\S]*Internet/);
    const [typed] = await bot.say(`fix approve ${undo.id}`, { from: BOB, conversationId: BOB_CHAT });
    expect(cardText(cardOf(typed!))).toContain("applying the change");
    expect((await settled(bot, undo.id)).status).toBe("applied");
    expect(nsg("nsg-web-prod").rules.find((r) => r.name === "Allow-SSH-Internet")!.sourceAddressPrefixes).toEqual(["Internet"]);
    expect(await record(bot, id)).toMatchObject({ undoneBy: undo.id });
    await bot.connector.waitFor(() => bot.connector.updates(ALICE_CHAT).some((u) => cardText(cardOf(u.activity)).includes(`Undone by ${undo.id}`)));
    expect((await audit(bot, undo.id)).find((e) => e.action === "undo:apply")).toMatchObject({ result: "ok" });
    // The same change cannot be undone twice, and an undo cannot itself be undone.
    expect(await say(bot, `undo ${id}`)).toContain(`already undone by ${undo.id}`);
    expect(await say(bot, `undo ${undo.id}`)).toContain("is itself an undo");
  });

  test("when the rule changes after the preview, then the approval writes nothing and the cards say it changed", async () => {
    const { id } = await propose(bot, "fix rule nsg-dev/Allow-RDP-Any delete");
    const deletes = calls(bot, "DELETE", "/securityRules/");
    // Someone narrows the rule in the portal meanwhile.
    nsg("nsg-dev").rules.find((r) => r.name === "Allow-RDP-Any")!.sourceAddressPrefixes = ["198.51.100.0/24"];
    await click(bot, "fix.approve", { changeId: id }, BOB, BOB_CHAT);
    const done = await settled(bot, id);
    expect(done.status).toBe("stale");
    expect(calls(bot, "DELETE", "/securityRules/")).toBe(deletes);
    expect(nsg("nsg-dev").rules.find((r) => r.name === "Allow-RDP-Any")!.sourceAddressPrefixes).toEqual(["198.51.100.0/24"]);
    await bot.connector.waitFor(() =>
      bot.connector.updates(ALICE_CHAT).some((u) => {
        const t = cardText(cardOf(u.activity));
        return t.includes(`Change ${id}`) && t.includes("changed after the preview, so nothing was written") && t.includes("198.51.100.0/24");
      }),
    );
    expect((await audit(bot, id)).find((e) => e.action === "fix:apply")).toMatchObject({ result: "conflict" });
    expect(await say(bot, `undo ${id}`)).toContain("was not applied");
  });

  test("when someone other than an approver, or the proposer, approves, then it is refused and nothing is written", async () => {
    const { id } = await propose(bot, "fix forwarding vm-nva-01");
    const nicPuts = calls(bot, "PUT", "/networkInterfaces/");
    expect(cardText(await click(bot, "fix.approve", { changeId: id }, CAROL, CAROL_CHAT))).toContain("This needs the approver role");
    expect(cardText(await click(bot, "fix.approve", { changeId: id }, ALICE, ALICE_CHAT))).toContain("This needs the approver role");
    expect(await say(bot, "fix rule nsg-dev/Allow-RDP-Any delete", CAROL, CAROL_CHAT)).toContain("needs the operator role");
    // Bob proposes, and Bob may not approve his own change.
    const own = await propose(bot, "fix flowlogs nsg-app-prod", BOB, BOB_CHAT);
    const refused = await click(bot, "fix.approve", { changeId: own.id }, BOB, BOB_CHAT);
    expect(cardText(refused)).toContain("You cannot approve your own change");
    expect(refused.actions.map((a: any) => a.verb)).toEqual(["fix.approve", "fix.deny"]);
    expect(calls(bot, "PUT", "/networkInterfaces/")).toBe(nicPuts);
    expect((await record(bot, id)).status).toBe("pending");
    expect((await record(bot, own.id)).status).toBe("pending");
    expect(bot.app.simulator!.estate.nics.find((n) => n.name === "vm-nva-01-nic")!.enableIPForwarding).toBe(true);
    expect((await audit(bot, own.id)).find((e) => e.action === "fix:approve")).toMatchObject({ result: "denied", actorId: BOB.aadObjectId });
    // Nor may he deny it; but he may deny Alice's, and the note goes to every copy of the card.
    expect(await say(bot, `fix deny ${own.id} because changed my mind`, BOB, BOB_CHAT)).toContain("You cannot deny your own change");
    const denied = cardText(await click(bot, "fix.deny", { changeId: id, note: "it is our firewall appliance" }, BOB, BOB_CHAT));
    expect(denied).toMatch(/Denied by Bob Approver at \d\d:\d\d UTC\. Nothing was changed\./);
    expect(denied).toContain("it is our firewall appliance");
    await bot.connector.waitFor(() => bot.connector.updates(ALICE_CHAT).some((u) => cardText(cardOf(u.activity)).includes(`Change ${id}`) && cardText(cardOf(u.activity)).includes("Denied by Bob")));
    expect(calls(bot, "PUT", "/networkInterfaces/")).toBe(nicPuts);
    expect((await audit(bot, id)).find((e) => e.action === "fix:deny")).toMatchObject({ result: "ok", actorId: BOB.aadObjectId });
  });

  test("when IP forwarding is turned off after approval, then the NIC changes once despite a double click and exposure no longer lists it", async () => {
    const { id, text } = await propose(bot, "fix forwarding vm-nva-01");
    expect(text).toContain("Network virtual appliances");
    expect(text).toContain("properties.enableIPForwarding");
    const nicPuts = calls(bot, "PUT", "/networkInterfaces/");
    const [a, b] = await Promise.all([
      click(bot, "fix.approve", { changeId: id }, BOB, BOB_CHAT),
      click(bot, "fix.approve", { changeId: id }, BOB, BOB_CHAT),
    ]);
    expect([cardText(a), cardText(b)].some((t) => t.includes("already approved"))).toBe(true);
    const done = await settled(bot, id);
    expect(done).toMatchObject({ status: "applied", readBack: { kind: "forwarding", enableIPForwarding: false } });
    expect(calls(bot, "PUT", "/networkInterfaces/")).toBe(nicPuts + 1);
    expect(bot.app.simulator!.estate.nics.find((n) => n.name === "vm-nva-01-nic")!.enableIPForwarding).toBe(false);
    expect(await say(bot, "exposure forwarding")).toContain("No NIC has IP forwarding on.");
    // It was an appliance after all: undo turns forwarding back on.
    const undo = await propose(bot, `undo ${id}`);
    await click(bot, "fix.approve", { changeId: undo.id }, BOB, BOB_CHAT);
    expect((await settled(bot, undo.id)).status).toBe("applied");
    expect(bot.app.simulator!.estate.nics.find((n) => n.name === "vm-nva-01-nic")!.enableIPForwarding).toBe(true);
    expect(await say(bot, "exposure forwarding")).toContain("vm-nva-01-nic");
  });

  test("when JIT is enabled from Teams, then a new policy covers the exposed port and an existing policy keeps its VMs and ports", async () => {
    const policies = () => bot.app.simulator!.estate.jitPolicies;
    const badgeOfBuild = async (): Promise<string | undefined> => /(NO JIT|JIT|OPEN)\nvm-build-01 \(/.exec(await say(bot, "exposure vms"))?.[1];
    expect(await badgeOfBuild()).toBe("NO JIT");
    const build = await propose(bot, "fix jit vm-build-01");
    expect(build.text).toContain("Enable JIT on vm-build-01");
    expect(build.text).toContain("a new policy");
    await click(bot, "fix.approve", { changeId: build.id }, BOB, BOB_CHAT);
    expect((await settled(bot, build.id)).status).toBe("applied");
    const created = policies().find((p) => p.virtualMachines.some((v) => v.id.endsWith("/vm-build-01")))!;
    expect(created.id).toMatch(/\/resourceGroups\/rg-build-dev\/providers\/Microsoft\.Security\/locations\/eastus\/jitNetworkAccessPolicies\/default$/);
    expect(created.virtualMachines[0]!.ports).toEqual([{ number: 22, protocol: "*", allowedSourceAddressPrefix: "*", maxRequestAccessDuration: "PT3H" }]);
    expect(await badgeOfBuild()).toBe("JIT");
    expect(await say(bot, "fix jit vm-build-01")).toContain("no management port open to the internet without JIT");
    expect(await say(bot, "fix jit vm-build-01 port 22")).toContain("already covers port 22");
    // Undo removes the VM again; the policy the fix created for it alone goes with it.
    const unbuild = await propose(bot, `undo ${build.id}`);
    expect(unbuild.text).toContain("vm-build-01 is not in the policy");
    await click(bot, "fix.approve", { changeId: unbuild.id }, BOB, BOB_CHAT);
    expect((await settled(bot, unbuild.id)).status).toBe("applied");
    expect(policies().some((p) => p.virtualMachines.some((v) => v.id.endsWith("/vm-build-01")))).toBe(false);
    expect(await badgeOfBuild()).toBe("NO JIT");

    // vm-app-01 joins vm-api-01's policy; vm-api-01 keeps 3389 and gains 22.
    const apiBefore = structuredClone(policies().find((p) => p.virtualMachines.some((v) => v.id.endsWith("/vm-api-01")))!.virtualMachines[0]);
    const app = await propose(bot, "fix jit vm-app-01");
    expect(app.text).toContain("properties.virtualMachines[vm-app-01].ports");
    await click(bot, "fix.approve", { changeId: app.id }, BOB, BOB_CHAT);
    expect((await settled(bot, app.id)).status).toBe("applied");
    const shared = policies().find((p) => p.virtualMachines.some((v) => v.id.endsWith("/vm-app-01")))!;
    expect(shared.virtualMachines.find((v) => v.id.endsWith("/vm-api-01"))).toEqual(apiBefore);
    expect(shared.virtualMachines.find((v) => v.id.endsWith("/vm-app-01"))!.ports.map((p) => p.number)).toEqual([3389, 5985, 5986]);

    const api = await propose(bot, "fix jit vm-api-01 port 22");
    expect(api.text).toContain("ports[22]");
    await click(bot, "fix.approve", { changeId: api.id }, BOB, BOB_CHAT);
    expect((await settled(bot, api.id)).status).toBe("applied");
    const apiPorts = shared.virtualMachines.find((v) => v.id.endsWith("/vm-api-01"))!.ports;
    expect(apiPorts.map((p) => [p.number, p.maxRequestAccessDuration])).toEqual([
      [3389, "PT3H"],
      [22, "PT3H"],
    ]);
    expect(shared.virtualMachines.some((v) => v.id.endsWith("/vm-app-01"))).toBe(true);
  });

  test("when a flow log is created into the configured storage, then exposure no longer lists the NSG; when Azure refuses one, the card says why in plain words", async () => {
    const { id, text } = await propose(bot, "fix flowlogs nsg-app-prod");
    expect(text).toContain("Create a flow log for nsg-app-prod");
    expect(text).toContain("stcontosocaptures");
    await click(bot, "fix.approve", { changeId: id }, BOB, BOB_CHAT);
    expect((await settled(bot, id)).status).toBe("applied");
    const flowLog = bot.app.simulator!.estate.flowLogs.find((f) => f.targetResourceId === nsg("nsg-app-prod").id)!;
    expect(flowLog).toMatchObject({ enabled: true, storageId: bot.app.simulator!.estate.captureStorageAccountId, retentionDays: 90 });
    expect(await say(bot, "exposure flowlogs")).not.toContain("nsg-app-prod");
    const unflow = await propose(bot, `undo ${id}`);
    await click(bot, "fix.approve", { changeId: unflow.id }, BOB, BOB_CHAT);
    expect((await settled(bot, unflow.id)).status).toBe("applied");
    expect(bot.app.simulator!.estate.flowLogs.some((f) => f.targetResourceId === nsg("nsg-app-prod").id)).toBe(false);

    // nsg-build-dev is in eastus; the capture storage account is in westeurope, and Azure refuses that.
    const refused = await propose(bot, "fix flowlogs nsg-build-dev");
    expect(refused.text).toContain("Enable the flow log of nsg-build-dev");
    expect(refused.text).toContain("properties.enabled");
    await click(bot, "fix.approve", { changeId: refused.id }, BOB, BOB_CHAT);
    const failed = await settled(bot, refused.id);
    expect(failed.status).toBe("failed");
    expect(failed.error).toContain("must be in the same region");
    expect(failed.error).not.toMatch(/at .*\.ts:\d+|RestError/);
    expect(bot.app.simulator!.estate.flowLogs.find((f) => f.targetResourceId === nsg("nsg-build-dev").id)!.enabled).toBe(false);
    await bot.connector.waitFor(() =>
      bot.connector.updates(ALICE_CHAT).some((u) => {
        const t = cardText(cardOf(u.activity));
        return t.includes(`Change ${refused.id}`) && t.includes("Azure refused the change") && t.includes("must be in the same region");
      }),
    );
    expect((await audit(bot, refused.id)).find((e) => e.action === "fix:apply")).toMatchObject({ result: "error" });
  });

  test("when an alert is dismissed with a reason and then reactivated, then Defender's status follows and the form checks its input", async () => {
    const alert = bot.app.simulator!.estate.alerts.find((a) => a.displayName.includes("recommended for blocking"))!;
    expect(alert.status).toBe("Active");
    expect(await say(bot, `fix alert ${alert.name} dismiss`)).toContain(`Say why, after "because"`);
    const { id, text } = await propose(bot, `fix alert ${alert.name} dismiss because our scanner's own traffic \${x}`);
    expect(text).toContain("properties.status");
    expect(text).toContain("our scanner's own traffic ${x}");
    await click(bot, "fix.approve", { changeId: id }, BOB, BOB_CHAT);
    expect((await settled(bot, id)).status).toBe("applied");
    expect(alert.status).toBe("Dismissed");
    expect(await say(bot, "alerts")).not.toContain(alert.displayName);
    expect((await audit(bot, id)).find((e) => e.action === "fix:propose")!.detail).toContain("because: our scanner's own traffic");

    // The card button opens a form; a missing reason brings it back, a complete one posts the preview.
    const [formReply] = await bot.say(`fix alert ${alert.name}`, { conversationId: "conv-form" });
    const form = cardOf(formReply!);
    expect(cardProblems(form)).toEqual([]);
    const alertId = form.actions[0].data.alertId as string;
    const again = await click(bot, "fix.alert", { alertId, action: "activate", reason: "" }, ALICE, "conv-form");
    expect(cardText(again)).toContain("Say why");
    const sent = await click(bot, "fix.alert", { alertId, action: "activate", reason: "false alarm after all" }, ALICE, "conv-form");
    const reactivate = /Change (C[0-9A-Z]{6}) proposed/.exec(cardText(sent))?.[1];
    expect(reactivate).toBeDefined();
    await bot.connector.waitFor(() => bot.connector.sent("conv-form").some((c) => (cardOf(c.activity).actions ?? []).some((a: any) => a.data?.changeId === reactivate)));
    await click(bot, "fix.approve", { changeId: reactivate }, BOB, BOB_CHAT);
    expect((await settled(bot, reactivate!)).status).toBe("applied");
    expect(alert.status).toBe("Active");

    // Someone resolves it in the portal between the preview and the approval: nothing is written.
    const resolve = await propose(bot, `fix alert ${alert.name} dismiss because duplicate`);
    alert.status = "Resolved";
    const posts = calls(bot, "POST", "/alerts/");
    expect(posts).toBeGreaterThan(0); // the dismiss and the reactivation above
    await click(bot, "fix.approve", { changeId: resolve.id }, BOB, BOB_CHAT);
    expect((await settled(bot, resolve.id)).status).toBe("stale");
    expect(alert.status).toBe("Resolved");
    expect(calls(bot, "POST", "/alerts/")).toBe(posts);
  });

  test("when someone lists the changes, then each shows its state, and fix buttons appear on the findings", async () => {
    const text = await say(bot, "fix list", CAROL, CAROL_CHAT);
    expect(text).toContain("Fixes made from Teams");
    expect(text).toMatch(/APPLIED/);
    expect(text).toMatch(/CHANGED/);
    const [reply] = await bot.say("exposure rules", { from: CAROL, conversationId: CAROL_CHAT });
    const commands = (cardOf(reply!).actions as any[]).filter((a) => a.type === "Action.Submit").map((a) => a.data.command as string);
    expect(commands.some((c) => /^fix rule rg-[a-z-]+\/nsg-[a-z0-9-]+\/[A-Za-z0-9-]+$/.test(c))).toBe(true);
    const ask = await say(bot, commands.find((c) => c.startsWith("fix rule"))!);
    expect(ask).toContain("How should");
    expect(ask).toContain("Preview deleting the rule");
  });
});

describe("remediation without approval required", () => {
  let offsetMs = 0;
  const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };

  test("when the proposer presses Apply, then the change is made; nobody else can apply it; undo is refused after 24 h", async () => {
    const bot = await startTestBot({ ...ROLES, REMEDIATION_REQUIRE_APPROVAL: "false" }, { clock });
    try {
      await bot.say("help", { from: BOB, conversationId: BOB_CHAT });
      const { id, card, text } = await propose(bot, "fix rule nsg-build-dev/Allow-SSH-Any from 198.51.100.7");
      expect(text).toContain("approval not required");
      expect(card.actions.map((a: any) => a.verb)).toEqual(["fix.confirm"]);
      expect(cardText(await click(bot, "fix.confirm", { changeId: id }, BOB, BOB_CHAT))).toContain("Only Alice Analyst");
      const applied = await click(bot, "fix.confirm", { changeId: id }, ALICE, ALICE_CHAT);
      expect(cardText(applied)).toContain("Confirmed by Alice Analyst");
      expect((await settled(bot, id)).status).toBe("applied");
      const rule = bot.app.simulator!.estate.nsgs.find((n) => n.name === "nsg-build-dev")!.rules.find((r) => r.name === "Allow-SSH-Any")!;
      expect(rule.sourceAddressPrefixes).toEqual(["198.51.100.7"]);
      offsetMs = 25 * 3_600_000;
      expect(await say(bot, `undo ${id}`)).toContain("more than 24 h ago");
    } finally {
      await bot.stop();
    }
  });
});
