import fc from "fast-check";
import { parseAuditArgs } from "../../src/bot/commands/audit";
import { parseJitListArgs } from "../../src/bot/commands/jit";
import { parseJitRequestArgs } from "../../src/bot/commands/jit-request";
import { requestIdFrom } from "../../src/bot/jit-workflow";
import { isAppError } from "../../src/domain/errors";

describe("jit request arguments", () => {
  test.each([
    [
      "vm-web-01 port 22,3389 for 2h from 203.0.113.7 because patch the ${x} kernel",
      { vmName: "vm-web-01", ports: [22, 3389], duration: "2h", source: "203.0.113.7", justification: "patch the ${x} kernel" },
    ],
    ["vm-web-01 ports 22, 3389 because x", { vmName: "vm-web-01", ports: [22, 3389], justification: "x" }],
    ["vm-web-01 port 22 3389 because x", { vmName: "vm-web-01", ports: [22, 3389], justification: "x" }],
    ["rg-app/vm-1 for 1 hour 30 minutes because two words", { vmName: "rg-app/vm-1", duration: "1 hour 30 minutes", justification: "two words" }],
    ['"vm web" FROM 10.0.0.0/24 BECAUSE "quoted, kept"', { vmName: "vm web", source: "10.0.0.0/24", justification: '"quoted, kept"' }],
    ["vm-1 because port 22 from anywhere", { vmName: "vm-1", justification: "port 22 from anywhere" }],
    ["vm-1", { vmName: "vm-1" }],
  ])("when the text is %j, then it parses to what was meant", (text, expected) => {
    const parsed = parseJitRequestArgs(text);
    expect(parsed).toEqual({ ports: undefined, duration: undefined, source: undefined, justification: undefined, ...expected });
  });

  test.each([
    ["", "Name the VM first"],
    ["port 22 because x", "Name the VM first"],
    ["vm-1 22 because x", 'don\'t understand "22"'],
    ["vm-1 port ssh because x", '"ssh" is not a port number'],
    ["vm-1 port 22 ports 3389 because x", "Give the ports once"],
    ["vm-1 from 1.2.3.4 5.6.7.8 because x", "Give one source"],
    ["vm-1 port because x", '"port" needs a value'],
    ["vm-1 for 1h for 2h because x", '"for" appears twice'],
  ])("when the text is %j, then the answer says %j", (text, message) => {
    expect(() => parseJitRequestArgs(text)).toThrow(message);
  });

  test("when any text is parsed, then it either parses or fails with a BadInput answer, never anything else", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        try {
          const parsed = parseJitRequestArgs(text);
          expect(typeof parsed.vmName).toBe("string");
          expect(parsed.vmName.length).toBeGreaterThan(0);
        } catch (err) {
          expect(isAppError(err) && err.code === "BadInput").toBe(true);
        }
      }),
    );
  });
});

describe("jit list and audit arguments", () => {
  test.each([
    [[], 0],
    [["list"], 0],
    [["page", "2"], 1],
    [["list", "page", "3"], 2],
  ])("when jit is given %j, then the page index is %i", (args, index) => {
    expect(parseJitListArgs(args)).toBe(index);
  });

  test.each([[["foo"]], [["page", "0"]], [["page", "x"]], [["list", "page"]]])("when jit is given %j, then it is refused with the usage", (args) => {
    expect(() => parseJitListArgs(args)).toThrow("jit [list] [page <n>]");
  });

  test.each([
    ["", 86_400_000, 0],
    ["last 2h", 7_200_000, 0],
    ["last 7d page 3", 7 * 86_400_000, 2],
    ["LAST 90m", 5_400_000, 0],
  ])("when audit is given %j, then the window and page are read", (text, windowMs, pageIndex) => {
    expect(parseAuditArgs(text)).toMatchObject({ windowMs, page: pageIndex });
  });

  test.each([
    ["yesterday", "Use audit"],
    ["last 91d", "at most the last 90 days"],
    ["last 0h", "longer than zero"],
    ["last soon", "is not a duration"],
    ["page 0", "is not a page number"],
  ])("when audit is given %j, then it is refused saying %j", (text, message) => {
    expect(() => parseAuditArgs(text)).toThrow(message);
  });

  test.each([[undefined], [""], ["J1234"], ["approve"]])("when a request id %j is given, then it is refused with a hint", (typed) => {
    expect(() => requestIdFrom(typed, "jit approve <request-id>")).toThrow(/request|J7K2MQ/);
  });

  test("when a request id is typed in lower case, then it is read in the stored spelling", () => {
    expect(requestIdFrom(" jabcdef ", "x")).toBe("JABCDEF");
  });
});
