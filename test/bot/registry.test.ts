import type { CommandSpec } from "../../src/bot/command-spec";
import { matchIntent } from "../../src/bot/intent";
import { CommandRegistry, discoverActions, discoverCommands } from "../../src/bot/registry";
import { textAfterWords } from "../../src/bot/dispatch";

const spec = (name: string, extra: Partial<CommandSpec> = {}): CommandSpec => ({
  name,
  usage: name,
  summary: name,
  role: "reader",
  sideEffects: false,
  handler: async () => undefined,
  ...extra,
});

describe("command registry", () => {
  const registry = new CommandRegistry([
    spec("jit"),
    spec("jit request", { role: "operator" }),
    spec("recommendations", { aliases: ["recs"] }),
    spec("score"),
  ]);

  test.each([
    ["score", "score", 1],
    ["SCORE now", "score", 1],
    ["recs high", "recommendations", 1],
    ["jit request vm-1 because x", "jit request", 2],
    ["jit list", "jit", 1],
    ["JIT Request vm", "jit request", 2],
  ])("when the text is %j, then %s matches taking %i words", (text, name, consumed) => {
    const m = registry.match(text.split(" "));
    expect(m?.spec.name).toBe(name);
    expect(m?.consumed).toBe(consumed);
  });

  test.each([["scores"], ["scor"], ["myscore"], ["recommendation"], ["jitrequest"], [""]])(
    "when the first word is %j (only part of or more than a command), then nothing matches",
    (word) => {
      expect(registry.match(word === "" ? [] : [word])).toBeUndefined();
    },
  );

  test("when two specs claim the same name, then the registry refuses to start", () => {
    expect(() => new CommandRegistry([spec("score"), spec("points", { aliases: ["score"] })])).toThrow(/score/);
  });

  test("when the command folder is scanned, then every file's spec is found and help is among them", () => {
    const names = discoverCommands().map((s) => s.name);
    expect(names).toContain("help");
    expect(new Set(names).size).toBe(names.length);
  });

  test("when the actions folder is scanned, then each verb is unique", () => {
    const verbs = discoverActions().map((a) => a.verb);
    expect(new Set(verbs).size).toBe(verbs.length);
  });
});

describe("free-form intent", () => {
  const specs = [
    spec("exposure", { keywords: ["exposed", "internet", "open"] }),
    spec("score", { keywords: ["score", "posture"] }),
    spec("vm", { keywords: ["patched", "vm"], questionArgs: (w) => w.filter((x) => x.startsWith("vm-")).slice(0, 1) }),
  ];

  test.each([
    ["which VMs are exposed to the internet?", "exposure"],
    ["what is our secure score", "score"],
    ["is vm-web-01 patched?", "vm vm-web-01"],
  ])("when asked %j, then it maps to %j", (q, line) => {
    expect(matchIntent(q, specs)?.commandLine).toBe(line);
  });

  test("when a question matches two commands equally, then nothing is guessed", () => {
    expect(matchIntent("score internet", specs)).toBeUndefined();
  });

  test("when the question is one word, then it is not treated as a question", () => {
    expect(matchIntent("exposed", specs)).toBeUndefined();
  });
});

describe("argument text", () => {
  test.each([
    ["jit request vm-1 because  keep  ${x} 'q'", 2, "vm-1 because  keep  ${x} 'q'"],
    ["  help   jit ", 1, "jit"],
    ["score", 1, ""],
  ])("when %j drops %i words, then %j remains verbatim", (text, n, rest) => {
    expect(textAfterWords(text, n)).toBe(rest);
  });
});

test("when a spec folder does not exist (a fresh clone keeps no empty folders), then discovery finds nothing instead of failing", () => {
  expect(discoverCommands("/nonexistent/secops/commands")).toEqual([]);
  expect(discoverActions("/nonexistent/secops/actions")).toEqual([]);
});
