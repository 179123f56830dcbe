import { canonicalTimeZone, localDate, localDateTime, localTime, longDate, parseDigestOnArgs, parseTimeOfDay } from "../../src/domain/digest-schedule";
import { AppError } from "../../src/domain/errors";

const DEFAULTS = { time: "08:00", timeZone: "UTC" };

describe("parseTimeOfDay", () => {
  test.each([
    ["08:00", "08:00"],
    ["8:00", "08:00"],
    ["17:30", "17:30"],
    ["00:00", "00:00"],
    ["23:59", "23:59"],
    ["18.30", "18:30"],
    ["8am", "08:00"],
    ["12am", "00:00"],
    ["12pm", "12:00"],
    ["6:30pm", "18:30"],
    ["6:30 PM", "18:30"],
  ])("when the time is %s, then it reads as %s", (text, expected) => {
    expect(parseTimeOfDay(text)).toBe(expected);
  });

  test.each(["24:00", "25:00", "08:60", "8", "0800", "13pm", "0am", "noon", "08:00:00", "-1:00", ""])(
    "when the time is %p, then it is not a time of day",
    (text) => {
      expect(parseTimeOfDay(text)).toBeUndefined();
    },
  );
});

describe("canonicalTimeZone", () => {
  test.each([
    ["Europe/Berlin", "Europe/Berlin"],
    ["europe/berlin", "Europe/Berlin"],
    ["UTC", "UTC"],
    ["America/New_York", "America/New_York"],
    ["asia/kolkata", "Asia/Kolkata"],
  ])("when the zone is %s, then its canonical name is %s", (text, expected) => {
    expect(canonicalTimeZone(text)).toBe(expected);
  });

  test.each(["Mars/Olympus", "+02:00", "GMT+2 ", "Europe/Berlin;rm", "${1+1}", "", "x".repeat(80)])(
    "when the zone is %p, then it is refused",
    (text) => {
      expect(canonicalTimeZone(text)).toBeUndefined();
    },
  );
});

describe("parseDigestOnArgs", () => {
  test("when nothing is given, then the defaults apply", () => {
    expect(parseDigestOnArgs([], DEFAULTS)).toEqual(DEFAULTS);
  });

  test.each([
    [["at", "07:45"], { time: "07:45", timeZone: "UTC" }],
    [["tz", "Europe/Berlin"], { time: "08:00", timeZone: "Europe/Berlin" }],
    [["at", "9:15", "tz", "america/new_york"], { time: "09:15", timeZone: "America/New_York" }],
    [["tz", "Asia/Tokyo", "at", "06:00"], { time: "06:00", timeZone: "Asia/Tokyo" }],
    [["AT", "8", "am", "in", "Europe/Paris"], { time: "08:00", timeZone: "Europe/Paris" }],
    [["10:30"], { time: "10:30", timeZone: "UTC" }],
  ])("when the arguments are %j, then the schedule is %j", (args, expected) => {
    expect(parseDigestOnArgs(args, DEFAULTS)).toEqual(expected);
  });

  test.each([
    [["at", "25:00"], /"25:00" is not a time of day/],
    [["at"], /"at" needs a time/],
    [["tz", "Mars/Olympus"], /"Mars\/Olympus" is not a time zone I know/],
    [["tz"], /"tz" needs a time zone/],
    [["at", "08:00", "at", "09:00"], /one time only/],
    [["tz", "UTC", "tz", "Europe/Berlin"], /one time zone only/],
    [["tomorrow"], /I don't understand "tomorrow"/],
  ])("when the arguments are %j, then a BadInput names the problem", (args, message) => {
    let caught: unknown;
    try {
      parseDigestOnArgs(args, DEFAULTS);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).code).toBe("BadInput");
    expect((caught as AppError).userMessage).toMatch(message);
  });
});

describe("local calendar", () => {
  test("when it is late evening UTC, then Tokyo is already on the next date", () => {
    const t = new Date("2025-06-04T20:30:00Z");
    expect(localDate(t, "UTC")).toBe("2025-06-04");
    expect(localDate(t, "Asia/Tokyo")).toBe("2025-06-05");
    expect(localTime(t, "Asia/Tokyo")).toBe("05:30");
    expect(localTime(t, "America/Los_Angeles")).toBe("13:30");
  });

  test("when a date is shown, then it reads like a person writes it", () => {
    expect(localDateTime(new Date("2025-06-04T06:30:00Z"), "Europe/Berlin")).toBe("Wed 4 Jun 08:30");
    expect(longDate("2025-06-04")).toBe("Wednesday 4 June 2025");
  });
});
