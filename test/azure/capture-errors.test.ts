/**
 * Packet capture failures as the SDK reports them (a core-lro Error for a failed operation, a RestError for a refused
 * PUT) mapped to answers a person can act on.
 */
import { RestError } from "@azure/core-rest-pipeline";
import { lroFailure, toAppError } from "../../src/azure/errors";

const lro = (code: string, message: string) => new Error(`The long-running operation has failed. ${code}. ${message}`);

describe("capture errors", () => {
  test("when core-lro reports a failed operation, then its code and message are read back", () => {
    expect(lroFailure(lro("VirtualMachineNotRunning", "VM 'x' is deallocated."))).toEqual({ code: "VirtualMachineNotRunning", message: "VM 'x' is deallocated." });
    expect(lroFailure(new Error("something else"))).toBeUndefined();
  });

  test.each([
    [lro("NetworkWatcherAgentNotInstalled", "The Network Watcher agent extension (NetworkWatcherAgentLinux) is not installed on virtual machine 'vm-1'."), "BadInput", ["(NetworkWatcherAgentLinux) is not installed", "Install the Network Watcher agent extension"]],
    [lro("VirtualMachineNotRunning", "Virtual machine 'vm-1' is deallocated; packet capture needs a running VM."), "BadInput", ["is deallocated", "Start the VM and try again."]],
    [new RestError("The limit of 10 running packet captures in westeurope is reached.", { statusCode: 409, code: "PacketCaptureSessionLimitReached" }), "Conflict", ["limit of 10", "stop one", "capture list"]],
    [lro("StorageAccountNotFound", "The storage account st1 was not found."), "AzureError", ["could not use the storage account", "CAPTURE_STORAGE_ACCOUNT_ID"]],
    [lro("SomethingElse", "Odd."), "AzureError", ["An Azure operation failed", "(SomethingElse): Odd."]],
  ])("when the SDK throws %p, then the AppError is %p and says what to do", (error, code, parts) => {
    const app = toAppError(error, { subscriptionId: "s", operation: "starting a packet capture" });
    expect(app.code).toBe(code);
    for (const p of parts) expect(app.userMessage).toContain(p);
    expect(app.userMessage).not.toContain("long-running operation has failed");
  });
});
