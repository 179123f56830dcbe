/**
 * The alert intake on its own: a real SQLite store (in memory), a clock the test moves, background work collected so
 * the test can wait for it.
 */
import { Writable } from "node:stream";
import { ALERTS_SEEN, AlertIntake } from "../../src/digest/alert-intake";
import type { IncomingAlert } from "../../src/domain/incoming-alert";
import { createLogger } from "../../src/logger";
import { openSqliteStore } from "../../src/store/sqlite-store";
import type { Store } from "../../src/store/store";

const SECRET = "0123456789abcdef-intake-secret";
const alertBody = (id = "alert-1") => ({
  id: `/subscriptions/s/providers/Microsoft.Security/locations/westeurope/alerts/${id}`,
  name: id,
  properties: { systemAlertId: id, alertDisplayName: "Suspicious process", alertType: "VM_SuspiciousProcess", severity: "High", resourceIdentifiers: [] },
});

describe("AlertIntake", () => {
  let store: Store;
  let now: Date;
  let background: Promise<void>[];
  let logs: string[];
  let intake: AlertIntake;
  let heard: IncomingAlert[];

  const make = (options: Partial<ConstructorParameters<typeof AlertIntake>[0]> = {}) =>
    new AlertIntake({
      secret: SECRET,
      store,
      clock: { now: () => now },
      logger: createLogger("debug", new Writable({ write: (c: Buffer, _e, cb) => (logs.push(c.toString()), cb()) })),
      runInBackground: (_name, work) => {
        background.push(work());
      },
      ...options,
    });

  beforeEach(() => {
    store = openSqliteStore({ dir: ":memory:" });
    now = new Date("2025-06-01T12:00:00Z");
    background = [];
    logs = [];
    heard = [];
    intake = make();
    intake.onAlert(async (a) => {
      heard.push(a);
    });
  });
  afterEach(async () => {
    await Promise.all(background);
    await store.close();
  });

  test("when the key is right, then 202 comes back and the listeners hear the alert in the background", async () => {
    const res = await intake.handle({ key: SECRET, body: alertBody(), source: "10.0.0.1" });
    expect(res).toEqual({ status: 202, body: { status: "accepted", id: "alert-1" } });
    await Promise.all(background);
    expect(heard.map((a) => a.id)).toEqual(["alert-1"]);
    expect((await store.listAudit()).map((e) => [e.action, e.result])).toContainEqual(["alert:received", "ok"]);
  });

  test.each([
    ["missing", undefined],
    ["empty", ""],
    ["wrong, same length", SECRET.replace(/.$/, "X")],
    ["a prefix", SECRET.slice(0, 5)],
    ["much longer", SECRET.repeat(10)],
  ])("when the key is %s, then 401, nothing is stored or heard, and the refusal is audited without the key", async (_label, key) => {
    const res = await intake.handle({ key, body: alertBody(), source: "10.0.0.1" });
    expect(res.status).toBe(401);
    await Promise.all(background);
    expect(heard).toEqual([]);
    expect(await store.listDocuments(ALERTS_SEEN)).toEqual([]);
    const audit = await store.listAudit();
    expect(audit.map((e) => e.action)).toEqual(["alert:rejected"]);
    expect(JSON.stringify(audit) + logs.join("")).not.toContain(SECRET.slice(0, 8));
  });

  test("when no secret is configured, then even an empty key is refused", async () => {
    const open = make({ secret: undefined });
    expect((await open.handle({ key: "", body: alertBody() })).status).toBe(401);
    expect((await open.handle({ key: "anything", body: alertBody() })).status).toBe(401);
  });

  test("when the body is raw JSON text, then it is read; unreadable text is a 400", async () => {
    expect((await intake.handle({ key: SECRET, body: JSON.stringify(alertBody("a2")) })).status).toBe(202);
    const bad = await intake.handle({ key: SECRET, body: "{oops" });
    expect(bad.status).toBe(400);
    expect((await store.listAudit()).map((e) => e.action)).toContain("alert:invalid");
  });

  test("when the same alert arrives twice (even at once), then listeners hear it once and the second answer says duplicate", async () => {
    const [a, b] = await Promise.all([
      intake.handle({ key: SECRET, body: alertBody("dup") }),
      intake.handle({ key: SECRET, body: alertBody("dup") }),
    ]);
    expect([a.body, b.body].map((x) => (x as { status: string }).status).sort()).toEqual(["accepted", "duplicate"]);
    await Promise.all(background);
    expect(heard).toHaveLength(1);
  });

  test("when one listener throws, then the next still hears the alert and the failure is logged", async () => {
    const order: string[] = [];
    const fresh = make();
    fresh.onAlert(async () => {
      order.push("first");
      throw new Error("boom");
    });
    fresh.onAlert(async () => {
      order.push("second");
    });
    expect((await fresh.handle({ key: SECRET, body: alertBody("x") })).status).toBe(202);
    await Promise.all(background);
    expect(order).toEqual(["first", "second"]);
    expect(logs.join("")).toContain("alert listener failed");
  });

  test("when one address sends more than the limit in a minute, then it gets 429 with Retry-After; others and the next minute are not limited", async () => {
    const limited = make({ ratePerMinute: 3 });
    for (let i = 0; i < 3; i++) expect((await limited.handle({ key: "wrong", body: {}, source: "203.0.113.9" })).status).toBe(401);
    const over = await limited.handle({ key: SECRET, body: alertBody("r1"), source: "203.0.113.9" });
    expect(over.status).toBe(429);
    expect(over.headers).toEqual({ "Retry-After": "60" });
    expect((await limited.handle({ key: SECRET, body: alertBody("r2"), source: "198.51.100.1" })).status).toBe(202);
    now = new Date(now.getTime() + 60_000);
    expect((await limited.handle({ key: SECRET, body: alertBody("r3"), source: "203.0.113.9" })).status).toBe(202);
  });
});
