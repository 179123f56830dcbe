import { alertCard } from "../../src/cards/alert";
import { createCardRenderer } from "../../src/cards/render";
import { pushAlert } from "../../src/digest/alert-push";
import { DIGEST_DISABLED, DIGEST_SUBSCRIPTIONS } from "../../src/digest/subscriptions";
import { AppError } from "../../src/domain/errors";
import type { IncomingAlert } from "../../src/domain/incoming-alert";
import type { Notifier, RenderedCard } from "../../src/domain/ports";
import { createLogger } from "../../src/logger";
import { openSqliteStore } from "../../src/store/sqlite-store";
import type { Store } from "../../src/store/store";
import { cardText } from "../helpers/cards";
import { cardProblems } from "../helpers/validate-card";

const VM = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-web-prod/providers/Microsoft.Compute/virtualMachines/vm-web-01";
const cards = createCardRenderer();
const clock = { now: () => new Date("2030-01-01T10:00:00Z") };
const logger = createLogger("silent");

function incoming(overrides: Partial<IncomingAlert> = {}): IncomingAlert {
  return {
    id: "2517000000000000000_abc",
    source: "defender",
    name: "Communication with suspicious domain identified by threat intelligence",
    alertType: "VM_ThreatIntelSuspectDomain",
    severity: "High",
    description: "Analysis of DNS transactions from vm-web-01 detected communication with a suspicious domain.",
    resourceIds: [VM],
    firedAt: "2030-01-01T09:58:00Z",
    remediationSteps: ["Isolate the machine", "Review the processes that contacted the domain"],
    portalUrl: "https://portal.azure.com/#blade/Microsoft_Azure_Security/AlertBlade/alertId/abc",
    condition: "Active",
    ...overrides,
  };
}

/** Records posts; `failures` maps a conversation to the errors its next posts throw. */
function recordingNotifier(failures: Record<string, Error[]> = {}): Notifier & { posts: { conversationId: string; card: RenderedCard }[] } {
  const posts: { conversationId: string; card: RenderedCard }[] = [];
  return {
    posts,
    async post(conversationId, card) {
      const next = failures[conversationId]?.shift();
      if (next) throw next;
      posts.push({ conversationId, card });
      return `activity-${posts.length}`;
    },
    async update() {},
  };
}

async function subscribe(store: Store, id: string): Promise<void> {
  await store.putDocument(DIGEST_SUBSCRIPTIONS, id, { conversationId: id, time: "08:00", timeZone: "UTC" });
}

describe("alert push", () => {
  let store: Store;
  beforeEach(() => {
    store = openSqliteStore({ dir: ":memory:" });
  });
  afterEach(async () => {
    await store.close();
  });

  test("when an alert arrives, then every subscribed conversation gets the card once and the fan-out is audited", async () => {
    for (const id of ["conv-a", "conv-b", "conv-c"]) await subscribe(store, id);
    const notifier = recordingNotifier();
    const result = await pushAlert({ store, cards, notifier, clock, logger }, incoming());
    expect(result).toEqual({ posted: ["conv-a", "conv-b", "conv-c"], failed: [], disabled: [] });
    expect(notifier.posts.map((p) => p.conversationId).sort()).toEqual(["conv-a", "conv-b", "conv-c"]);
    const [audit] = await store.listAudit({ limit: 1 });
    expect(audit).toMatchObject({ action: "alert:post", result: "ok", target: "2517000000000000000_abc" });
    expect(audit?.detail).toContain("posted to 3 of 3 conversations");
  });

  test("when nobody is subscribed, then nothing is posted", async () => {
    const notifier = recordingNotifier();
    expect(await pushAlert({ store, cards, notifier, clock, logger }, incoming())).toEqual({ posted: [], failed: [], disabled: [] });
    expect(notifier.posts).toEqual([]);
  });

  test("when a conversation is gone, then its subscription is disabled with an audit entry and the others still get the alert", async () => {
    await subscribe(store, "conv-gone");
    await subscribe(store, "conv-ok");
    const notifier = recordingNotifier({ "conv-gone": [new AppError("NotFound", "The bot can no longer post in that conversation.")] });
    const result = await pushAlert({ store, cards, notifier, clock, logger }, incoming());
    expect(result).toEqual({ posted: ["conv-ok"], failed: [], disabled: ["conv-gone"] });
    expect(await store.getDocument(DIGEST_SUBSCRIPTIONS, "conv-gone")).toBeUndefined();
    expect(await store.getDocument(DIGEST_DISABLED, "conv-gone")).toBeDefined();
    const audit = await store.listAudit({ limit: 5 });
    expect(audit.find((e) => e.action === "digest:disable")).toMatchObject({ target: "conv-gone", result: "disabled" });
  });

  test("when a post fails transiently, then it is retried and succeeds; when it keeps failing, then it is reported failed", async () => {
    await subscribe(store, "conv-flaky");
    await subscribe(store, "conv-down");
    const busy = () => new AppError("AzureUnavailable", "Teams did not accept the message; it will be retried.");
    const notifier = recordingNotifier({ "conv-flaky": [busy()], "conv-down": [busy(), busy(), busy()] });
    const waits: number[] = [];
    const result = await pushAlert(
      { store, cards, notifier, clock, logger, retryDelaysMs: [5, 10], sleep: async (ms) => void waits.push(ms) },
      incoming(),
    );
    expect(result).toEqual({ posted: ["conv-flaky"], failed: ["conv-down"], disabled: [] });
    expect(waits.sort((a, b) => a - b)).toEqual([5, 5, 10]);
    expect((await store.listAudit({ limit: 1 }))[0]).toMatchObject({ action: "alert:post", result: "partial" });
  });
});

describe("alert card", () => {
  test("when an alert is rendered, then severity, resource, description, remediation and the portal link are on a valid card", () => {
    const card = alertCard(cards, incoming()).card;
    expect(cardProblems(card)).toEqual([]);
    const text = cardText(card);
    expect(text).toContain("Security alert: Communication with suspicious domain identified by threat intelligence");
    expect(text).toContain("HIGH");
    expect(text).toContain("vm-web-01 (rg-web-prod)");
    expect(text).toContain("Analysis of DNS transactions");
    expect(text).toContain("1. Isolate the machine");
    const actions = card.actions as { type: string; url?: string; data?: { command?: string } }[];
    expect(actions.find((a) => a.type === "Action.OpenUrl")?.url).toBe("https://portal.azure.com/#blade/Microsoft_Azure_Security/AlertBlade/alertId/abc");
    expect(actions.map((a) => a.data?.command).filter(Boolean)).toEqual(["alerts", "vm vm-web-01"]);
  });

  test("when alert text holds a template expression or a non-https link, then it comes out literally and the link is dropped", () => {
    const card = alertCard(cards, incoming({ name: "${1+1} evil", description: "${$root.title}", portalUrl: "http://example.com/x" })).card;
    const text = cardText(card);
    expect(text).toContain("${1+1} evil");
    expect(text).toContain("${$root.title}");
    expect((card.actions as { type: string }[]).some((a) => a.type === "Action.OpenUrl")).toBe(false);
  });

  test("when an Azure Monitor alert is resolved, then the card says resolved", () => {
    const text = cardText(alertCard(cards, incoming({ source: "azure-monitor", condition: "Resolved", resourceIds: [] })).card);
    expect(text).toContain("Resolved:");
    expect(text).toContain("Azure Monitor");
    expect(text).toContain("not named in the alert");
  });
});
