import { matchIntent } from "../../src/bot/intent";
import { CommandRegistry, discoverCommands } from "../../src/bot/registry";
import { tokenize } from "../../src/domain/tokens";

// The real specs, every command's keywords included, so a new command's keywords cannot silently steal these questions.
const specs = discoverCommands();
const registry = new CommandRegistry(specs);

describe("posture questions in free form", () => {
  test.each([
    ["what's our secure score?", "score"],
    ["How secure are we? What is the score", "score"],
    ["which VMs are exposed to the internet?", "exposure"],
    ["are any VMs open to the internet?", "exposure"],
    ["which NSGs have no flow logs", "exposure"],
    ["is vm-web-01 patched?", "vm vm-web-01"],
    ["what's wrong with vm-app-01?", "vm vm-app-01"],
    ["any high alerts today?", "alerts high today"],
    ["any new alerts this week", "alerts last 7d"],
    ["show high recommendations", "recommendations high"],
    ["what should we fix in rg-web-prod", "recommendations in rg-web-prod"],
    ["what should we fix in production", "recommendations"],
    ["which container images have critical CVEs", "containers"],
    ["any high cves in our registry", "containers high"],
  ])("when someone asks %p, then the bot runs %p", (question, commandLine) => {
    expect(registry.match(tokenize(question))).toBeUndefined();
    expect(matchIntent(question, specs)?.commandLine).toBe(commandLine);
  });

  test("when a question matches two posture commands equally, then no command is guessed", () => {
    expect(matchIntent("alerts and recommendations", specs)).toBeUndefined();
  });
});
