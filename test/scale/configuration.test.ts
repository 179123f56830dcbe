/**
 * Scale-out settings: what STATE_STORE=azure needs, the lease and Resource Graph variables, and a bot built by the
 * composition root with the shared store (in process, against a real Azurite).
 */
import { randomBytes } from "node:crypto";
import { ConfigError, loadConfig } from "../../src/config";
import { openAzureTableStore } from "../../src/azure/azure-table-store";
import { startAzurite, type Azurite } from "../helpers/azurite";
import { startTestBot, type TestBot } from "../helpers/test-bot";

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  throw new Error("expected a ConfigError");
}

describe("configuration", () => {
  it("when nothing is set, then the store is SQLite and Resource Graph is automatic with the documented thresholds", () => {
    const config = loadConfig({});
    expect(config.stateStore).toEqual({ kind: "sqlite" });
    expect(config.resourceGraph).toEqual({ mode: "auto", minSubscriptions: 10, minVms: 1000 });
  });

  it("when STATE_STORE=azure has neither endpoints nor a connection string, then start-up stops naming what to set", () => {
    const message = configError({ STATE_STORE: "azure" });
    expect(message).toContain("AZURE_STORAGE_TABLE_ENDPOINT");
    expect(message).toContain("AZURE_STORAGE_CONNECTION_STRING");
  });

  it("when the managed-identity endpoints are plain http, then start-up stops", () => {
    expect(
      configError({ STATE_STORE: "azure", AZURE_STORAGE_TABLE_ENDPOINT: "http://acct.table.core.windows.net", AZURE_STORAGE_BLOB_ENDPOINT: "https://acct.blob.core.windows.net" }),
    ).toContain("AZURE_STORAGE_TABLE_ENDPOINT: must be https");
  });

  it("when the endpoints are https, then the shared store is configured with the default prefix and lease", () => {
    const config = loadConfig({
      STATE_STORE: "azure",
      AZURE_STORAGE_TABLE_ENDPOINT: "https://acct.table.core.windows.net",
      AZURE_STORAGE_BLOB_ENDPOINT: "https://acct.blob.core.windows.net",
    });
    expect(config.stateStore).toEqual({
      kind: "azure",
      tableEndpoint: "https://acct.table.core.windows.net",
      blobEndpoint: "https://acct.blob.core.windows.net",
      connectionString: undefined,
      prefix: "secopsbot",
      leaseSeconds: 30,
    });
  });

  it.each([
    [{ STATE_STORE: "cosmos" }, "STATE_STORE"],
    [{ SCHEDULER_LEASE_SECONDS: "10" }, "SCHEDULER_LEASE_SECONDS"],
    [{ AZURE_STORAGE_PREFIX: "Secops-Bot" }, "AZURE_STORAGE_PREFIX"],
    [{ RESOURCE_GRAPH: "sometimes" }, "RESOURCE_GRAPH"],
    [{ RESOURCE_GRAPH_MIN_VMS: "0" }, "RESOURCE_GRAPH_MIN_VMS"],
    [{ AZURE_STORAGE_CONNECTION_STRING: "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/x)", STATE_STORE: "azure" }, "AZURE_STORAGE_CONNECTION_STRING"],
  ])("when %j, then start-up stops naming %s", (env, variable) => {
    expect(configError(env)).toContain(variable);
  });
});

describe("a bot on the shared store", () => {
  let azurite: Azurite;
  let bot: TestBot;
  const prefix = `cfg${randomBytes(4).toString("hex")}`;

  beforeAll(async () => {
    azurite = await startAzurite();
    bot = await startTestBot({ STATE_STORE: "azure", AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString, AZURE_STORAGE_PREFIX: prefix, LOG_LEVEL: "info" });
  }, 60_000);

  afterAll(async () => {
    await bot?.stop();
    await azurite?.stop();
  });

  it("when someone talks to it, then the conversation and the audit line land in Azure Table Storage", async () => {
    await bot.say("help", { conversationId: "conv-shared-store" });
    const other = await openAzureTableStore({ connectionString: azurite.connectionString, prefix });
    expect(await other.getConversation("conv-shared-store")).toMatchObject({ id: "conv-shared-store", kind: "personal" });
    expect((await other.listAudit()).some((e) => e.action === "command:help" && e.conversationId === "conv-shared-store")).toBe(true);
    await other.close();
  });

  it("when it starts, then it takes the scheduler lease and says so", async () => {
    const until = Date.now() + 10_000;
    while (!bot.app.scheduling.held && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(bot.app.scheduling.held).toBe(true);
    expect(bot.logs.join("")).toContain("scheduler lease acquired");
  });

  it("when the storage account cannot be reached, then the bot does not start and the error names the endpoint", async () => {
    const unreachable = azurite.connectionString.replace(/TableEndpoint=http:\/\/127\.0\.0\.1:\d+/, "TableEndpoint=http://127.0.0.1:9");
    await expect(startTestBot({ STATE_STORE: "azure", AZURE_STORAGE_CONNECTION_STRING: unreachable })).rejects.toThrow(/http:\/\/127\.0\.0\.1:9/);
  });
});
