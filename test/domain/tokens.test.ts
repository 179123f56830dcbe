import fc from "fast-check";
import { AppError } from "../../src/domain/errors";
import { takeKeywordArgs, tokenize, tokenizeWithSpans } from "../../src/domain/tokens";

describe("tokenize", () => {
  it.each([
    ["words separated by runs of spaces", "jit   request  vm-web-01", ["jit", "request", "vm-web-01"]],
    ["tabs, line breaks and non-breaking spaces", "jit\trequest\u00a0vm\nnow", ["jit", "request", "vm", "now"]],
    ["a double-quoted phrase", 'say "hello world" now', ["say", "hello world", "now"]],
    ["a single-quoted phrase", "say 'hello world'", ["say", "hello world"]],
    ["typographic quotes from Teams on iOS", "say \u201chello world\u201d and \u2018x y\u2019", ["say", "hello world", "and", "x y"]],
    ["an apostrophe inside a word", "don't stop", ["don't", "stop"]],
    ["an apostrophe inside a quoted phrase", "'it's broken' now", ["it's broken", "now"]],
    ["an unbalanced quote", 'a "b c  d  ', ["a", "b c  d"]],
    ["an unbalanced quote with nothing after it", 'a "', ["a"]],
    ["an empty quoted phrase", 'a "" b', ["a", "", "b"]],
    ["empty text", "", []],
    ["only spaces", "   \n ", []],
    ["${...} kept literally", "x ${1+1}", ["x", "${1+1}"]],
  ])("when the text has %s, then the tokens are as expected", (_what, text, expected) => {
    expect(tokenize(text)).toEqual(expected);
  });

  it("when a phrase is quoted, then its span includes the quotes and it is marked quoted", () => {
    const [, phrase] = tokenizeWithSpans('a "b c" d');
    expect(phrase).toEqual({ text: "b c", start: 2, end: 7, quoted: true });
  });

  it("when given any string, then it never throws and every token is non-empty unless it was quoted", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        for (const t of tokenizeWithSpans(text)) {
          if (!t.quoted && t.text === "") return false;
          if (t.start < 0 || t.end > text.length || t.start >= t.end) return false;
        }
        return true;
      }),
    );
  });

  it("when the text has no quotes, then the tokens re-join to its non-space characters and contain no spaces", () => {
    const noQuotes = fc.string({ unit: fc.constantFrom("a", "b", "1", "-", " ", "\t", "\n", "\u00a0", "$", "{", "é") });
    fc.assert(
      fc.property(noQuotes, (text) => {
        const tokens = tokenize(text);
        expect(tokens.join("")).toBe(text.replace(/\s/g, ""));
        expect(tokens.every((t) => t !== "" && !/\s/.test(t))).toBe(true);
      }),
    );
  });

  it("when words are quoted and spaced arbitrarily, then each word comes back as one token", () => {
    const word = fc.string({ unit: fc.constantFrom("a", "b", " ", "x", "'"), minLength: 1 }).filter((w) => /^\S/.test(w) && /\S$/.test(w) && !w.includes('"'));
    fc.assert(
      fc.property(fc.array(word, { maxLength: 6 }), (words) => {
        const text = words.map((w) => `"${w}"`).join("  ");
        expect(tokenize(text)).toEqual(words);
      }),
    );
  });
});

describe("takeKeywordArgs", () => {
  const KEYWORDS = ["port", "for", "from"] as const;

  it("when given the full jit request grammar, then it splits positional, keyword sections and the verbatim rest", () => {
    const args = takeKeywordArgs('vm-web-01 port 22,3389 for 2h from 10.1.2.3 because need to patch "x"', KEYWORDS);
    expect(args).toEqual({
      positional: ["vm-web-01"],
      keywords: { port: ["22,3389"], for: ["2h"], from: ["10.1.2.3"] },
      rest: 'need to patch "x"',
    });
  });

  it.each([
    ["${...} literally", "vm because ${1+1} is 2", "${1+1} is 2"],
    ["quotes, double spaces and punctuation", "vm because  it's 'broken'   now!", "it's 'broken'   now!"],
    ["keywords after because", "vm because port for from", "port for from"],
    ["an unbalanced quote", 'vm because "half', '"half'],
    ["several lines", "vm because line one\nline two", "line one\nline two"],
    ["nothing", "vm because", ""],
    ["upper-case BECAUSE", "vm BECAUSE Patch Tuesday", "Patch Tuesday"],
  ])("when the justification has %s, then rest keeps it as typed", (_what, text, rest) => {
    expect(takeKeywordArgs(text, KEYWORDS).rest).toBe(rest);
  });

  it("when keywords are typed in upper case, then they still match and results use the declared names", () => {
    expect(takeKeywordArgs("vm PORT 22 For 1h", KEYWORDS).keywords).toEqual({ port: ["22"], for: ["1h"] });
  });

  it("when a keyword is quoted, then it is a value, not a keyword", () => {
    expect(takeKeywordArgs('"port" for 1h', KEYWORDS)).toEqual({ positional: ["port"], keywords: { for: ["1h"] } });
  });

  it("when because is absent, then rest is undefined", () => {
    expect(takeKeywordArgs("vm port 22", KEYWORDS).rest).toBeUndefined();
  });

  it("when a keyword has several tokens, then all of them are kept in order", () => {
    expect(takeKeywordArgs("vm port 22, 3389", KEYWORDS).keywords.port).toEqual(["22,", "3389"]);
  });

  it("when skip is given, then the leading command words are ignored", () => {
    expect(takeKeywordArgs("jit deny abc because no ticket", [], { skip: 2 })).toEqual({ positional: ["abc"], keywords: {}, rest: "no ticket" });
  });

  it("when another rest keyword is configured, then that one takes the rest", () => {
    expect(takeKeywordArgs("abc note because of x", [], { rest: "note" }).rest).toBe("because of x");
  });

  it.each([
    ["a keyword is given twice", "vm port 22 port 3389", /"port" appears twice/],
    ["a keyword ends the text", "vm for", /"for" needs a value/],
    ["a keyword is followed by another keyword", "vm for from 1.2.3.4", /"for" needs a value/],
    ["a keyword is followed by because", "vm from because x", /"from" needs a value/],
  ])("when %s, then it throws BadInput saying so", (_what, text, message) => {
    expect(() => takeKeywordArgs(text, KEYWORDS)).toThrow(AppError);
    expect(() => takeKeywordArgs(text, KEYWORDS)).toThrow(message);
  });
});
