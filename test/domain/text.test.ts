import { closestMatches, editDistance } from "../../src/domain/text";

describe("edit distance", () => {
  test.each([
    ["help", "help", 0],
    ["hlep", "help", 1],
    ["HELP", "help", 0],
    ["scroe", "score", 1],
    ["", "abc", 3],
    ["kitten", "sitting", 3],
  ])("when %j vs %j, then %i", (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe("closest matches", () => {
  const names = ["help", "score", "recommendations", "recs", "exposure", "alerts"];
  test.each([
    ["hlep", ["help"]],
    ["scroe", ["score"]],
    ["recom", ["recommendations"]],
    ["x", []],
    ["zzzzzz", []],
  ])("when %j is typed, then %j is suggested", (input, expected) => {
    expect(closestMatches(input, names)).toEqual(expected);
  });
});
