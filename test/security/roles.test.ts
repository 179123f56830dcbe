/**
 * Issue 6, roles (DESIGN §3.7): every command spec and every card-action verb is role-checked before its handler runs.
 * The lists come from discoverCommands()/discoverActions(), so a new command or button is covered without editing
 * this file. CAROL is a reader, ALICE an operator, BOB an approver, DAVE has no role.
 */
import { ALICE, BOB, cardActionInvoke, messageActivity } from "../helpers/activities";
import { cardOf, cardText, startTestBot, type TestBot } from "../helpers/test-bot";
import { discoverActions, discoverCommands } from "../../src/bot/registry";
import { ROLE_ORDER, type CommandSpec, type Role } from "../../src/bot/command-spec";
import type { JitRequestRecord } from "../../src/domain/jit-record";

const CAROL = { id: "29:carol", name: "Carol Reader", aadObjectId: "00000000-0000-0000-0000-0000000ca201" };
const DAVE = { id: "29:dave", name: "Dave Nobody", aadObjectId: "00000000-0000-0000-0000-00000000da7e" };
type Person = typeof ALICE;
const HOLDS: Record<Role, Person> = { reader: CAROL, operator: ALICE, approver: BOB };

const COMMANDS = discoverCommands();
const ACTIONS = discoverActions();
const below = (role: Role): Role[] => ROLE_ORDER.slice(0, ROLE_ORDER.indexOf(role));

/** What the person would type: the spec's first example that starts with its name, else the bare name. */
function lineFor(spec: CommandSpec, requestId: string): string {
  const example = (spec.examples ?? []).find((e) => e.toLowerCase() === spec.name || e.toLowerCase().startsWith(`${spec.name} `)) ?? spec.name;
  return example.replace(/\bJ[2-9A-HJKMNP-Z]{6}\b/, requestId);
}

/** Probes registered next to the real commands: they count their runs, so "the handler did not run" is observable. */
const probeRuns: Record<string, number> = {};
const probes: CommandSpec[] = ROLE_ORDER.map((role) => ({
  name: `zz-probe-${role}`,
  usage: `zz-probe-${role}`,
  summary: "test probe",
  role,
  sideEffects: true,
  hidden: true,
  async handler(inv, services) {
    probeRuns[role] = (probeRuns[role] ?? 0) + 1;
    await inv.reply(services.cards.render("message", { title: "probe ran", text: null, style: "default", facts: [], buttons: [], footer: null }, "probe ran"));
  },
}));

describe("roles", () => {
  let bot: TestBot;
  let pendingId: string;

  beforeAll(async () => {
    bot = await startTestBot(
      { ROLE_READERS: CAROL.aadObjectId, ROLE_OPERATORS: ALICE.aadObjectId, ROLE_APPROVERS: BOB.aadObjectId, JIT_REQUIRE_APPROVAL: "true" },
      { commands: probes },
    );
    // A real pending request, so a refused approve/deny would have something to act on.
    await bot.say("help", { from: BOB, conversationId: "conv-bob" });
    const [reply] = await bot.say("jit request vm-api-01 port 3389 for 1h from 203.0.113.7 because patching", { from: ALICE, conversationId: "conv-alice" });
    const card = cardOf(reply!);
    const approve = (card.actions ?? []).find((a: any) => typeof a.data?.requestId === "string");
    pendingId = approve?.data?.requestId ?? /\bJ[2-9A-HJKMNP-Z]{6}\b/.exec(cardText(card))?.[0];
    if (!pendingId) throw new Error(`no request id in ${cardText(card)}`);
  });
  afterAll(async () => {
    await bot.stop();
  });

  /** ARM calls that change something (anything but GET), summed over routes. */
  function armWrites(): number {
    return Object.entries(bot.app.simulator!.stats().byRoute)
      .filter(([route]) => !route.startsWith("GET "))
      .reduce((n, [, count]) => n + count, 0);
  }
  async function jitState(): Promise<string> {
    const docs = await bot.app.services.store.listDocuments<JitRequestRecord>("jit-requests");
    return JSON.stringify(docs.map((d) => [d.key, d.version]));
  }
  async function lastAudit(conversationId: string) {
    return (await bot.app.services.store.listAudit({ limit: 500 })).find((e) => e.conversationId === conversationId);
  }

  test("when the probes run for people who hold the role, then they run (the probes can tell)", async () => {
    for (const role of ROLE_ORDER) {
      const [reply] = await bot.say(`zz-probe-${role}`, { from: HOLDS[role], conversationId: `conv-probe-ok-${role}` });
      expect(cardText(cardOf(reply!))).toContain("probe ran");
    }
    expect(probeRuns).toEqual({ reader: 1, operator: 1, approver: 1 });
  });

  const gated: [string, Role, Role][] = [...COMMANDS, ...probes].flatMap((spec) =>
    below(spec.role).map((role): [string, Role, Role] => [spec.name, spec.role, role]),
  );

  test("when the commands are discovered, then some need more than reader (the table below is not empty)", () => {
    expect(gated.filter(([name]) => !name.startsWith("zz-")).length).toBeGreaterThan(0);
  });

  test.each(gated)('when a person with a lower role runs "%s" (needs %s; has %s), then it is refused, audited as denied and changes nothing', async (name, need, has) => {
    const spec = [...COMMANDS, ...probes].find((s) => s.name === name)!;
    const conversationId = `conv-deny-${name.replace(/\s+/g, "-")}-${has}`;
    const writes = armWrites();
    const jit = await jitState();
    const runs = { ...probeRuns };
    const [reply] = await bot.say(lineFor(spec, pendingId), { from: HOLDS[has], conversationId });
    const text = cardText(cardOf(reply!));
    expect(text).toContain("You can't do that");
    expect(text).toContain(`needs the ${need} role`);
    expect(await lastAudit(conversationId)).toMatchObject({ action: `command:${name}`, result: "denied", actorId: HOLDS[has].aadObjectId });
    expect(armWrites()).toBe(writes);
    expect(await jitState()).toBe(jit);
    expect(probeRuns).toEqual(runs);
  });

  test.each([...COMMANDS, ...probes].map((s) => [s.name]))('when a person with no role runs "%s", then it is refused and audited as denied', async (name) => {
    const spec = [...COMMANDS, ...probes].find((s) => s.name === name)!;
    const conversationId = `conv-norole-${name.replace(/\s+/g, "-")}`;
    const runs = { ...probeRuns };
    const [reply] = await bot.say(lineFor(spec, pendingId), { from: DAVE, conversationId });
    expect(cardText(cardOf(reply!))).toContain("you have no role in this bot");
    expect(await lastAudit(conversationId)).toMatchObject({ action: `command:${name}`, result: "denied", actorId: DAVE.aadObjectId });
    expect(probeRuns).toEqual(runs);
  });

  test("when a reader clicks a forged messageBack button that carries an approver command, then it is refused like typed text", async () => {
    const conversationId = "conv-forged-button";
    const writes = armWrites();
    await bot.post(messageActivity("", bot.opts({ from: CAROL, conversationId, value: { command: `jit approve ${pendingId}` } })));
    await bot.connector.waitFor(() => bot.connector.sent(conversationId).length === 1);
    expect(cardText(cardOf(bot.connector.sent(conversationId)[0]!.activity))).toContain("needs the approver role");
    expect(await lastAudit(conversationId)).toMatchObject({ action: "command:jit approve", result: "denied" });
    expect(armWrites()).toBe(writes);
  });

  const forged: [string, Role, string, string][] = ACTIONS.flatMap((a) => [
    ...below(a.role).map((has): [string, Role, string, string] => [a.verb, a.role, has, a.verb]),
    [a.verb, a.role, "no role", a.verb],
    // Verbs are matched case-insensitively, so a changed case must not slip past the check either.
    [a.verb, a.role, "no role", a.verb.toUpperCase()],
  ]);

  test("when card actions are discovered, then there is at least one to forge", () => {
    expect(forged.length).toBeGreaterThan(0);
  });

  test.each(forged)('when a forged Action.Execute "%s" (needs %s) comes from a person with %s (verb sent as %s), then it is refused and audited as denied', async (verb, need, has, sentVerb) => {
    const person = has === "no role" ? DAVE : HOLDS[has as Role];
    const conversationId = `conv-forged-${sentVerb}-${has.replace(" ", "-")}`;
    const writes = armWrites();
    const jit = await jitState();
    const data = { requestId: pendingId, id: pendingId, reason: "forged", extra: { nested: ["x"] } };
    const res = await bot.post(cardActionInvoke(sentVerb, data, bot.opts({ from: person, conversationId })));
    expect(res.status).toBe(200);
    expect(res.body.type).toBe("application/vnd.microsoft.card.adaptive");
    const text = cardText(res.body.value);
    expect(text).toContain("You can't do that");
    expect(text).toContain(`needs the ${need} role`);
    expect(await lastAudit(conversationId)).toMatchObject({ action: `action:${verb}`, result: "denied", actorId: person.aadObjectId });
    expect(armWrites()).toBe(writes);
    expect(await jitState()).toBe(jit);
  });

  test("when every refusal is done, then the pending request is still pending and Azure was never asked to open access", async () => {
    const doc = await bot.app.services.store.getDocument<JitRequestRecord>("jit-requests", pendingId);
    expect(doc?.value.status).toBe("pending");
    const initiates = Object.entries(bot.app.simulator!.stats().byRoute).filter(([r]) => r.endsWith("/initiate"));
    expect(initiates.reduce((n, [, c]) => n + c, 0)).toBe(0);
  });
});
