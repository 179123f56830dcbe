/**
 * A first conversation as two people have it in Microsoft 365 Agents Playground (issue 9), driven through the
 * playground's own HTTP API and WebSocket: the real bot in demo mode with the roles `npm run playground` gives the
 * mock users (Dana Operator types, Alex Approver approves), the real playground process, nothing else.
 *
 * welcome → "Secure score" button → help → exposure → vm vm-web-01 → (war room) jit request as Dana → Dana may not
 * approve → Alex clicks Approve → capture start, its card updated in place → digest now.
 * Every card that arrives must be valid for the Adaptive Cards renderer, under 28 KB and theme-safe.
 */
import { freePort, playgroundRoles, PlaygroundClient, startPlayground, type PlaygroundMessage, type RunningPlayground } from "../../scripts/playground-lib";
import { startTestBot, type TestBot } from "../helpers/test-bot";
import { cardProblems } from "../helpers/validate-card";
import { displayUsage } from "../../src/bot/help-view";
import { actionsOf, cardIn, themeProblems, visibleText } from "./playground-support";

const hasCard = (m: PlaygroundMessage) => cardIn(m) !== undefined;

describe("Agents Playground: a first conversation between an operator, an approver and the bot", () => {
  let bot: TestBot;
  let playground: RunningPlayground;
  let client: PlaygroundClient;
  let dana: string;
  let alex: string;

  beforeAll(async () => {
    bot = await startTestBot(playgroundRoles());
    playground = await startPlayground({ botEndpoint: `${bot.url}/api/messages`, port: await freePort() });
    client = await PlaygroundClient.connect(playground.url);
    dana = client.config.currentUser.id;
    alex = client.user("Alex Approver").id;
  }, 60000);

  afterAll(async () => {
    await client?.close();
    await playground?.stop();
    await bot?.stop();
  });

  /** Sends text and waits for the next bot message in that conversation that `accept`s. */
  async function ask(conversationId: string, text: string, accept: (m: PlaygroundMessage) => boolean = hasCard, options: { mention?: boolean } = {}) {
    const before = client.botMessages(conversationId).length;
    await client.send(conversationId, text, options);
    return client.waitFor(() => client.botMessages(conversationId).slice(before).find(accept), `a reply to "${text}"`);
  }

  /** Every card must render in Teams (adaptivecards parses it), fit the budget, and survive both themes. */
  function expectWellFormed(message: PlaygroundMessage | undefined): Record<string, any> {
    const card = cardIn(message);
    expect(card).toBeDefined();
    expect(cardProblems(card)).toEqual([]);
    expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThan(28 * 1024);
    expect(themeProblems(card)).toEqual([]);
    // The playground's renderer throws on an Action.Submit whose data has "msteams" (it writes msTeams into the frozen
    // card), so such a button does nothing there; the bot reads data.command from a plain Action.Submit instead.
    expect(actionsOf(card).filter((a) => a.type === "Action.Submit" && a.data && ("msteams" in a.data || "msTeams" in a.data))).toEqual([]);
    return card!;
  }

  test("when the mock config is read, then Dana is the operator, Alex the approver, and approval is required", () => {
    const roles = playgroundRoles();
    expect(roles).toEqual({
      ROLE_READERS: "*",
      ROLE_OPERATORS: client.user("Dana Operator").aadObjectId,
      ROLE_APPROVERS: client.user("Alex Approver").aadObjectId,
      JIT_REQUIRE_APPROVAL: "true",
    });
    expect(bot.app.services.config.jit.requireApproval).toBe(true);
    // Alex is in the war room with Dana, so he can press the buttons of cards posted there.
    expect(client.config.groupChats[0].members).toContain(alex);
  });

  test("when the bot is installed, then the welcome card says what it does and offers three first questions", async () => {
    const chat = client.personalChatId;
    const before = client.botMessages(chat).length;
    await client.install(chat);
    const welcome = await client.waitFor(() => client.botMessages(chat).slice(before).find(hasCard), "the welcome card");
    const card = expectWellFormed(welcome);
    const text = visibleText(welcome);
    expect(text).toContain("Hello! I'm the SecOps bot");
    expect(text).toContain("Demo mode");
    for (const topic of ["Security posture", "Internet exposure", "Just-In-Time access", "Packet capture", "Daily digest"]) expect(text).toContain(topic);
    // Short: the full command list is help's job.
    expect(text).not.toContain(displayUsage("jit approve <request-id>"));
    expect(actionsOf(card).map((a) => a.data?.command)).toEqual(["score", "exposure", "recommendations high"]);

    // Pressing "Secure score" answers as if "score" had been typed.
    const button = actionsOf(card).find((a) => a.title === "Secure score")!;
    const n = client.botMessages(chat).length;
    await client.submit(chat, welcome.messageId, button.data);
    const score = await client.waitFor(() => client.botMessages(chat).slice(n).find(hasCard), "the score card");
    expectWellFormed(score);
    expect(visibleText(score)).toContain("Top controls by potential gain");
  });

  test("when Dana types help, then every command is listed, grouped by what it is for", async () => {
    const help = await ask(client.personalChatId, "help");
    expectWellFormed(help);
    const text = visibleText(help);
    for (const heading of ["Security posture", "Just-In-Time VM access", "Packet capture", "Digest and score watch"]) expect(text).toContain(heading);
    const usages = bot.app.services
      .commands()
      .filter((c) => !c.hidden)
      .map((c) => displayUsage(c.usage));
    for (const usage of usages) expect(text).toContain(usage);
  });

  test("when Dana asks about exposure and vm-web-01, then she gets the exposed VMs and the VM's findings", async () => {
    const exposure = await ask(client.personalChatId, "exposure");
    expectWellFormed(exposure);
    expect(visibleText(exposure)).toMatch(/Internet-exposed VMs[\s\S]*vm-web-01/);

    const vm = await ask(client.personalChatId, "vm vm-web-01");
    expectWellFormed(vm);
    const text = visibleText(vm);
    expect(text).toContain("vm-web-01");
    expect(text).toContain("Internet exposure");
  });

  test("when Dana requests JIT access in the war room, then only Alex may approve it, and the card updates in place", async () => {
    const room = client.groupChatId;
    const request = await ask(room, "jit request vm-api-01 port 3389 for 1h from 203.0.113.7 because patching", hasCard, { mention: true });
    const card = expectWellFormed(request);
    expect(visibleText(request)).toContain("Waiting for an approver");
    const approve = actionsOf(card).find((a) => a.verb === "jit.approve") as { type: string; verb: string; data: { requestId: string } } | undefined;
    expect(approve).toMatchObject({ type: "Action.Execute", title: "Approve" });
    const requestId = approve!.data.requestId;

    // Dana is the requester and not an approver: pressing Approve changes nothing.
    const refused = await client.execute(room, request.messageId, approve!, { from: dana });
    expect(JSON.stringify(refused.value)).toMatch(/approver role/);
    expect(client.updatesOf(request.messageId)).toEqual([]);

    // Alex presses Approve: the answer replaces his card, the posted card is updated for everyone, Dana is told.
    const personalBefore = client.botMessages(client.personalChatId).length;
    const approved = await client.execute(room, request.messageId, approve!, { from: alex });
    expect(JSON.stringify(approved.value)).toContain("Approved by Alex Approver");
    const update = await client.waitFor(
      () => client.updatesOf(request.messageId).find((m) => /access until/.test(visibleText(m))),
      "the approval card updated to granted",
    );
    expectWellFormed(update);
    expect(visibleText(update)).toContain("Approved by Alex Approver");
    expect(actionsOf(cardIn(update))).toEqual([]);
    const notice = await client.waitFor(
      () => client.botMessages(client.personalChatId).slice(personalBefore).find((m) => visibleText(m).includes(requestId)),
      "Dana's notice that access is open",
    );
    expectWellFormed(notice);
  });

  test("when Alex types in the war room (as npm run playground's terminal does for him), then he has the approver role and Dana does not", async () => {
    const room = client.groupChatId;
    const before = client.botMessages(room).length;
    await client.sendAs("Alex Approver", room, "audit last 1h", { mention: true });
    const audit = await client.waitFor(() => client.botMessages(room).slice(before).find(hasCard), "Alex's audit log");
    expectWellFormed(audit);
    expect(visibleText(audit)).toMatch(/Audit log[\s\S]*jit:approve/);

    const refused = await ask(room, "audit last 1h", hasCard, { mention: true });
    expect(visibleText(refused)).toMatch(/approver role/);
  });

  test("when Dana starts a packet capture, then its progress card turns to Running in place", async () => {
    const chat = client.personalChatId;
    const started = await ask(chat, "capture start vm-web-01 for 60s");
    expectWellFormed(started);
    expect(visibleText(started)).toMatch(/Packet capture cap-vm-web-01-/);
    const running = await client.waitFor(
      () => client.updatesOf(started.messageId).find((m) => /Running since/.test(visibleText(m))),
      "the capture card updated to Running",
    );
    expectWellFormed(running);
    expect(visibleText(running)).toContain("vm-web-01");
  });

  test("when Dana asks for the digest now, then it reports the day's JIT grant and capture", async () => {
    const digest = await ask(client.personalChatId, "digest now");
    expectWellFormed(digest);
    const text = visibleText(digest);
    expect(text).toContain("Daily security digest");
    expect(text).toMatch(/vm-api-01[\s\S]*by Dana Operator/);
    expect(text).toMatch(/cap-vm-web-01-/);
  });
});
