import { isAppError } from "../../src/domain/errors";
import { parseWindow, selectAlerts, windowStart } from "../../src/domain/alerts";
import { alert } from "./builders";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const now = new Date("2030-01-02T12:00:00Z");

function alerts() {
  return [
    alert({ name: "old-high", severity: "High", timeGenerated: "2029-12-20T10:00:00Z" }),
    alert({ name: "new-high", severity: "High", timeGenerated: "2030-01-02T11:00:00Z" }),
    alert({ name: "mid-medium", severity: "Medium", timeGenerated: "2030-01-01T12:00:00Z" }),
    alert({ name: "resolved-high", severity: "High", status: "Resolved", timeGenerated: "2030-01-02T11:30:00Z" }),
    alert({ name: "dismissed-low", severity: "Low", status: "Dismissed", timeGenerated: "2030-01-02T11:30:00Z" }),
    alert({ name: "info", severity: "Informational", timeGenerated: "2030-01-02T09:00:00Z" }),
    alert({ name: "no-generated-time", severity: "Low", timeGenerated: "", startTime: "2030-01-02T08:00:00Z" }),
    alert({ name: "unreadable-time", severity: "Low", timeGenerated: "soon", startTime: "later" }),
  ];
}

describe("selectAlerts", () => {
  test.each([
    {
      when: "nothing filters",
      selection: { now },
      expected: ["new-high", "info", "no-generated-time", "mid-medium", "old-high", "unreadable-time"],
    },
    { when: "only High is asked for", selection: { now, severity: "High" as const }, expected: ["new-high", "old-high"] },
    {
      when: "the last 24 hours are asked for",
      selection: { now, since: windowStart(now, DAY) },
      expected: ["new-high", "info", "no-generated-time", "mid-medium"],
    },
    { when: "High in the last 2 hours is asked for", selection: { now, severity: "High" as const, since: windowStart(now, 2 * HOUR) }, expected: ["new-high"] },
    { when: "Medium in the last hour is asked for", selection: { now, severity: "Medium" as const, since: windowStart(now, HOUR) }, expected: [] },
  ])("when $when, then active alerts newest first are $expected", ({ selection, expected }) => {
    expect(selectAlerts(alerts(), selection).map((a) => a.name)).toEqual(expected);
  });
});

describe("parseWindow", () => {
  test.each<[string, number]>([
    ["24h", 24 * HOUR],
    ["7d", 7 * DAY],
    ["last 3d", 3 * DAY],
    ["Last 12 hours", 12 * HOUR],
    ["last 1d12h", 36 * HOUR],
    ["2w", 14 * DAY],
    ["last 90d", 90 * DAY],
  ])("when given %j, then the window is %d ms", (text, ms) => {
    expect(parseWindow(text)).toBe(ms);
  });

  test.each<[string, RegExp]>([
    ["soon", /"soon" is not a time window.*24h, 7d/],
    ["last", /not a time window/],
    ["", /not a time window/],
    ["24", /not a time window/],
    ["0h", /longer than zero/],
    ["91d", /too long.*90 d/],
  ])("when given %j, then a BadInput error explains %s", (text, message) => {
    let caught: unknown;
    try {
      parseWindow(text);
    } catch (e) {
      caught = e;
    }
    expect(isAppError(caught)).toBe(true);
    if (!isAppError(caught)) return;
    expect(caught.code).toBe("BadInput");
    expect(caught.userMessage).toMatch(message);
  });

  test("when a caller allows a longer window, then it is accepted", () => {
    expect(parseWindow("180d", { maxMs: 365 * DAY })).toBe(180 * DAY);
  });
});
