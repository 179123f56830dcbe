import { ConfigError, loadConfig } from "../../src/config";

const SUB = "11111111-2222-3333-4444-555555555555";

describe("config", () => {
  test("when nothing is configured, then the bot runs in demo mode with everyone in every role and approval off", () => {
    const c = loadConfig({});
    expect(c.mode).toBe("demo");
    expect(c.port).toBe(3978);
    expect(c.host).toBe("127.0.0.1");
    expect(c.roles).toEqual({ readers: ["*"], operators: ["*"], approvers: ["*"] });
    expect(c.jit.requireApproval).toBe(false);
    expect(c.jit.maxDuration).toBe("PT3H");
    expect(c.capture.maxSeconds).toBe(300);
    expect(c.digest).toEqual({ defaultTime: "08:00", defaultTimeZone: "UTC" });
    expect(c.armEndpoint).toBe("https://management.azure.com");
  });

  test("when subscriptions and roles are set, then the bot runs against Azure with approval required", () => {
    const c = loadConfig({ AZURE_SUBSCRIPTION_IDS: `${SUB}, ${SUB.replace("1", "9")}`, ROLE_READERS: "*", ROLE_APPROVERS: "a,b" });
    expect(c.mode).toBe("azure");
    expect(c.subscriptionIds).toHaveLength(2);
    expect(c.jit.requireApproval).toBe(true);
    expect(c.roles).toEqual({ readers: ["*"], operators: [], approvers: ["a", "b"] });
    expect(c.host).toBe("0.0.0.0");
  });

  test("when a loopback ARM endpoint and token are set, then the bot talks to that server with local roles", () => {
    const c = loadConfig({ AZURE_ARM_ENDPOINT: "http://127.0.0.1:7070/", AZURE_ARM_TOKEN: "t" });
    expect(c.mode).toBe("azure");
    expect(c.armEndpoint).toBe("http://127.0.0.1:7070");
    expect(c.armToken).toBe("t");
    expect(c.roles.readers).toEqual(["*"]);
  });

  test.each([
    [{ PORT: "seventy" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ AZURE_SUBSCRIPTION_IDS: "not-a-guid" }, "AZURE_SUBSCRIPTION_IDS"],
    [{ AZURE_ARM_ENDPOINT: "http://10.0.0.1:80", AZURE_ARM_TOKEN: "t" }, "AZURE_ARM_TOKEN"],
    [{ AZURE_ARM_ENDPOINT: "https://management.azure.com", AZURE_ARM_TOKEN: "t" }, "AZURE_ARM_TOKEN"],
    [{ AZURE_ARM_ENDPOINT: "http://example.com" }, "AZURE_ARM_ENDPOINT"],
    [{ MicrosoftAppId: "app" }, "ALLOWED_TENANT_IDS"],
    [{ MicrosoftAppType: "Whatever" }, "MicrosoftAppType"],
    [{ JIT_MAX_DURATION: "3 hours" }, "JIT_MAX_DURATION"],
    [{ JIT_REQUIRE_APPROVAL: "maybe" }, "JIT_REQUIRE_APPROVAL"],
    [{ CAPTURE_MAX_SECONDS: "99999" }, "CAPTURE_MAX_SECONDS"],
    [{ CAPTURE_STORAGE_ACCOUNT_ID: "mystorage" }, "CAPTURE_STORAGE_ACCOUNT_ID"],
    [{ ALERT_WEBHOOK_SECRET: "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/x)" }, "ALERT_WEBHOOK_SECRET"],
    [{ ALERT_WEBHOOK_SECRET: "short" }, "ALERT_WEBHOOK_SECRET"],
    [{ DIGEST_DEFAULT_TIME: "8am" }, "DIGEST_DEFAULT_TIME"],
    [{ DIGEST_DEFAULT_TZ: "Mars/Olympus" }, "DIGEST_DEFAULT_TZ"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL"],
    [{ AZURE_SUBSCRIPTION_IDS: SUB }, "ROLE_READERS"],
  ])("when %j, then start-up stops naming %s", (env, variable) => {
    let error: unknown;
    try {
      loadConfig(env as NodeJS.ProcessEnv);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(variable);
  });

  test("when botbuilder's own auth settings are set, then they are passed through unchanged", () => {
    const c = loadConfig({ ToBotFromChannelOpenIdMetadataUrl: "http://127.0.0.1:1/openid", ChannelService: "" });
    expect(c.bot.authSettings).toEqual({ ToBotFromChannelOpenIdMetadataUrl: "http://127.0.0.1:1/openid" });
  });

  test("when secrets are configured, then the config keeps them only where the bot needs them", () => {
    const c = loadConfig({ ALERT_WEBHOOK_SECRET: "s3cret-s3cret-s3cret", CAPTURE_ON_ALERT: "a, b,," });
    expect(c.alertWebhookSecret).toBe("s3cret-s3cret-s3cret");
    expect(c.capture.onAlert).toEqual(["a", "b"]);
  });
});

describe("config from a copied .env.example", () => {
  test("when every variable is present but empty, then it is the same as not set (demo mode)", () => {
    const env = Object.fromEntries(
      require("node:fs")
        .readFileSync(require("node:path").join(__dirname, "../../.env.example"), "utf8")
        .split("\n")
        .filter((l: string) => /^[A-Za-z_]+=/.test(l))
        .map((l: string) => [l.slice(0, l.indexOf("=")), ""]),
    );
    expect(Object.keys(env).length).toBeGreaterThan(15);
    expect(loadConfig(env).mode).toBe("demo");
  });

  test("when .env.example is loaded as written, then it is valid and means demo mode", () => {
    const env = Object.fromEntries(
      require("node:fs")
        .readFileSync(require("node:path").join(__dirname, "../../.env.example"), "utf8")
        .split("\n")
        .filter((l: string) => /^[A-Za-z_]+=/.test(l))
        .map((l: string) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
    const c = loadConfig(env);
    expect(c.mode).toBe("demo");
    expect(c.port).toBe(3978);
  });
});

test("when a variable is read by the config, then .env.example documents it", () => {
  const { CONFIG_VARIABLES } = require("../../src/config");
  const example: string = require("node:fs").readFileSync(require("node:path").join(__dirname, "../../.env.example"), "utf8");
  const missing = (CONFIG_VARIABLES as string[]).filter((v) => v !== "ToBotFromEmulatorOpenIdMetadataUrl" && v !== "OAuthUrl" && !new RegExp(`^#? ?${v}=`, "m").test(example));
  expect(missing).toEqual([]);
});
