import {
  nameOf,
  parentOfExtension,
  parseJitPolicyId,
  parseVmId,
  parseWatcherId,
  resourceGroupOf,
  sameResourceId,
  segmentAfter,
  subscriptionOf,
} from "../../src/azure/resource-id";
import { AppError } from "../../src/domain/errors";

const VM = "/subscriptions/S1/resourceGroups/Rg-One/providers/Microsoft.Compute/virtualMachines/vm-web-01";

describe("resource ids", () => {
  it.each([
    [VM, "S1", "Rg-One", "vm-web-01"],
    ["/SUBSCRIPTIONS/s2/RESOURCEGROUPS/rg2/providers/x/y/z", "s2", "rg2", "z"],
    ["/subscriptions/s3/providers/Microsoft.Security/secureScores/ascScore", "s3", undefined, "ascScore"],
  ])("when the id is %p, then subscription, group and name are parsed case-insensitively", (id, sub, rg, name) => {
    expect(subscriptionOf(id)).toBe(sub);
    expect(resourceGroupOf(id)).toBe(rg);
    expect(nameOf(id)).toBe(name);
  });

  it("when a key repeats in a nested id, then first and last occurrences can both be read", () => {
    const id = `${VM}/providers/Microsoft.Security/assessments/key1/subAssessments/s1`;
    expect(segmentAfter(id, "providers")).toBe("Microsoft.Compute");
    expect(segmentAfter(id, "providers", "last")).toBe("Microsoft.Security");
    expect(segmentAfter(id, "ASSESSMENTS", "last")).toBe("key1");
    expect(segmentAfter(id, "missing")).toBeUndefined();
  });

  it("when two ids differ only in case or a trailing slash, then they are the same resource", () => {
    expect(sameResourceId(VM, `${VM.toLowerCase()}/`)).toBe(true);
    expect(sameResourceId(VM, VM.replace("vm-web-01", "vm-web-02"))).toBe(false);
    expect(sameResourceId(VM, undefined)).toBe(false);
  });

  it("when an extension resource id is given, then its parent resource keeps its original case", () => {
    expect(parentOfExtension(`${VM}/providers/microsoft.security/ASSESSMENTS/k`, "Microsoft.Security/assessments")).toBe(VM);
    expect(parentOfExtension(VM, "Microsoft.Security/assessments")).toBeUndefined();
  });

  it("when a packet capture id is parsed, then watcher parts and capture name come out", () => {
    const id = "/subscriptions/s/resourcegroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope/packetCaptures/cap-1";
    expect(parseWatcherId(id, "packetCaptures")).toEqual({
      subscriptionId: "s",
      resourceGroup: "NetworkWatcherRG",
      watcherName: "NetworkWatcher_westeurope",
      childName: "cap-1",
    });
  });

  it("when a JIT policy id is parsed, then location and name come out", () => {
    const id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Security/locations/westeurope/jitNetworkAccessPolicies/default";
    expect(parseJitPolicyId(id)).toEqual({ subscriptionId: "s", resourceGroup: "rg", location: "westeurope", name: "default" });
  });

  it.each([
    () => parseWatcherId(VM),
    () => parseWatcherId("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkWatchers/nw", "packetCaptures"),
    () => parseJitPolicyId(VM),
    () => parseVmId("/subscriptions/s/resourceGroups/rg"),
  ])("when an id of the wrong kind is parsed (%#), then BadInput is thrown", (parse) => {
    expect(parse).toThrow(AppError);
    try {
      parse();
    } catch (error) {
      expect((error as AppError).code).toBe("BadInput");
    }
  });
});
