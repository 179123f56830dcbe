import { age, clip, failureWarnings, pagedSection, postureFooter, subscriptionLabel } from "../../src/cards/posture";
import { SUB, SUB2 } from "../domain/builders";
import { ctx, NAMES, NOW } from "./support";

describe("posture view helpers", () => {
  test("when one subscription fails several reads, then one warning names it by display name and counts the other errors", () => {
    const w = failureWarnings(
      [
        { subscriptionId: SUB2, code: "Forbidden", message: "Access denied while reading NSGs." },
        { subscriptionId: SUB2.toUpperCase(), code: "Forbidden", message: "Access denied while reading VMs." },
      ],
      NAMES,
    );
    expect(w).toEqual([`Could not read Contoso Dev (${SUB2}); this answer leaves it out. Access denied while reading NSGs. (and 1 more error)`]);
  });

  test("when a failed subscription has no known name, then the warning names its id", () => {
    expect(failureWarnings([{ subscriptionId: "abc", code: "Throttled", message: "Throttled." }], {})[0]).toMatch(/^Could not read subscription abc;/);
  });

  test("when many subscriptions fail, then five are named and the rest counted", () => {
    const w = failureWarnings(Array.from({ length: 8 }, (_, i) => ({ subscriptionId: `s${i}`, code: "Forbidden", message: "no" })), {});
    expect(w).toHaveLength(6);
    expect(w[5]).toBe("3 more subscriptions could not be read.");
  });

  test.each([
    [SUB, "Contoso Production"],
    [SUB.toUpperCase(), "Contoso Production"],
    ["unknown", "unknown"],
  ])("when the subscription is %s, then it is labelled %s", (id, label) => {
    expect(subscriptionLabel(NAMES, id)).toBe(label);
  });

  test("when a page is past the end, then the section says how many pages there are instead of showing nothing", () => {
    const { section, nextCommand } = pagedSection("T", [1, 2, 3], 2, ctx({ command: "x", page: 5 }), (n) => ({ title: String(n) }));
    expect(section.items).toEqual([]);
    expect(section.empty).toBe("Nothing on page 6: there are 3 in all (2 pages).");
    expect(nextCommand).toBeUndefined();
  });

  test("when text is long or spans lines, then clip keeps one line within the limit", () => {
    expect(clip("a\n b   c", 10)).toBe("a b c");
    expect(clip("abcdefghij", 5)).toBe("abcd…");
  });

  test.each([
    ["2030-01-01T11:59:30Z", "just now"],
    ["2030-01-01T11:15:00Z", "45m ago"],
    ["2029-12-30T12:00:00Z", "2d ago"],
    ["2030-01-01T15:00:00Z", "in 3h"],
  ])("when the time is %s, then its age reads %s", (iso, text) => {
    expect(age(iso, NOW)).toBe(text);
  });

  test("when there was no question, then the footer is the hint; with one, it names the command that ran with its page", () => {
    expect(postureFooter(ctx({ command: "recs high" }), "hint")).toBe("hint");
    expect(postureFooter(ctx({ command: "recs high", page: 1, question: "q" }), "hint")).toBe('You asked: "q" — I ran: recs high page 2');
  });
});
