import { createCardRenderer, page } from "../../src/cards/render";
import { reportCard, severityStyle } from "../../src/cards/report";
import { errorCard, messageCard } from "../../src/cards/message";
import { cardProblems } from "../helpers/validate-card";
import { cardText } from "../helpers/cards";

const cards = createCardRenderer();

describe("card rendering", () => {
  test("when a report has every part, then it renders valid Adaptive Card 1.5 JSON", () => {
    const { card, summary } = reportCard(
      cards,
      {
        title: "Secure score",
        subtitle: "2 subscriptions",
        headline: { value: "61%", label: "overall", color: "warning" },
        facts: [{ title: "Contoso Production", value: "23.5 / 39" }],
        sections: [
          { title: "Top controls", items: [{ title: "Enable MFA", ...severityStyle("High"), lines: ["4 unhealthy"], value: "+10" }], more: "3 more" },
          { title: "Empty", items: [], empty: "Nothing here." },
        ],
        warnings: ["Could not read Contoso Dev (403)."],
        buttons: [{ title: "Recommendations", command: "recs high" }],
        links: [{ title: "Portal", url: "https://portal.azure.com/" }, { title: "Bad", url: "javascript:alert(1)" }],
        footer: "You asked: what's our score. I ran: score",
      },
      "Secure score 61%",
    );
    expect(summary).toBe("Secure score 61%");
    expect(card.version).toBe("1.5");
    expect(cardProblems(card)).toEqual([]);
    const text = cardText(card);
    expect(text).toContain("Enable MFA");
    expect(text).toContain("Nothing here.");
    expect(text).toContain("Could not read Contoso Dev");
    expect(JSON.stringify(card)).not.toContain("javascript:");
  });

  test("when a report is minimal, then empty lists leave no broken elements", () => {
    const { card } = reportCard(cards, { title: "T", sections: [] }, "T");
    expect(cardProblems(card)).toEqual([]);
    expect(JSON.stringify(card)).not.toContain("${");
  });

  test("when user text holds template syntax, then it is shown literally and not evaluated", () => {
    const { card } = messageCard(cards, { title: "${1+1}", text: "{{x}} ${string(1)}", facts: [{ title: "${a}", value: "$root" }] });
    const text = cardText(card);
    expect(text).toContain("${1+1}");
    expect(text).toContain("{{x}} ${string(1)}");
    expect(cardProblems(card)).toEqual([]);
  });

  test("when a card would exceed the budget, then rendering refuses with a user-safe message", () => {
    const small = createCardRenderer({ budgetBytes: 2000 });
    expect(() => messageCard(small, { title: "x", text: "y".repeat(5000) })).toThrow(/too large/);
  });

  test("when an error card is rendered, then it carries the reference and no stack", () => {
    const { card } = errorCard(cards, "Azure said no.", "corr-123");
    expect(cardText(card)).toContain("Reference: corr-123");
    expect(cardProblems(card)).toEqual([]);
  });

  test.each([
    [10, 4, 0, 4, 6, 1],
    [10, 4, 2, 2, 0, undefined],
    [0, 4, 0, 0, 0, undefined],
  ])("when %i items are paged by %i at page %i, then %i shown and %i more", (n, size, idx, shown, more, next) => {
    const p = page(Array.from({ length: n }, (_, i) => i), size, idx);
    expect(p.shown).toHaveLength(shown);
    expect(p.more).toBe(more);
    expect(p.nextPage).toBe(next);
  });
});

test("when a card is broken, then the validator reports it (so the checks above can fail)", () => {
  expect(cardProblems({ type: "AdaptiveCard", version: "1.5", body: [{ type: "Bogus" }] }).join(" ")).toMatch(/Bogus/);
  expect(cardProblems({ type: "AdaptiveCard", version: "1.5", body: [], actions: [{ type: "Action.OpenUrl", title: "x" }] }).join(" ")).toMatch(/url/i);
});

test("when one renderer renders the same template for two people in turn, then nothing of the first leaks into the second", () => {
  const r = createCardRenderer();
  const first = messageCard(r, { title: "For Alice", text: "secret-a", facts: [{ title: "x", value: "1" }], buttons: [{ title: "b", command: "score" }] });
  const second = messageCard(r, { title: "For Bob" });
  const text = cardText(second.card);
  expect(text).toContain("For Bob");
  expect(text).not.toMatch(/Alice|secret-a/);
  expect(JSON.stringify(second.card)).not.toContain("score");
  expect(cardText(first.card)).toContain("secret-a");
});
