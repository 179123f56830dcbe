import { captureCard, captureListCard, captureViewOf, CAPTURE_LIST_SIZE, type CaptureView } from "../../src/cards/capture";
import { createCardRenderer } from "../../src/cards/render";
import type { CaptureRecord } from "../../src/domain/capture-rules";
import { cardText } from "../helpers/cards";
import { cardProblems } from "../helpers/validate-card";

const cards = createCardRenderer();
const size = (card: unknown) => Buffer.byteLength(JSON.stringify(card));

function record(overrides: Partial<CaptureRecord> = {}): CaptureRecord {
  return {
    name: "cap-vm-web-01-20250101-1000",
    id: "/subscriptions/s/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope/packetCaptures/cap-vm-web-01-20250101-1000",
    vmId: "/subscriptions/s/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/vm-web-01",
    vmName: "vm-web-01",
    resourceGroup: "rg-web",
    subscriptionId: "s",
    region: "westeurope",
    watcherId: "/subscriptions/s/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope",
    requestedBy: { id: "a", name: "Alice Analyst" },
    trigger: { kind: "command" },
    cards: [],
    state: "running",
    timeLimitSeconds: 120,
    timeLimitCapped: false,
    totalBytesPerSession: 100 * 1024 * 1024,
    bytesToCapturePerPacket: 1514,
    filters: [{ protocol: "TCP", localPort: "443" }, { protocol: "TCP", remotePort: "443" }],
    storageId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/stcaptures",
    storagePath: "https://stcaptures.blob.core.windows.net/network-watcher-logs/x/packetcapture_10_00_00_000.cap",
    createdAt: "2025-01-01T10:00:00.000Z",
    startedAt: "2025-01-01T10:00:10.000Z",
    ...overrides,
  };
}

describe("capture card", () => {
  test.each([
    ["starting", { state: "starting" as const, startedAt: undefined }, ["Starting…", "Refresh status"]],
    ["running", {}, ["Running since 10:00 UTC. It ends by 10:02 UTC at the latest.", "Writing to", "Stop…", "TCP, port 443 (either end)"]],
    ["stopped", { state: "stopped" as const, endedAt: "2025-01-01T10:02:10.000Z", outcome: "time limit reached (2 min)" }, ["Stopped at 10:02 UTC: time limit reached (2 min).", "Capture file (.cap)", "storage account"]],
    ["failed", { state: "failed" as const, error: "vm-web-01 is deallocated." }, ["Failed: vm-web-01 is deallocated."]],
    ["alert", { trigger: { kind: "alert" as const, alertId: "a1", alertName: "Anomalous traffic" } }, ['SecOps bot, for the alert "Anomalous traffic"']],
  ])("when the capture is %s, then the card is valid 1.5 and says so", (_label, overrides, expected) => {
    const { card, summary } = captureCard(cards, captureViewOf(record(overrides)));
    expect(cardProblems(card)).toEqual([]);
    expect(card.version).toBe("1.5");
    const text = cardText(card);
    for (const e of expected) expect(text).toContain(e);
    expect(summary).toContain("cap-vm-web-01-20250101-1000");
    expect(size(card)).toBeLessThan(28 * 1024);
  });

  test("when it is the stop confirmation, then the only action is Action.Execute capture.stop with the name", () => {
    const { card } = captureCard(cards, captureViewOf(record()), { confirmStop: true });
    expect(cardProblems(card)).toEqual([]);
    expect(card.actions).toEqual([{ type: "Action.Execute", title: "Stop capture", verb: "capture.stop", style: "destructive", data: { name: "cap-vm-web-01-20250101-1000" } }]);
    expect(cardText(card)).toContain("Stop packet capture cap-vm-web-01-20250101-1000?");
  });

  test("when a capture has ended, then no stop button is offered", () => {
    const { card } = captureCard(cards, captureViewOf(record({ state: "stopped", outcome: "stopped by Bob" })));
    expect(card.actions ?? []).toEqual([]);
  });

  test("when the reason contains a template expression, then it comes out literally", () => {
    const { card } = captureCard(cards, captureViewOf(record({ reason: "${1+1} and {{x}}" })));
    expect(cardText(card)).toContain("${1+1} and {{x}}");
  });

  test("when the limit was capped, then the card says by which setting", () => {
    const { card } = captureCard(cards, captureViewOf(record({ timeLimitSeconds: 300, timeLimitCapped: true })), { maxSeconds: 300 });
    expect(cardText(card)).toContain("5 min (the most allowed, CAPTURE_MAX_SECONDS=300)");
  });
});

describe("capture list card", () => {
  test("when there are many captures, then the first page shows with N more and stays under the size budget", () => {
    const views: CaptureView[] = Array.from({ length: CAPTURE_LIST_SIZE + 7 }, (_, i) => captureViewOf(record({ name: `cap-vm-web-01-20250101-10${String(i).padStart(2, "0")}` })));
    const { card } = captureListCard(cards, views, { failures: [{ subscriptionId: "s2", code: "Forbidden", message: "denied" }] });
    expect(cardProblems(card)).toEqual([]);
    const text = cardText(card);
    expect(text).toContain("7 more not shown.");
    expect(text).toContain("Could not read captures in subscription s2: denied");
    expect(text).toContain("started by Alice Analyst");
    expect(size(card)).toBeLessThan(28 * 1024);
  });

  test("when there are none, then the card says how to start one", () => {
    expect(cardText(captureListCard(cards, []).card)).toContain('Start one with "capture start <vm>"');
  });
});
