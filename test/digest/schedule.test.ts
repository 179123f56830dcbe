import type { DigestSubscription } from "../../src/digest/subscriptions";
import { nextRun, runToday } from "../../src/digest/schedule";
import { digestDue } from "../../src/digest/scheduler";

const utc = (iso: string) => new Date(iso);

describe("runToday and nextRun: time zones", () => {
  test.each([
    // [time, zone, now, expected run today (or undefined)]
    ["08:00", "UTC", "2025-06-04T07:59:59Z", undefined],
    ["08:00", "UTC", "2025-06-04T08:00:00Z", "2025-06-04T08:00:00.000Z"],
    ["08:00", "UTC", "2025-06-04T23:59:00Z", "2025-06-04T08:00:00.000Z"],
    ["08:30", "Europe/Berlin", "2025-06-04T06:29:00Z", undefined],
    ["08:30", "Europe/Berlin", "2025-06-04T06:30:00Z", "2025-06-04T06:30:00.000Z"],
    ["08:30", "Europe/Berlin", "2025-01-15T07:30:00Z", "2025-01-15T07:30:00.000Z"],
    ["09:00", "America/New_York", "2025-06-04T13:00:00Z", "2025-06-04T13:00:00.000Z"],
    // 07:00 in Tokyo is 22:00 UTC the day before: at 23:00 UTC the Tokyo date is already the 5th.
    ["07:00", "Asia/Tokyo", "2025-06-04T23:00:00Z", "2025-06-04T22:00:00.000Z"],
    ["07:00", "Asia/Tokyo", "2025-06-04T21:00:00Z", undefined],
    // Half-hour zone.
    ["08:00", "Asia/Kolkata", "2025-06-04T02:30:00Z", "2025-06-04T02:30:00.000Z"],
  ])("when the digest is at %s %s and it is %s, then today's run is %s", (time, timeZone, now, expected) => {
    const run = runToday({ time, timeZone }, utc(now));
    expect(run?.toISOString()).toBe(expected);
  });

  test("when today's run has passed, then the next run is tomorrow at the same local time", () => {
    expect(nextRun({ time: "08:30", timeZone: "Europe/Berlin" }, utc("2025-06-04T07:00:00Z")).toISOString()).toBe("2025-06-05T06:30:00.000Z");
    expect(nextRun({ time: "08:30", timeZone: "Europe/Berlin" }, utc("2025-06-04T06:00:00Z")).toISOString()).toBe("2025-06-04T06:30:00.000Z");
  });
});

describe("runToday and nextRun: daylight saving time", () => {
  test("when clocks go forward in Berlin, then 08:00 local moves from 07:00 UTC to 06:00 UTC", () => {
    const s = { time: "08:00", timeZone: "Europe/Berlin" };
    expect(nextRun(s, utc("2025-03-29T12:00:00Z")).toISOString()).toBe("2025-03-30T06:00:00.000Z");
    expect(runToday(s, utc("2025-03-29T12:00:00Z"))?.toISOString()).toBe("2025-03-29T07:00:00.000Z");
    expect(runToday(s, utc("2025-03-30T12:00:00Z"))?.toISOString()).toBe("2025-03-30T06:00:00.000Z");
  });

  test("when the time does not exist on the spring-forward day, then it runs once, right after the jump", () => {
    const s = { time: "02:30", timeZone: "Europe/Berlin" };
    // 02:00 → 03:00 local on 30 March 2025: 02:30 never happens; the run is at 03:00 CEST (01:00 UTC).
    expect(runToday(s, utc("2025-03-30T00:59:00Z"))).toBeUndefined();
    expect(runToday(s, utc("2025-03-30T01:00:00Z"))?.toISOString()).toBe("2025-03-30T01:00:00.000Z");
    expect(runToday(s, utc("2025-03-30T21:00:00Z"))?.toISOString()).toBe("2025-03-30T01:00:00.000Z");
    expect(nextRun(s, utc("2025-03-30T01:00:00Z")).toISOString()).toBe("2025-03-31T00:30:00.000Z");
  });

  test("when the time exists twice on the fall-back day, then it runs at the first one only", () => {
    const s = { time: "02:30", timeZone: "Europe/Berlin" };
    // 03:00 → 02:00 local on 26 October 2025: 02:30 CEST (00:30 UTC) and 02:30 CET (01:30 UTC).
    expect(nextRun(s, utc("2025-10-25T12:00:00Z")).toISOString()).toBe("2025-10-26T00:30:00.000Z");
    expect(runToday(s, utc("2025-10-26T01:45:00Z"))?.toISOString()).toBe("2025-10-26T00:30:00.000Z");
    expect(nextRun(s, utc("2025-10-26T00:30:00Z")).toISOString()).toBe("2025-10-27T01:30:00.000Z");
  });

  test("when New York changes to daylight time, then 09:00 local is 14:00 UTC before and 13:00 UTC after", () => {
    const s = { time: "09:00", timeZone: "America/New_York" };
    expect(runToday(s, utc("2025-03-08T20:00:00Z"))?.toISOString()).toBe("2025-03-08T14:00:00.000Z");
    expect(runToday(s, utc("2025-03-09T20:00:00Z"))?.toISOString()).toBe("2025-03-09T13:00:00.000Z");
  });
});

function sub(overrides: Partial<DigestSubscription> = {}): DigestSubscription {
  return {
    conversationId: "conv-1",
    conversationKind: "channel",
    time: "08:30",
    timeZone: "Europe/Berlin",
    createdBy: { id: "u1", name: "Alice" },
    createdAt: "2025-06-01T00:00:00.000Z",
    activeFrom: "2025-06-01T00:00:00.000Z",
    ...overrides,
  };
}

describe("digestDue", () => {
  const at = utc("2025-06-04T06:31:00Z"); // 08:31 in Berlin
  const lease = 5 * 60_000;

  test.each<[string, Partial<DigestSubscription>, Date, boolean]>([
    ["before the scheduled minute", {}, utc("2025-06-04T06:29:59Z"), false],
    ["at the scheduled minute", {}, utc("2025-06-04T06:30:00Z"), true],
    ["after the scheduled minute, same local day", {}, utc("2025-06-04T21:59:00Z"), true],
    ["after local midnight (the 4th's digest is not owed any more, the 5th's not yet)", { lastPostedLocalDate: "2025-06-03" }, utc("2025-06-04T22:30:00Z"), false],
    ["already posted today", { lastPostedLocalDate: "2025-06-04" }, at, false],
    ["posted yesterday", { lastPostedLocalDate: "2025-06-03" }, at, true],
    ["given up today", { gaveUpLocalDate: "2025-06-04" }, at, false],
    ["claimed a minute ago by a live instance", { claim: { localDate: "2025-06-04", at: "2025-06-04T06:30:00.000Z", by: "x" } }, at, false],
    ["claimed ten minutes ago by an instance that died", { claim: { localDate: "2025-06-04", at: "2025-06-04T06:21:00.000Z", by: "x" } }, at, true],
    ["claim left over from yesterday", { claim: { localDate: "2025-06-03", at: "2025-06-04T06:30:30.000Z", by: "x" } }, at, true],
    ["retry not yet due", { retry: { localDate: "2025-06-04", attempts: 1, nextAttemptAt: "2025-06-04T06:32:00.000Z", lastError: "x" } }, at, false],
    ["retry due", { retry: { localDate: "2025-06-04", attempts: 1, nextAttemptAt: "2025-06-04T06:31:00.000Z", lastError: "x" } }, at, true],
    ["subscribed after today's run", { activeFrom: "2025-06-04T06:30:30.000Z" }, at, false],
    ["subscribed just before today's run", { activeFrom: "2025-06-04T06:29:30.000Z" }, at, true],
  ])("when %s, then due is as expected", (_name, overrides, now, expected) => {
    expect(digestDue(sub(overrides), now, lease)).toBe(expected);
  });
});
