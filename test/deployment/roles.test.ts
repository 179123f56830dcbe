/**
 * Least privilege, checked against the code: every Azure SDK call in src/azure must map to ARM actions
 * (deployment/roles/operations.json), every one of those actions must be granted by a role assigned at
 * the right scope, and no role may grant more than the calls need.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  actionMatches,
  type GrantScope,
  type OperationsFile,
  readJson,
  REPO,
  roleFiles,
  type RoleDefinitionFile,
  roleGrants,
  ROLES_DIR,
  scanSdkCalls,
  sdkOperationGroups,
  wildcardProblem,
} from "./support/arm-operations";

const operations = readJson<OperationsFile>(join(ROLES_DIR, "operations.json"));
const roles = new Map(roleFiles().map((file) => [file, readJson<RoleDefinitionFile>(join(ROLES_DIR, file))] as const));
const groups = sdkOperationGroups();
const scan = scanSdkCalls(join(REPO, "src", "azure"), groups);
const calledKeys = [...new Set(scan.calls.map((c) => c.key))].sort();

function rolesAt(scope: GrantScope): RoleDefinitionFile[] {
  return [...roles].filter(([file]) => operations.roles[file]?.scope === scope).map(([, role]) => role);
}

/** Actions the called operations need at one scope. */
function neededAt(scope: GrantScope): Map<string, string[]> {
  const needed = new Map<string, string[]>();
  for (const key of calledKeys) {
    for (const action of operations.operations[key]?.[scope] ?? []) {
      const lower = action.toLowerCase();
      needed.set(lower, [...(needed.get(lower) ?? []), key]);
    }
  }
  return needed;
}

describe("SDK call scan", () => {
  it("when src/azure is scanned, then it finds the calls the gateway is known to make", () => {
    // Guards the scanner itself: if these disappear the regex (not the code) is probably wrong.
    expect(calledKeys).toEqual(
      expect.arrayContaining([
        "security.secureScores.list",
        "security.jitNetworkAccessPolicies.initiate",
        "network.packetCaptures.beginCreateAndWait",
        "compute.virtualMachines.listAll",
        "subscriptions.subscriptions.list",
      ]),
    );
  });

  it("when a call's operation group exists on several clients, then the code names the client", () => {
    expect(scan.ambiguous).toEqual([]);
  });

  it("when a scanned fixture hides calls behind aliases and comments, then only real calls count", () => {
    const dir = join(__dirname, "fixtures", "sdk-calls");
    const keys = scanSdkCalls(dir, groups, ".ts.txt").calls.map((c) => c.key).sort();
    expect(keys).toEqual([
      "compute.virtualMachines.listAll",
      "network.packetCaptures.beginStopAndWait",
      "security.alerts.list",
      "subscriptions.subscriptions.list",
    ]);
  });
});

describe("operations.json", () => {
  it("when the code calls an SDK operation, then operations.json maps it to ARM actions", () => {
    const unmapped = scan.calls
      .filter((c) => operations.operations[c.key] === undefined)
      .map((c) => `${c.key} (src/azure/${c.file}:${c.line})`);
    // Fix: add the operation to deployment/roles/operations.json with the ARM actions it needs, then grant them.
    expect(unmapped).toEqual([]);
  });

  it("when an operation is mapped, then it names a real SDK method and at least one action", () => {
    const problems: string[] = [];
    for (const [key, entry] of Object.entries(operations.operations)) {
      const [kind, group, method] = key.split(".") as [string, string, string];
      const methods = groups.get(kind as never)?.get(group);
      if (!methods?.has(method)) problems.push(`${key}: no such method on the ${kind} client`);
      const actions = [...(entry.subscription ?? []), ...(entry.captureStorage ?? [])];
      if (actions.length === 0) problems.push(`${key}: no actions`);
      for (const action of actions) {
        if (!/^Microsoft\.[A-Za-z]+\/[A-Za-z*][\w*/]*$/.test(action)) problems.push(`${key}: "${action}" is not an ARM action`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("when a role file exists, then operations.json says at which scope it is assigned", () => {
    expect(Object.keys(operations.roles).sort()).toEqual(roleFiles());
  });
});

describe("role definitions", () => {
  it.each(roleFiles())("when %s is read, then it is a custom role definition with placeholder scopes", (file) => {
    const role = roles.get(file)!;
    expect(Object.keys(role).sort()).toEqual(
      ["Actions", "AssignableScopes", "DataActions", "Description", "IsCustom", "Name", "NotActions", "NotDataActions"].sort(),
    );
    expect(role.IsCustom).toBe(true);
    expect(role.Name).toMatch(/^SecOps Bot /);
    expect(role.Description.length).toBeGreaterThan(20);
    expect(role.Actions.length).toBeGreaterThan(0);
    // The bot reads no data planes and needs no exclusions.
    expect(role.DataActions).toEqual([]);
    expect(role.NotActions).toEqual([]);
    expect(role.NotDataActions).toEqual([]);
    const scope = operations.roles[file]?.scope;
    expect(role.AssignableScopes).toEqual(
      scope === "subscription"
        ? ["/subscriptions/{subscriptionId}"]
        : ["/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}"],
    );
    expect(new Set(role.Actions.map((a) => a.toLowerCase())).size).toBe(role.Actions.length);
  });

  it("when a role holds a wildcard, then it is no broader than reads below one resource type", () => {
    const problems = [...roles].flatMap(([file, role]) =>
      role.Actions.flatMap((action) => {
        const problem = wildcardProblem(action);
        return problem ? [`${file}: "${action}" ${problem}`] : [];
      }),
    );
    expect(problems).toEqual([]);
  });

  it("when the wildcard rule judges actions, then it refuses '*', provider-wide and non-read wildcards", () => {
    expect(wildcardProblem("*")).toBeDefined();
    expect(wildcardProblem("Microsoft.Network/*")).toBeDefined();
    expect(wildcardProblem("Microsoft.Network/*/read")).toBeDefined();
    expect(wildcardProblem("*/read")).toBeDefined();
    expect(wildcardProblem("Microsoft.Network/networkWatchers/packetCaptures/*")).toBeDefined();
    expect(wildcardProblem("Microsoft.Network/networkInterfaces/*/read")).toBeUndefined();
    expect(wildcardProblem("Microsoft.Network/networkInterfaces/read")).toBeUndefined();
  });

  it("when ARM matches actions, then '*' spans segments and case does not matter", () => {
    expect(actionMatches("Microsoft.Network/networkInterfaces/*/read", "microsoft.network/networkinterfaces/ipconfigurations/read")).toBe(true);
    expect(actionMatches("Microsoft.Network/networkInterfaces/read", "Microsoft.Network/networkInterfaces/write")).toBe(false);
    expect(actionMatches("Microsoft.Network/*", "Microsoft.Storage/storageAccounts/read")).toBe(false);
  });
});

describe("grants", () => {
  it.each<GrantScope>(["subscription", "captureStorage"])(
    "when the code needs an action at %s scope, then a role assigned there grants it",
    (scope) => {
      const missing = [...neededAt(scope)]
        .filter(([action]) => !rolesAt(scope).some((role) => roleGrants(role, action)))
        .map(([action, by]) => `${action} (needed by ${by.join(", ")})`);
      expect(missing).toEqual([]);
    },
  );

  it.each<GrantScope>(["subscription", "captureStorage"])(
    "when a role assigned at %s scope grants an action, then some call needs it there",
    (scope) => {
      const needed = neededAt(scope);
      const unused = [...roles]
        .filter(([file]) => operations.roles[file]?.scope === scope)
        .flatMap(([file, role]) =>
          role.Actions.filter((action) => !needed.has(action.toLowerCase())).map((action) => `${file}: ${action}`),
        );
      // Fix: drop the action from the role, or map the call that needs it in operations.json.
      expect(unused).toEqual([]);
    },
  );

  it("when listKeys is granted, then only on the capture storage account", () => {
    const broad = rolesAt("subscription").filter((role) =>
      role.Actions.some((a) => actionMatches(a, "Microsoft.Storage/storageAccounts/listKeys/action")),
    );
    expect(broad.map((r) => r.Name)).toEqual([]);
  });
});

describe("Bicep wiring of the roles", () => {
  const bicep = readdirSync(join(REPO, "deployment", "modules"))
    .filter((f) => f.endsWith(".bicep"))
    .map((f) => readFileSync(join(REPO, "deployment", "modules", f), "utf8"))
    .join("\n");

  it.each(roleFiles())("when %s exists, then a Bicep module loads it (one source of truth)", (file) => {
    expect(bicep).toContain(`loadJsonContent('../roles/${file}')`);
  });
});
