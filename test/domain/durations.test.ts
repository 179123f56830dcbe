import fc from "fast-check";
import { formatDuration, parseDuration, toIsoDuration, tryParseDuration } from "../../src/domain/durations";

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const D = 24 * H;

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected a throw");
}

describe("parseDuration", () => {
  it.each([
    ["PT3H", 3 * H],
    ["PT30M", 30 * MIN],
    ["PT1H30M", 90 * MIN],
    ["P1D", D],
    ["P1DT2H", D + 2 * H],
    ["PT45S", 45 * S],
    ["PT0.5H", 30 * MIN],
    ["PT1,5H", 90 * MIN],
    ["P1W", 7 * D],
    ["pt2h", 2 * H],
    ["PT0S", 0],
    ["1h", H],
    ["90m", 90 * MIN],
    ["1h30m", 90 * MIN],
    ["1h 30m", 90 * MIN],
    ["45s", 45 * S],
    ["2 hours", 2 * H],
    ["1 hour 30 minutes", 90 * MIN],
    ["1 hour and 30 minutes", 90 * MIN],
    ["1h, 30m", 90 * MIN],
    ["2 hrs", 2 * H],
    ["30 min", 30 * MIN],
    ["30 mins", 30 * MIN],
    ["10 sec", 10 * S],
    ["1.5h", 90 * MIN],
    ["1 d", D],
    ["2 days", 2 * D],
    ["  1H  ", H],
    ["1 h 30 min", 90 * MIN],
  ])("when given %p, then it is %p ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    ["empty text", ""],
    ["a bare number", "60"],
    ["an unknown unit", "2 fortnights"],
    ["milliseconds", "5ms"],
    ["a negative amount", "-1h"],
    ["a repeated unit", "1h 1h"],
    ["a trailing number without unit", "1h30"],
    ["P alone", "P"],
    ["PT alone", "PT"],
    ["ISO with a time part in the wrong place", "P1H"],
    ["ISO months", "P1M"],
    ["ISO years", "P1Y"],
    ["words", "an hour"],
    ["far too long", "9".repeat(60) + "h"],
  ])("when given %s, then it throws BadInput naming the accepted forms", (_what, text) => {
    const e = thrown(() => parseDuration(text));
    expect(e).toMatchObject({ code: "BadInput" });
    expect((e as Error).message).toContain("1h, 90m, 1h30m, 45s, 2 hours");
    expect((e as Error).message).toContain("PT1H30M");
  });

  it("when a bare number is given, then the message asks for a unit", () => {
    expect(() => parseDuration("60")).toThrow(/add a unit/);
  });

  it("when ISO months are given, then the message says why and suggests days", () => {
    expect(() => parseDuration("P1M")).toThrow(/no fixed length; use days/);
  });

  it("when the input is very long, then the message quotes only its start", () => {
    const e = thrown(() => parseDuration("x".repeat(500))) as Error;
    expect(e.message.length).toBeLessThan(200);
  });

  it("when tryParseDuration gets a bad input, then it returns undefined instead of throwing", () => {
    expect(tryParseDuration("soon")).toBeUndefined();
    expect(tryParseDuration("2h")).toBe(2 * H);
  });
});

describe("formatDuration", () => {
  it.each([
    [90 * MIN, "1 h 30 min"],
    [45 * S, "45 s"],
    [D + 2 * H, "1 d 2 h"],
    [0, "0 s"],
    [3 * H, "3 h"],
    [H + 5 * S, "1 h 5 s"],
    [1499, "1 s"],
    [-30 * MIN, "-30 min"],
  ])("when given %p ms, then it reads %p", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it("when formatted and parsed again, then whole seconds come back unchanged", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 * 24 * 3600 }), (seconds) => {
        expect(parseDuration(formatDuration(seconds * S))).toBe(seconds * S);
      }),
    );
  });
});

describe("toIsoDuration", () => {
  it.each([
    [3 * H, "PT3H"],
    [90 * MIN, "PT1H30M"],
    [0, "PT0S"],
    [26 * H, "PT26H"],
    [1500, "PT1.5S"],
  ])("when given %p ms, then it writes %p", (ms, text) => {
    expect(toIsoDuration(ms)).toBe(text);
  });

  it("when written and parsed again, then any whole millisecond count comes back unchanged", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (ms) => {
        expect(parseDuration(toIsoDuration(ms))).toBe(ms);
      }),
    );
  });
});
