import { ASSESSMENT_KEYS, isOneOf, sameKey, vmTopicOf, type VmFindingTopic } from "../../src/domain/assessment-keys";

describe("assessment keys", () => {
  test("when listing the keys, then each is a distinct lower-case GUID", () => {
    const values = Object.values(ASSESSMENT_KEYS);
    for (const v of values) expect(v).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(new Set(values).size).toBe(values.length);
  });

  test.each<[string, VmFindingTopic]>([
    [ASSESSMENT_KEYS.SYSTEM_UPDATES, "updates"],
    [ASSESSMENT_KEYS.SYSTEM_UPDATES_LEGACY.toUpperCase(), "updates"],
    [ASSESSMENT_KEYS.ENDPOINT_PROTECTION, "endpointProtection"],
    [ASSESSMENT_KEYS.ENDPOINT_PROTECTION_HEALTH, "endpointProtection"],
    [ASSESSMENT_KEYS.VULNERABILITY_ASSESSMENT, "vulnerabilityAssessment"],
    [ASSESSMENT_KEYS.DISK_ENCRYPTION, "diskEncryption"],
    [ASSESSMENT_KEYS.DISK_ENCRYPTION_WINDOWS, "diskEncryption"],
    [ASSESSMENT_KEYS.JIT_MANAGEMENT_PORTS, "other"],
    ["not-a-key", "other"],
  ])("when the key is %s, then the VM topic is %s", (key, topic) => {
    expect(vmTopicOf(key)).toBe(topic);
  });

  test.each<[string, string, boolean]>([
    ["805651BC-6ECD-4C73-9B55-97A19D0582D0", ASSESSMENT_KEYS.JIT_MANAGEMENT_PORTS, true],
    ["805651bc-6ecd-4c73-9b55-97a19d0582d4", ASSESSMENT_KEYS.JIT_MANAGEMENT_PORTS, false],
  ])("when comparing %s with %s, then same is %s", (a, b, same) => {
    expect(sameKey(a, b)).toBe(same);
    expect(isOneOf(a, [b])).toBe(same);
  });
});
