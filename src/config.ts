/**
 * The only reader of process.env. One schema (DESIGN §3.2); a bad value stops start-up with a message that names the
 * variable and the fix. Everything else receives a typed `Config` by constructor injection.
 */
import { z } from "zod";

/** How the bot reaches Azure. */
export type Mode = "demo" | "azure";

export interface BotIdentity {
  /** MicrosoftAppId; empty = no inbound auth (local use only). */
  appId: string;
  appPassword: string;
  /** "MultiTenant" | "SingleTenant" | "UserAssignedMSI" */
  appType: string;
  appTenantId: string;
  /** botbuilder's own authentication settings, passed through unchanged. */
  authSettings: Record<string, string>;
}

export interface Config {
  mode: Mode;
  port: number;
  /** Interface to bind; loopback in demo mode so a demo is never reachable from the network. */
  host: string;
  bot: BotIdentity;
  /** Watched subscriptions; empty in demo mode until the simulator is up. */
  subscriptionIds: string[];
  armEndpoint: string;
  /** Static bearer token for a loopback ARM endpoint (simulators, tests). */
  armToken?: string;
  stateDir: string;
  allowedTenantIds: string[];
  roles: { readers: string[]; operators: string[]; approvers: string[] };
  jit: { requireApproval: boolean; maxDuration: string };
  // --- remediation (issue 10)
  /** A second person must approve each fix made from Teams; absent means "as JIT_REQUIRE_APPROVAL says". */
  remediation?: { requireApproval: boolean };
  capture: { storageAccountId?: string; maxSeconds: number; onAlert: string[] };
  alertWebhookSecret?: string;
  digest: { defaultTime: string; defaultTimeZone: string };
  logLevel: string;
  // --- scale-out (issue 7): shared state for several instances, and very large estates
  /** Where state lives: the embedded SQLite file (one instance) or Azure Table + Blob Storage (several instances). */
  stateStore: StateStoreConfig;
  /** When posture reads go through Azure Resource Graph instead of per-subscription ARM lists. */
  resourceGraph: ResourceGraphConfig;
}

/** STATE_STORE and the storage account it needs (issue 7). */
export type StateStoreConfig =
  | { kind: "sqlite" }
  | {
      kind: "azure";
      /** Development (Azurite): an account connection string. Production: the endpoints with the managed identity. */
      connectionString?: string;
      tableEndpoint?: string;
      blobEndpoint?: string;
      /** Table and container name prefix. */
      prefix: string;
      /** Scheduler lease duration, 15..60 s. */
      leaseSeconds: number;
    };

/** RESOURCE_GRAPH* (issue 7). */
export interface ResourceGraphConfig {
  /** auto: above the thresholds; always; never. */
  mode: "auto" | "always" | "never";
  minSubscriptions: number;
  minVms: number;
}

/** Thrown when the environment is wrong; the message names the variable and how to fix it. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

const BOT_AUTH_KEYS = [
  "ToBotFromChannelOpenIdMetadataUrl",
  "ToBotFromChannelTokenIssuer",
  "ToBotFromEmulatorOpenIdMetadataUrl",
  "ToChannelFromBotLoginUrl",
  "ToChannelFromBotOAuthScope",
  "ChannelService",
  "ValidateAuthority",
  "OAuthUrl",
] as const;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_DURATION = /^P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/;
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

const list = (v: string | undefined): string[] =>
  (v ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

const boolean = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ["true", "false", "1", "0", "yes", "no"].includes(v), "must be true or false")
  .transform((v) => v === "true" || v === "1" || v === "yes");

/** Each key documented with its default; the message says how to fix a bad value. */
const schema = z.object({
  /** HTTP port. Default 3978. */
  PORT: z.coerce.number().int().min(0).max(65535).default(3978),
  /** Interface to bind. Default 127.0.0.1 in demo mode, 0.0.0.0 otherwise. */
  HOST: z.string().trim().optional(),
  MicrosoftAppId: z.string().trim().default(""),
  MicrosoftAppPassword: z.string().default(""),
  MicrosoftAppType: z.enum(["MultiTenant", "SingleTenant", "UserAssignedMSI"]).default("MultiTenant"),
  MicrosoftAppTenantId: z.string().trim().default(""),
  /** Comma-separated subscription ids; none → demo mode. */
  AZURE_SUBSCRIPTION_IDS: z
    .string()
    .optional()
    .transform(list)
    .refine((ids) => ids.every((id) => GUID.test(id)), "must be comma-separated subscription GUIDs"),
  /** Resource Manager base URL. */
  AZURE_ARM_ENDPOINT: z.string().trim().url("must be a URL such as https://management.azure.com").optional(),
  /** Static bearer token, honoured only for a loopback endpoint. */
  AZURE_ARM_TOKEN: z.string().optional(),
  STATE_DIR: z.string().trim().min(1).default("./data"),
  ALLOWED_TENANT_IDS: z.string().optional().transform(list),
  ROLE_READERS: z.string().optional(),
  ROLE_OPERATORS: z.string().optional(),
  ROLE_APPROVERS: z.string().optional(),
  JIT_REQUIRE_APPROVAL: boolean.optional(),
  JIT_MAX_DURATION: z.string().trim().regex(ISO_DURATION, "must be an ISO 8601 duration such as PT3H").default("PT3H"),
  // --- remediation (issue 10)
  /** A second person must approve each fix (`fix …`, `undo …`). Default: the value of JIT_REQUIRE_APPROVAL. */
  REMEDIATION_REQUIRE_APPROVAL: boolean.optional(),
  CAPTURE_STORAGE_ACCOUNT_ID: z
    .string()
    .trim()
    .regex(/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Storage\/storageAccounts\/[^/]+$/i,
      "must be a storage account resource id (/subscriptions/…/providers/Microsoft.Storage/storageAccounts/<name>)")
    .optional(),
  CAPTURE_MAX_SECONDS: z.coerce.number().int().min(1).max(18000).default(300),
  CAPTURE_ON_ALERT: z.string().optional().transform(list),
  ALERT_WEBHOOK_SECRET: z
    .string()
    .refine((v) => !v.startsWith("@Microsoft.KeyVault("), "is an unresolved Key Vault reference; grant the app's identity get access to the secret")
    .refine((v) => v.length >= 16, "must be at least 16 characters (it is the only thing protecting POST /api/alerts)")
    .optional(),
  DIGEST_DEFAULT_TIME: z.string().trim().regex(HHMM, "must be HH:MM (24-hour), e.g. 08:00").default("08:00"),
  DIGEST_DEFAULT_TZ: z
    .string()
    .trim()
    .refine(isTimeZone, "must be an IANA time zone such as Europe/Berlin or UTC")
    .default("UTC"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  // --- scale-out (issue 7)
  /** sqlite (default: one instance, files under STATE_DIR) or azure (Azure Table + Blob Storage, several instances). */
  STATE_STORE: z.enum(["sqlite", "azure"], "must be sqlite or azure").default("sqlite"),
  /** Development only (Azurite): a storage account connection string. It holds the account key: keep it in Key Vault. */
  AZURE_STORAGE_CONNECTION_STRING: z
    .string()
    .trim()
    .refine((v) => !v.startsWith("@Microsoft.KeyVault("), "is an unresolved Key Vault reference; grant the app's identity get access to the secret")
    .optional(),
  /** https://<account>.table.core.windows.net, reached with the managed identity. */
  AZURE_STORAGE_TABLE_ENDPOINT: z.string().trim().url("must be a URL such as https://<account>.table.core.windows.net").optional(),
  /** https://<account>.blob.core.windows.net (the scheduler lease), reached with the managed identity. */
  AZURE_STORAGE_BLOB_ENDPOINT: z.string().trim().url("must be a URL such as https://<account>.blob.core.windows.net").optional(),
  /** Prefix of the tables and the lease container. Default secopsbot. */
  AZURE_STORAGE_PREFIX: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9]{0,29}$/, "must be 1-30 lower-case letters and digits, starting with a letter")
    .default("secopsbot"),
  /** Scheduler lease duration in seconds (15..60). Default 30: another instance takes over within about 40 s. */
  SCHEDULER_LEASE_SECONDS: z.coerce.number().int().min(15).max(60).default(30),
  /** auto (default): Resource Graph above the thresholds; always; never. */
  RESOURCE_GRAPH: z.enum(["auto", "always", "never"], "must be auto, always or never").default("auto"),
  /** auto: use Resource Graph when watching at least this many subscriptions. Default 10. */
  RESOURCE_GRAPH_MIN_SUBSCRIPTIONS: z.coerce.number().int().min(1).default(10),
  /** auto: use Resource Graph once the last VM read found at least this many VMs. Default 1000. */
  RESOURCE_GRAPH_MIN_VMS: z.coerce.number().int().min(1).default(1000),
});

/** Every variable the bot reads (for docs and the test that keeps .env.example complete). */
export const CONFIG_VARIABLES: readonly string[] = [...Object.keys(schema.shape), ...BOT_AUTH_KEYS];

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === "127.0.0.1" || host === "localhost" || host === "[::1]" || host === "::1";
  } catch {
    return false;
  }
}

function roleList(value: string | undefined, local: boolean): string[] {
  if (value === undefined || value.trim() === "") return local ? ["*"] : [];
  return list(value);
}

/**
 * Loads `.env` into the environment for development, without overriding variables already set.
 * Returns whether a file was read.
 */
export function loadDotEnv(path = ".env"): boolean {
  try {
    process.loadEnvFile(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw new ConfigError(`${path}: cannot be read (${(e as Error).message}). Fix or remove the file.`);
  }
}

function isLoopbackHost(host: string): boolean {
  return host === "127.0.0.1" || host === "localhost" || host === "::1" || host === "[::1]";
}

/**
 * Settings that start but leave the bot open; the caller logs each one loudly at start-up. Empty MicrosoftAppId turns
 * off inbound JWT validation (reference §6.2): anyone who reaches the port can post activities as any user, and roles
 * come from the user ids in those activities. Demo mode binds loopback, so only a reachable interface warns.
 */
export function securityWarnings(config: Config): string[] {
  const warnings: string[] = [];
  if (config.bot.appId === "" && !isLoopbackHost(config.host)) {
    warnings.push(
      `MicrosoftAppId is empty: inbound authentication is OFF while listening on ${config.host}:${config.port}. ` +
        "Anyone who can reach this port can act as any user, with any role. Set MicrosoftAppId and ALLOWED_TENANT_IDS, " +
        "or HOST=127.0.0.1 for local use.",
    );
  }
  return warnings;
}

/** Reads and validates the environment. Throws ConfigError naming the variable on any bad value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty value (as in a copied .env.example) means "not set".
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ""));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join(".") || "environment"}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join("\n  ")}`);
  }
  const e = parsed.data;
  const external = e.AZURE_ARM_ENDPOINT !== undefined && e.AZURE_ARM_TOKEN !== undefined;
  const demo = e.AZURE_SUBSCRIPTION_IDS.length === 0 && !external;

  if (e.AZURE_ARM_TOKEN !== undefined && (e.AZURE_ARM_ENDPOINT === undefined || !isLoopbackUrl(e.AZURE_ARM_ENDPOINT))) {
    throw new ConfigError(
      "AZURE_ARM_TOKEN: a static token is honoured only with AZURE_ARM_ENDPOINT=http://127.0.0.1:<port> (a local simulator). " +
        "Remove AZURE_ARM_TOKEN to use managed identity or the @azure/identity variables.",
    );
  }
  if (e.AZURE_ARM_ENDPOINT?.startsWith("http://") && !isLoopbackUrl(e.AZURE_ARM_ENDPOINT)) {
    throw new ConfigError("AZURE_ARM_ENDPOINT: plain http is allowed only for a loopback address; use https.");
  }
  if (e.MicrosoftAppId !== "" && e.ALLOWED_TENANT_IDS.length === 0) {
    throw new ConfigError(
      "ALLOWED_TENANT_IDS: required when MicrosoftAppId is set. List the Entra tenant ids whose users may use the bot.",
    );
  }
  if (e.MicrosoftAppType === "SingleTenant" && e.MicrosoftAppId !== "" && e.MicrosoftAppTenantId === "") {
    throw new ConfigError("MicrosoftAppTenantId: required when MicrosoftAppType is SingleTenant.");
  }
  if (e.MicrosoftAppType === "UserAssignedMSI" && e.MicrosoftAppPassword !== "") {
    throw new ConfigError("MicrosoftAppPassword: must be empty when MicrosoftAppType is UserAssignedMSI.");
  }
  // Local use (demo, or a loopback ARM simulator without inbound auth) lets everyone in, as DESIGN §3.2 says for demo.
  const local = demo || (e.MicrosoftAppId === "" && e.AZURE_ARM_ENDPOINT !== undefined && isLoopbackUrl(e.AZURE_ARM_ENDPOINT));
  if (!local && e.ROLE_READERS === undefined && e.ROLE_OPERATORS === undefined && e.ROLE_APPROVERS === undefined) {
    // Nobody would be allowed to do anything; say so instead of starting a bot that refuses everyone.
    throw new ConfigError(
      "ROLE_READERS: no roles are configured. Set ROLE_READERS, ROLE_OPERATORS and ROLE_APPROVERS to Entra object ids (or *).",
    );
  }

  // --- scale-out (issue 7): the shared store needs a storage account.
  if (e.STATE_STORE === "azure") {
    const endpoints = e.AZURE_STORAGE_TABLE_ENDPOINT !== undefined && e.AZURE_STORAGE_BLOB_ENDPOINT !== undefined;
    if (e.AZURE_STORAGE_CONNECTION_STRING === undefined && !endpoints) {
      throw new ConfigError(
        "AZURE_STORAGE_TABLE_ENDPOINT: STATE_STORE=azure needs the storage account's endpoints (AZURE_STORAGE_TABLE_ENDPOINT and " +
          "AZURE_STORAGE_BLOB_ENDPOINT, reached with the managed identity) or, for development, AZURE_STORAGE_CONNECTION_STRING.",
      );
    }
    for (const [name, value] of [["AZURE_STORAGE_TABLE_ENDPOINT", e.AZURE_STORAGE_TABLE_ENDPOINT], ["AZURE_STORAGE_BLOB_ENDPOINT", e.AZURE_STORAGE_BLOB_ENDPOINT]] as const) {
      if (value !== undefined && e.AZURE_STORAGE_CONNECTION_STRING === undefined && !value.startsWith("https://")) {
        throw new ConfigError(`${name}: must be https (a managed identity cannot sign in over http); use AZURE_STORAGE_CONNECTION_STRING for a local emulator.`);
      }
    }
  }

  const authSettings: Record<string, string> = {};
  for (const key of BOT_AUTH_KEYS) {
    const v = env[key];
    if (v !== undefined && v !== "") authSettings[key] = v;
  }

  return {
    mode: demo ? "demo" : "azure",
    port: e.PORT,
    host: e.HOST ?? (demo ? "127.0.0.1" : "0.0.0.0"),
    bot: {
      appId: e.MicrosoftAppId,
      appPassword: e.MicrosoftAppPassword,
      appType: e.MicrosoftAppType,
      appTenantId: e.MicrosoftAppTenantId,
      authSettings,
    },
    subscriptionIds: e.AZURE_SUBSCRIPTION_IDS,
    armEndpoint: (e.AZURE_ARM_ENDPOINT ?? "https://management.azure.com").replace(/\/+$/, ""),
    armToken: e.AZURE_ARM_TOKEN,
    stateDir: e.STATE_DIR,
    allowedTenantIds: e.ALLOWED_TENANT_IDS,
    roles: {
      readers: roleList(e.ROLE_READERS, local),
      operators: roleList(e.ROLE_OPERATORS, local),
      approvers: roleList(e.ROLE_APPROVERS, local),
    },
    jit: { requireApproval: e.JIT_REQUIRE_APPROVAL ?? !demo, maxDuration: e.JIT_MAX_DURATION },
    // --- remediation (issue 10)
    remediation: { requireApproval: e.REMEDIATION_REQUIRE_APPROVAL ?? e.JIT_REQUIRE_APPROVAL ?? !demo },
    capture: { storageAccountId: e.CAPTURE_STORAGE_ACCOUNT_ID, maxSeconds: e.CAPTURE_MAX_SECONDS, onAlert: e.CAPTURE_ON_ALERT },
    alertWebhookSecret: e.ALERT_WEBHOOK_SECRET === "" ? undefined : e.ALERT_WEBHOOK_SECRET,
    digest: { defaultTime: e.DIGEST_DEFAULT_TIME, defaultTimeZone: e.DIGEST_DEFAULT_TZ },
    logLevel: e.LOG_LEVEL,
    // --- scale-out (issue 7)
    stateStore:
      e.STATE_STORE === "azure"
        ? {
            kind: "azure",
            connectionString: e.AZURE_STORAGE_CONNECTION_STRING,
            tableEndpoint: e.AZURE_STORAGE_TABLE_ENDPOINT,
            blobEndpoint: e.AZURE_STORAGE_BLOB_ENDPOINT,
            prefix: e.AZURE_STORAGE_PREFIX,
            leaseSeconds: e.SCHEDULER_LEASE_SECONDS,
          }
        : { kind: "sqlite" },
    resourceGraph: { mode: e.RESOURCE_GRAPH, minSubscriptions: e.RESOURCE_GRAPH_MIN_SUBSCRIPTIONS, minVms: e.RESOURCE_GRAPH_MIN_VMS },
  };
}
