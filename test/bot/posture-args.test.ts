import {
  alertsCommand,
  parseAlertsArgs,
  parseContainersArgs,
  parseExposureArgs,
  parseRecommendationsArgs,
  parseScoreArgs,
  parseVmArgs,
  recommendationsCommand,
  resourceNameFromQuestion,
  takePage,
} from "../../src/bot/posture-args";
import { tokenize } from "../../src/domain/tokens";

const t = (text: string): string[] => tokenize(text);
const HOUR = 3_600_000;

describe("posture command arguments", () => {
  test.each([
    ["", 0, []],
    ["page 2", 1, []],
    ["high page 10", 9, ["high"]],
    ["PAGE 3?", 2, []],
  ])("when the arguments are %p, then page index %i remains with %p", (text, page, rest) => {
    expect(takePage(t(text), "u")).toEqual({ page, rest });
  });

  test.each(["page", "page 0", "page two", "page -1", "page 2 high", "page 99999"])("when the page part is %p, then it is refused as bad input", (text) => {
    expect(() => takePage(t(text), "usage")).toThrow(expect.objectContaining({ code: "BadInput", userMessage: expect.stringContaining("usage") }));
  });

  test.each([
    ["", { page: 0 }],
    ["high", { severity: "High", page: 0 }],
    ["MEDIUM page 2", { severity: "Medium", page: 1 }],
    ["in rg-web-prod", { scope: "rg-web-prod", page: 0 }],
    ['low in "Contoso Dev" page 3', { severity: "Low", scope: "Contoso Dev", page: 2 }],
    ["high in Contoso Production", { severity: "High", scope: "Contoso Production", page: 0 }],
  ])("when recommendations get %p, then they read %p", (text, expected) => {
    expect(parseRecommendationsArgs(t(text))).toEqual(expected);
  });

  test.each([
    ["critical", /"critical" is not a severity/],
    ["high low", /one severity/],
    ["in", /after "in"/],
    ["high in", /after "in"/],
  ])("when recommendations get %p, then the bad input is named with the usage", (text, message) => {
    expect(() => parseRecommendationsArgs(t(text))).toThrow(expect.objectContaining({ code: "BadInput", userMessage: expect.stringMatching(message) }));
    expect(() => parseRecommendationsArgs(t(text))).toThrow(/recommendations \[high\|medium\|low\]/);
  });

  test("when a recommendations filter is written back as a command, then it reads back to the same filter", () => {
    const line = recommendationsCommand({ severity: "High", scope: "Contoso Production" });
    expect(line).toBe('recs high in "Contoso Production"');
    expect(parseRecommendationsArgs(t(line).slice(1))).toEqual({ severity: "High", scope: "Contoso Production", page: 0 });
  });

  test.each([
    ["", { page: 0 }],
    ["high", { severity: "High", page: 0 }],
    ["informational", { severity: "Informational", page: 0 }],
    ["last 24h", { windowMs: 24 * HOUR, windowText: "24h", page: 0 }],
    ["last 7d high", { severity: "High", windowMs: 7 * 24 * HOUR, windowText: "7d", page: 0 }],
    ["high last 12 hours page 2", { severity: "High", windowMs: 12 * HOUR, windowText: "12h", page: 1 }],
    ["medium 48h", { severity: "Medium", windowMs: 48 * HOUR, windowText: "2d", page: 0 }],
    ["today?", { windowMs: 24 * HOUR, windowText: "24h", page: 0 }],
    ["3", { target: { number: 3 }, page: 0 }],
    ["#12", { target: { number: 12 }, page: 0 }],
    ["Suspicious process executed", { target: { name: "Suspicious process executed" }, page: 0 }],
  ])("when alerts get %p, then they read %p", (text, expected) => {
    expect(parseAlertsArgs(t(text))).toEqual(expected);
  });

  test.each([
    ["last 5y", /"5y" is not a time window/],
    ["5y", /"5y" is not a time window/],
    ["last", /needs a window/],
    ["last 100d", /too long/],
    ["last 24h last 7d", /one time window/],
    ["high bogus", /"bogus" is not a severity/],
    ["0", /numbered from 1/],
  ])("when alerts get %p, then it is refused as bad input", (text, message) => {
    expect(() => parseAlertsArgs(t(text))).toThrow(expect.objectContaining({ code: "BadInput", userMessage: expect.stringMatching(message) }));
  });

  test("when an alerts filter is written back as a command, then it reads back to the same filter", () => {
    const args = parseAlertsArgs(t("low last 36 hours"));
    const line = alertsCommand(args);
    expect(line).toBe("alerts low last 36h");
    expect(parseAlertsArgs(t(line).slice(1))).toEqual(args);
  });

  test("when vm gets a name, then it is read; without one or with extra words, bad input with the usage", () => {
    expect(parseVmArgs(t("vm-web-01 page 2"))).toEqual({ name: "vm-web-01", page: 1 });
    expect(parseVmArgs(t("vm-web-01?"))).toEqual({ name: "vm-web-01", page: 0 });
    expect(() => parseVmArgs([])).toThrow(expect.objectContaining({ code: "BadInput", userMessage: expect.stringContaining("vm <name>") }));
    expect(() => parseVmArgs(t("vm-web-01 please"))).toThrow(expect.objectContaining({ code: "BadInput" }));
  });

  test("when exposure gets a part, then its aliases read as the part; an unknown part is bad input naming the parts", () => {
    expect(parseExposureArgs(t("vms page 2"))).toEqual({ part: "vms", page: 1 });
    expect(parseExposureArgs(t("flow-logs"))).toEqual({ part: "flowlogs", page: 0 });
    expect(parseExposureArgs(t("NSGs"))).toEqual({ part: "rules", page: 0 });
    expect(() => parseExposureArgs(t("everything"))).toThrow(/vms, rules, forwarding/);
  });

  test("when containers and score get arguments, then severities and pages read and anything else is bad input", () => {
    expect(parseContainersArgs(t("high page 2"))).toEqual({ severity: "High", page: 1 });
    expect(() => parseContainersArgs(t("critical"))).toThrow(expect.objectContaining({ code: "BadInput" }));
    expect(parseScoreArgs(t("page 2"))).toEqual({ page: 1 });
    expect(() => parseScoreArgs(t("now"))).toThrow(expect.objectContaining({ code: "BadInput" }));
  });

  test.each([
    [["is", "vm-web-01", "patched"], "vm-web-01"],
    [["what's", "wrong", "with", "db01"], "db01"],
    [["any", "alerts", "in", "24h"], undefined],
    [["is", "my", "server", "ok"], undefined],
  ])("when a question has the words %p, then the resource name is %p", (words, name) => {
    expect(resourceNameFromQuestion(words)).toBe(name);
  });
});
