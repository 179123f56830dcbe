/** Client construction: endpoint/token rules and the token scope each SDK client asks for. */
import type { TokenCredential } from "@azure/core-auth";
import { armScope, ClientFactory, isLoopbackEndpoint } from "../../src/azure/clients";
import { AppError } from "../../src/domain/errors";

function codeOf(build: () => unknown): string | undefined {
  try {
    build();
  } catch (error) {
    return error instanceof AppError ? error.code : "not an AppError";
  }
  return undefined;
}

/** Records the scopes asked for, then refuses, so no request ever leaves the process. */
function recordingCredential(scopes: string[]): TokenCredential {
  return {
    getToken: (requested) => {
      scopes.push(...(Array.isArray(requested) ? requested : [requested]));
      return Promise.reject(new Error("test credential: no tokens here"));
    },
  };
}

async function attempt(run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch {
    // Expected: the credential refuses.
  }
}

describe("ClientFactory", () => {
  it.each([
    ["http://127.0.0.1:7070", true],
    ["https://localhost", true],
    ["http://[::1]:8080", true],
    ["https://management.azure.com", false],
    ["http://127.0.0.1.example.com", false],
    ["not a url", false],
  ])("when the endpoint is %p, then loopback is %p", (endpoint, expected) => {
    expect(isLoopbackEndpoint(endpoint)).toBe(expected);
  });

  it("when a static token is given for a non-loopback endpoint, then construction fails with Config", () => {
    expect(codeOf(() => new ClientFactory({ endpoint: "https://management.azure.com", staticToken: "t" }))).toBe("Config");
  });

  it("when a non-loopback endpoint uses plain http, then construction fails with Config", () => {
    const credential = recordingCredential([]);
    expect(codeOf(() => new ClientFactory({ endpoint: "http://arm.example.com", credential }))).toBe("Config");
  });

  it("when a loopback http endpoint has no static token, then construction fails with Config", () => {
    const credential = recordingCredential([]);
    expect(codeOf(() => new ClientFactory({ endpoint: "http://127.0.0.1:1234", credential }))).toBe("Config");
  });

  it("when the endpoint is not a URL, then construction fails with Config", () => {
    expect(codeOf(() => new ClientFactory({ endpoint: "management.azure.com", staticToken: "t" }))).toBe("Config");
  });

  it("when the same subscription is asked for twice in any case, then the same clients are reused", () => {
    const factory = new ClientFactory({ endpoint: "http://127.0.0.1:1", staticToken: "t" });
    expect(factory.for("ABC")).toBe(factory.for("abc"));
    expect(factory.for("abc")).not.toBe(factory.for("def"));
  });

  it("when a sovereign cloud endpoint is used, then all three clients ask Entra ID for that cloud's scope", async () => {
    const scopes: string[] = [];
    const endpoint = "https://management.usgovcloudapi.net/";
    const factory = new ClientFactory({ endpoint, credential: recordingCredential(scopes), retry: { maxRetries: 0 } });
    const clients = factory.for("sub");
    await attempt(() => clients.security.alerts.list().next());
    await attempt(() => clients.network.networkInterfaces.listAll().next());
    await attempt(() => clients.compute.virtualMachines.listAll().next());
    expect(armScope(endpoint)).toBe("https://management.usgovcloudapi.net/.default");
    expect(scopes).toHaveLength(3);
    expect(new Set(scopes)).toEqual(new Set(["https://management.usgovcloudapi.net/.default"]));
  });
});
