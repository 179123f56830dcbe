/**
 * Structural checks of the Bicep, the parameters file, the Dockerfile and docs/deploy.md. No Bicep
 * compiler or Docker engine runs here, so these read the files: documented parameters and outputs,
 * module calls that match the modules, the security settings the deployment promises, app settings the
 * bot actually reads, and no secret in any file.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { CONFIG_VARIABLES } from "../../src/config";
import { type BicepSymbol, bicepSymbols, blockAt, moduleCalls, resourceBody } from "./support/bicep";

const REPO = join(__dirname, "..", "..");
const DEPLOYMENT = join(REPO, "deployment");
const read = (path: string) => readFileSync(path, "utf8");

const main = read(join(DEPLOYMENT, "main.bicep"));
const app = read(join(DEPLOYMENT, "modules", "app.bicep"));
const deployDoc = read(join(REPO, "docs", "deploy.md"));
const bicepFiles = [join(DEPLOYMENT, "main.bicep"), ...readdirSync(join(DEPLOYMENT, "modules")).map((f) => join(DEPLOYMENT, "modules", f))].filter(
  (f) => f.endsWith(".bicep"),
);
const mainSymbols = bicepSymbols(main);
const params = (symbols: BicepSymbol[]) => symbols.filter((s) => s.kind === "param");

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe("Bicep parameters and outputs", () => {
  it.each(bicepFiles.map((f) => relative(REPO, f)))("when %s declares a param or output, then it has a @description", (file) => {
    const symbols = bicepSymbols(read(join(REPO, file)));
    expect(symbols.length).toBeGreaterThan(0);
    const undocumented = symbols.filter((s) => !s.decorators.some((d) => /^@description\('.{10,}'\)$/s.test(d))).map((s) => `${s.kind} ${s.name}`);
    expect(undocumented).toEqual([]);
  });

  it("when main.bicep has a param or output, then docs/deploy.md documents it", () => {
    expect(mainSymbols.length).toBeGreaterThan(20);
    const missing = mainSymbols.filter((s) => !deployDoc.includes(`\`${s.name}\``)).map((s) => `${s.kind} ${s.name}`);
    expect(missing).toEqual([]);
  });

  it("when a secret parameter exists, then it is @secure() and has no value but empty", () => {
    const secretLike = bicepFiles.flatMap((f) => params(bicepSymbols(read(f))).filter((p) => /secret|password|key$/i.test(p.name)));
    expect(secretLike.length).toBeGreaterThan(0);
    for (const p of secretLike.filter((s) => s.type === "string")) {
      expect(p.decorators).toContain("@secure()");
      expect(p.value === undefined || p.value === "''").toBe(true);
    }
  });
});

describe("module calls", () => {
  it.each(moduleCalls(main).map((m) => [m.symbol, m] as const))("when main.bicep calls module %s, then the params match the module's", (_s, call) => {
    const moduleParams = params(bicepSymbols(read(join(DEPLOYMENT, call.path))));
    const known = new Set(moduleParams.map((p) => p.name));
    expect(call.params.filter((p) => !known.has(p))).toEqual([]);
    const required = moduleParams.filter((p) => p.value === undefined).map((p) => p.name);
    expect(required.filter((p) => !call.params.includes(p))).toEqual([]);
  });

  it("when roles are assigned, then it is once per watched subscription at subscription scope", () => {
    expect(main).toMatch(/module roleAssignments 'modules\/role-assignments\.bicep' = \[for subscriptionId in watchedSubscriptionIds: \{/);
    expect(main).toMatch(/scope: subscription\(subscriptionId\)/);
    expect(read(join(DEPLOYMENT, "modules", "role-assignments.bicep"))).toMatch(/^targetScope = 'subscription'$/m);
  });
});

describe("resources", () => {
  it("when the storage account is created, then it is HTTPS-only, TLS 1.2, with no public blob access", () => {
    const storage = resourceBody(app, "storage");
    expect(storage).toMatch(/supportsHttpsTrafficOnly: true/);
    expect(storage).toMatch(/minimumTlsVersion: 'TLS1_2'/);
    expect(storage).toMatch(/allowBlobPublicAccess: false/);
  });

  it("when the Azure Bot is created, then it uses the user-assigned managed identity and has the Teams channel", () => {
    const bot = resourceBody(app, "bot");
    expect(bot).toMatch(/msaAppType: 'UserAssignedMSI'/);
    expect(bot).toMatch(/msaAppId: identity\.properties\.clientId/);
    expect(bot).toMatch(/msaAppMSIResourceId: identity\.id/);
    expect(bot).toMatch(/msaAppTenantId: tenant\(\)\.tenantId/);
    expect(bot).toMatch(/endpoint: 'https:\/\/\$\{site\.properties\.defaultHostName\}\/api\/messages'/);
    expect(resourceBody(app, "teamsChannel")).toMatch(/channelName: 'MsTeamsChannel'/);
  });

  it("when the web app is created, then it is HTTPS-only on Node 20 with a health check and instanceCount instances", () => {
    const site = resourceBody(app, "site");
    expect(site).toMatch(/httpsOnly: true/);
    expect(site).toMatch(/'NODE\|20-lts'/);
    expect(site).toMatch(/healthCheckPath: '\/healthz'/);
    expect(site).toMatch(/minTlsVersion: '1\.2'/);
    expect(site).toMatch(/ftpsState: 'Disabled'/);
    expect(site).toMatch(/keyVaultReferenceIdentity: identity\.id/);
    expect(resourceBody(app, "plan")).toMatch(/capacity: instanceCount\n/);
    expect(site).toMatch(/numberOfWorkers: instanceCount\n/);
    expect(site).toMatch(/clientAffinityEnabled: false/);
  });

  it("when app settings are written, then the bot reads each one (or it belongs to Azure) and the required ones are there", () => {
    const names = [...app.matchAll(/\{ name: '([^']+)', value: /g)].map((m) => m[1]!);
    const platform = new Set([
      "AZURE_CLIENT_ID",
      "AZURE_TOKEN_CREDENTIALS",
      "NODE_ENV",
      "APPLICATIONINSIGHTS_CONNECTION_STRING",
      "ApplicationInsightsAgent_EXTENSION_VERSION",
      "WEBSITES_ENABLE_APP_SERVICE_STORAGE",
      "WEBSITES_PORT",
      "SCM_DO_BUILD_DURING_DEPLOYMENT",
    ]);
    expect(names.filter((n) => !CONFIG_VARIABLES.includes(n) && !platform.has(n))).toEqual([]);
    expect(names).toEqual(
      expect.arrayContaining([
        "MicrosoftAppId",
        "MicrosoftAppType",
        "MicrosoftAppTenantId",
        "AZURE_CLIENT_ID",
        "AZURE_SUBSCRIPTION_IDS",
        "ALLOWED_TENANT_IDS",
        "ROLE_READERS",
        "ROLE_OPERATORS",
        "ROLE_APPROVERS",
        "CAPTURE_STORAGE_ACCOUNT_ID",
        "STATE_DIR",
        "STATE_STORE",
        "AZURE_STORAGE_TABLE_ENDPOINT",
        "AZURE_STORAGE_BLOB_ENDPOINT",
        "ALERT_WEBHOOK_SECRET",
      ]),
    );
    expect(app).not.toMatch(/MicrosoftAppPassword/);
    expect(app).toMatch(/\{ name: 'ALERT_WEBHOOK_SECRET', value: '@Microsoft\.KeyVault\(VaultName=\$\{vault\.name\};SecretName=/);
    expect(app).toMatch(/\{ name: 'STATE_DIR', value: stateDir \}/);
    expect(app).toMatch(/var stateDir = '\/home\//);
  });
});

describe("several instances (instanceCount)", () => {
  const STORAGE_TABLE_DATA_CONTRIBUTOR = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
  const STORAGE_BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
  /** Every `resource` of app.bicep: symbol, type, its `if (…)` condition and body. */
  const resources = [...app.matchAll(/^resource\s+(\w+)\s+'([^@']+)@[^']+'\s*=\s*(?:if \(([^\n]*)\)\s*)?\{/gm)].map((m) => ({
    symbol: m[1]!,
    type: m[2]!,
    condition: m[3],
    body: blockAt(app, m.index),
  }));
  const variable = (name: string) => new RegExp(`^var ${name} = '([^']+)'$`, "m").exec(app)?.[1];

  it("when main.bicep is read, then instanceCount defaults to 1, is at least 1 and goes to the app module", () => {
    const param = params(mainSymbols).find((p) => p.name === "instanceCount");
    expect(param).toMatchObject({ type: "int", value: "1" });
    expect(param!.decorators).toContain("@minValue(1)");
    const call = moduleCalls(main).find((m) => m.symbol === "app");
    expect(call?.params).toContain("instanceCount");
    expect(main).toMatch(/^ {4}instanceCount: instanceCount$/m);
  });

  it("when instanceCount > 1, then the settings hold STATE_STORE=azure and the state account's endpoints; otherwise sqlite", () => {
    expect(app).toMatch(/^var sharedState = instanceCount > 1$/m);
    const settings = /^var stateSettings = sharedState \? \[\n([\s\S]*?)\n\] : \[\n([\s\S]*?)\n\]$/m.exec(app);
    expect(settings).not.toBeNull();
    const [, several, one] = settings!;
    expect(several).toContain("{ name: 'STATE_STORE', value: 'azure' }");
    expect(several).toContain("{ name: 'AZURE_STORAGE_TABLE_ENDPOINT', value: stateStorage.properties.primaryEndpoints.table }");
    expect(several).toContain("{ name: 'AZURE_STORAGE_BLOB_ENDPOINT', value: stateStorage.properties.primaryEndpoints.blob }");
    expect(several).not.toMatch(/CONNECTION_STRING|listKeys/);
    expect(one).toContain("{ name: 'STATE_STORE', value: 'sqlite' }");
    expect(one).not.toMatch(/AZURE_STORAGE_/);
    expect(resourceBody(app, "site")).toMatch(/appSettings: concat\([^)]*\bstateSettings\b/);
    // The settings name only values the bot's config accepts.
    expect(CONFIG_VARIABLES).toEqual(expect.arrayContaining(["STATE_STORE", "AZURE_STORAGE_TABLE_ENDPOINT", "AZURE_STORAGE_BLOB_ENDPOINT"]));
  });

  it("when the state storage account is created, then only with several instances, HTTPS, TLS 1.2, no shared keys", () => {
    const state = resources.find((r) => r.symbol === "stateStorage");
    expect(state).toMatchObject({ type: "Microsoft.Storage/storageAccounts", condition: "sharedState" });
    expect(state!.body).toMatch(/supportsHttpsTrafficOnly: true/);
    expect(state!.body).toMatch(/minimumTlsVersion: 'TLS1_2'/);
    expect(state!.body).toMatch(/allowBlobPublicAccess: false/);
    expect(state!.body).toMatch(/allowSharedKeyAccess: false/);
    expect(state!.body).not.toBe(resourceBody(app, "storage"));
  });

  it("when the data roles are assigned, then on the state storage account only, to the managed identity, before the app starts", () => {
    expect(variable("storageTableDataContributorRoleId")).toBe(STORAGE_TABLE_DATA_CONTRIBUTOR);
    expect(variable("storageBlobDataContributorRoleId")).toBe(STORAGE_BLOB_DATA_CONTRIBUTOR);
    const grants = resources.filter((r) => r.type === "Microsoft.Authorization/roleAssignments" && /storage(Table|Blob)DataContributorRoleId/.test(r.body));
    expect(grants.map((g) => g.symbol).sort()).toEqual(["stateBlobGrant", "stateTableGrant"]);
    for (const grant of grants) {
      expect(grant.condition).toBe("sharedState");
      expect(grant.body).toMatch(/^ {2}scope: stateStorage$/m);
      expect(grant.body).toMatch(/principalId: identity\.properties\.principalId/);
      expect(grant.body).toMatch(/principalType: 'ServicePrincipal'/);
      expect(resourceBody(app, "site")).toMatch(new RegExp(`dependsOn: \\[[^\\]]*\\b${grant.symbol}\\b`));
    }
    // Nowhere else: not in the subscription-scope modules, not at resource group scope.
    for (const id of [STORAGE_TABLE_DATA_CONTRIBUTOR, STORAGE_BLOB_DATA_CONTRIBUTOR]) {
      expect(app.split(id).length - 1).toBe(1);
      expect(bicepFiles.filter((f) => !f.endsWith(join("modules", "app.bicep")) && read(f).includes(id)).map((f) => relative(REPO, f))).toEqual([]);
    }
  });

  it("when docs describe it, then deploy.md has the steps, scale-out.md links them, and no 'exactly one instance' is left", () => {
    const section = /^## Running several instances\n([\s\S]*?)(?=^## )/m.exec(deployDoc)?.[1];
    expect(section).toBeDefined();
    expect(section).toMatch(/^1\. /m);
    expect(section).toContain("`instanceCount`");
    expect(section).toContain("STATE_STORE=azure");
    expect(read(join(REPO, "docs", "scale-out.md"))).toContain("(deploy.md#running-several-instances)");
    for (const text of [deployDoc, app, main]) expect(text).not.toMatch(/exactly one instance/i);
  });
});

describe("no secrets in files", () => {
  const files = [...filesUnder(DEPLOYMENT).filter((f) => !f.includes(`${join("deployment", "schemas")}`) && !f.endsWith(".png")), join(REPO, "docs", "deploy.md")];

  it.each(files.map((f) => relative(REPO, f)))("when %s is read, then it holds no key, password, token or connection string", (file) => {
    const text = read(join(REPO, file));
    expect(text).not.toMatch(/AccountKey=|SharedAccessSignature=|sig=[A-Za-z0-9%]{20,}|-----BEGIN [A-Z ]*PRIVATE KEY/);
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./); // a JWT
    expect(text).not.toMatch(/InstrumentationKey=[0-9a-f-]{36}/i);
    expect(text).not.toMatch(/\b[A-Za-z0-9+/]{60,}={0,2}(?![\w/])/); // a long base64 blob (account keys are 88 characters)
  });

  it("when main.parameters.json is read, then it sets only main.bicep params and none of the secure ones", () => {
    const file = JSON.parse(read(join(DEPLOYMENT, "main.parameters.json"))) as { parameters: Record<string, unknown> };
    const known = new Map(params(mainSymbols).map((p) => [p.name, p]));
    expect(Object.keys(file.parameters).filter((k) => !known.has(k))).toEqual([]);
    expect(Object.keys(file.parameters).filter((k) => known.get(k)?.decorators.includes("@secure()"))).toEqual([]);
  });
});

describe("Dockerfile", () => {
  const dockerfile = read(join(DEPLOYMENT, "Dockerfile"));
  const instructions = dockerfile
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));

  it("when read, then it is multi-stage on Node 20 and the runtime stage gets production dependencies only", () => {
    expect(instructions.filter((l) => /^FROM /.test(l)).length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/node:20/);
    expect(instructions.some((l) => /^RUN npm ci\b(?!.*--omit=dev)/.test(l))).toBe(true);
    expect(instructions.some((l) => /npm ci --omit=dev/.test(l) && /better-sqlite3/.test(l))).toBe(true);
    expect(instructions.some((l) => /^RUN npm run build$/.test(l))).toBe(true);
    const runtime = instructions.slice(instructions.map((l) => /^FROM /.test(l)).lastIndexOf(true));
    expect(runtime.some((l) => /^COPY --from=deps \/app\/node_modules/.test(l))).toBe(true);
  });

  it("when the container runs, then it is not root, keeps STATE_DIR on a volume and checks /healthz", () => {
    const users = instructions.filter((l) => /^USER /.test(l));
    expect(users.length).toBeGreaterThan(0);
    expect(users[users.length - 1]).not.toMatch(/^USER (root|0)(:|$)/);
    const stateDir = /STATE_DIR=(\S+)/.exec(dockerfile)?.[1];
    expect(stateDir).toBeDefined();
    expect(instructions.some((l) => l.startsWith("VOLUME") && l.includes(stateDir!))).toBe(true);
    expect(instructions.some((l) => /^HEALTHCHECK .*\/healthz/.test(l))).toBe(true);
    expect(instructions[instructions.length - 1]).toBe('CMD ["node", "dist/index.js"]');
  });

  it("when the build context is filtered, then the image gets what it copies and no local state or secrets", () => {
    const ignore = read(join(DEPLOYMENT, "Dockerfile.dockerignore"));
    expect(ignore).toMatch(/^\*\*$/m);
    for (const needed of ["package.json", "package-lock.json", "src/**", "cards/**", "tsconfig.build.json"]) {
      expect(ignore).toContain(`!${needed}`);
    }
    expect(ignore).not.toMatch(/^!(\.env|data)/m);
  });
});

describe("README", () => {
  it("when read, then its Deploy section links docs/deploy.md", () => {
    const readme = read(join(REPO, "README.md"));
    const section = /^## Deploy\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1];
    expect(section).toBeDefined();
    expect(section).toContain("(docs/deploy.md)");
    expect(section).toContain("npm run package:teams");
  });

  it("when package.json is read, then package:teams builds and packages", () => {
    const scripts = (JSON.parse(read(join(REPO, "package.json"))) as { scripts: Record<string, string> }).scripts;
    expect(scripts["package:teams"]).toBe("npm run build && node scripts/package-teams.js");
  });
});
