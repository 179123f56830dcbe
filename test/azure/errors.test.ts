/**
 * RestError → AppError mapping, with errors produced by the real SDK clients from real HTTP answers.
 */
import { createServer } from "node:net";
import { ClientFactory } from "../../src/azure/clients";
import { missingPermission, redactSecrets, toAppError } from "../../src/azure/errors";
import { AppError } from "../../src/domain/errors";
import { startExampleServer, type ExampleServer } from "./support/example-server";

const SUB = "11111111-2222-3333-4444-555555555555";
const DENIED =
  `The client 'ab12' with object id 'ab12' does not have authorization to perform action ` +
  `'Microsoft.Security/assessments/read' over scope '/subscriptions/${SUB}' or the scope is invalid.`;

let server: ExampleServer;
let factory: ClientFactory;

beforeAll(async () => {
  server = await startExampleServer([
    { method: "GET", path: /^\/subscriptions\/denied\//, status: 403, body: { error: { code: "AuthorizationFailed", message: DENIED } } },
    { method: "GET", path: /^\/subscriptions\/gone\//, status: 404, body: { error: { code: "ResourceNotFound", message: "The resource was not found." } } },
    { method: "GET", path: /^\/subscriptions\/broken\//, status: 500, body: { error: { code: "InternalServerError", message: "boom" } } },
    { method: "GET", path: /^\/subscriptions\/busy\//, status: 429, body: { error: { code: "TooManyRequests", message: "slow down" } } },
    {
      method: "GET",
      path: /^\/subscriptions\/bad\//,
      status: 400,
      body: { error: { code: "InvalidApiVersionParameter", message: "Header was Bearer eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl and it is wrong" } },
    },
  ]);
  factory = new ClientFactory({ endpoint: server.url, staticToken: "t", retry: { maxRetries: 0 } });
});

afterAll(async () => {
  await server.close();
});

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a failure");
}

async function firstPage(iterable: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of iterable) return;
}

describe("toAppError with real SDK errors", () => {
  it("when ARM answers 403 AuthorizationFailed, then Forbidden names the subscription and the missing permission", async () => {
    const error = await failureOf(firstPage(factory.for("denied").security.assessments.list("subscriptions/denied")));
    const app = toAppError(error, { subscriptionId: SUB, operation: "reading recommendations" });
    expect(app.code).toBe("Forbidden");
    expect(app.userMessage).toContain(SUB);
    expect(app.userMessage).toContain("'Microsoft.Security/assessments/read'");
    expect(app.userMessage).not.toContain("ab12");
  });

  it("when the compute client gets 403, then it maps the same way", async () => {
    const error = await failureOf(firstPage(factory.for("denied").compute.virtualMachines.listAll()));
    expect(toAppError(error, { subscriptionId: SUB }).code).toBe("Forbidden");
  });

  it("when ARM answers 404, then the code is NotFound", async () => {
    const error = await failureOf(factory.for("gone").network.packetCaptures.get("rg", "nw", "pc"));
    expect(toAppError(error).code).toBe("NotFound");
  });

  it("when ARM answers 500 and retries are exhausted, then the code is AzureUnavailable", async () => {
    const error = await failureOf(firstPage(factory.for("broken").network.networkInterfaces.listAll()));
    const app = toAppError(error, { subscriptionId: SUB });
    expect(app.code).toBe("AzureUnavailable");
    expect(app.userMessage).toContain("HTTP 500");
  });

  it("when ARM answers 429 without Retry-After, then the SDK does not retry and the code is Throttled", async () => {
    const before = server.requests.filter((r) => r.url.startsWith("/subscriptions/busy/")).length;
    const busy = new ClientFactory({ endpoint: server.url, staticToken: "t", retry: { maxRetries: 3, retryDelayInMs: 1 } });
    const error = await failureOf(firstPage(busy.for("busy").security.alerts.list()));
    expect(toAppError(error, { subscriptionId: SUB }).code).toBe("Throttled");
    expect(server.requests.filter((r) => r.url.startsWith("/subscriptions/busy/")).length - before).toBe(1);
  });

  it("when ARM rejects a request with a message holding a token, then AzureError keeps the message without the token", async () => {
    const error = await failureOf(firstPage(factory.for("bad").security.alerts.list()));
    const app = toAppError(error);
    expect(app.code).toBe("AzureError");
    expect(app.userMessage).toContain("InvalidApiVersionParameter");
    expect(app.userMessage).toContain("and it is wrong");
    expect(app.userMessage).not.toMatch(/eyJ/);
  });

  it("when nothing listens on the endpoint, then the code is AzureUnavailable", async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer();
      probe.listen(0, "127.0.0.1", () => {
        const address = probe.address() as { port: number };
        probe.close(() => resolve(address.port));
      });
    });
    const offline = new ClientFactory({ endpoint: `http://127.0.0.1:${port}`, staticToken: "t", retry: { maxRetries: 0 } });
    const error = await failureOf(firstPage(offline.for("x").security.alerts.list()));
    expect(toAppError(error).code).toBe("AzureUnavailable");
  });

  it("when the error is already an AppError, then it passes through unchanged", () => {
    const original = new AppError("BadInput", "nope");
    expect(toAppError(original)).toBe(original);
  });

  it("when a programming error escapes, then it becomes Internal without its message", () => {
    const app = toAppError(new TypeError("cannot read x of undefined"));
    expect(app.code).toBe("Internal");
    expect(app.userMessage).not.toContain("undefined");
  });
});

describe("message helpers", () => {
  it.each([
    [DENIED, "Microsoft.Security/assessments/read"],
    ["no permission mentioned", undefined],
  ])("when the message is %p, then the missing permission is %p", (message, expected) => {
    expect(missingPermission(message)).toBe(expected);
  });

  it.each([
    ["Authorization: Bearer abc.def-ghi", "Authorization: Bearer [redacted]"],
    ["https://x.blob.core.windows.net/c?sv=1&sig=SECRET", "https://x.blob.core.windows.net/c?sv=1&sig=[redacted]"],
    ["plain text", "plain text"],
  ])("when redacting %p, then it reads %p", (input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });
});
