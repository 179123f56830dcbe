/**
 * Builds the Azure SDK clients: one SecurityCenter, one NetworkManagementClient and one
 * ComputeManagementClient per subscription, created lazily and reused.
 *
 * Two ways to authenticate:
 * - a TokenCredential (production: DefaultAzureCredential / managed identity), with the token
 *   scope derived from the endpoint so sovereign clouds ask Entra ID for the right audience;
 * - a static bearer token, honoured only for a loopback endpoint (simulator, tests). The SDK's
 *   bearer policy refuses plain http, so it is replaced by a policy that sets the header
 *   (reference facts §3, recipe B).
 */
import { ComputeManagementClient } from "@azure/arm-compute";
import { NetworkManagementClient } from "@azure/arm-network";
import { SubscriptionClient } from "@azure/arm-resources-subscriptions";
import { SecurityCenter } from "@azure/arm-security";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import {
  bearerTokenAuthenticationPolicyName,
  type Pipeline,
  type PipelinePolicy,
} from "@azure/core-rest-pipeline";
import { AppError } from "../domain/errors";

/** Retry settings handed to every client's retry policy. */
export interface RetrySettings {
  maxRetries?: number;
  retryDelayInMs?: number;
  maxRetryDelayInMs?: number;
}

/** How to reach ARM. */
export interface ClientFactoryOptions {
  /** ARM base URL. */
  endpoint: string;
  staticToken?: string;
  credential?: TokenCredential;
  retry?: RetrySettings;
  /** Called once per HTTP attempt (retries and LRO polls included). */
  onRequest?: () => void;
}

/** The three clients of one subscription. */
export interface SubscriptionClients {
  security: SecurityCenter;
  network: NetworkManagementClient;
  compute: ComputeManagementClient;
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);
const USER_AGENT_PREFIX = "secops-bot";

/** True for http(s)://127.0.0.1, localhost or [::1] (any port). */
export function isLoopbackEndpoint(endpoint: string): boolean {
  try {
    const url = new URL(endpoint);
    return (url.protocol === "http:" || url.protocol === "https:") && LOOPBACK_HOSTS.has(url.hostname.toLowerCase());
  } catch {
    return false;
  }
}

/** The endpoint without trailing slashes, validated. Throws AppError("Config") naming the setting. */
export function normaliseEndpoint(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new AppError("Config", `AZURE_ARM_ENDPOINT "${endpoint}" is not a URL; use e.g. https://management.azure.com.`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new AppError("Config", `AZURE_ARM_ENDPOINT must be an http(s) URL, not "${endpoint}".`);
  }
  if (url.protocol === "http:" && !isLoopbackEndpoint(endpoint)) {
    throw new AppError(
      "Config",
      `AZURE_ARM_ENDPOINT "${endpoint}" uses plain http; only loopback simulators may. Use https for Azure.`,
    );
  }
  return endpoint.replace(/\/+$/, "");
}

/**
 * The Entra ID scope for an ARM endpoint: `${endpoint}/.default`. That is the audience Azure public
 * and the sovereign clouds (e.g. https://management.usgovcloudapi.net, https://management.chinacloudapi.cn)
 * accept; SecurityCenter and ComputeManagementClient would otherwise default to the public cloud's.
 */
export function armScope(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, "")}/.default`;
}

function staticCredential(token: string): TokenCredential {
  // The SDK constructors insist on a credential; with a static token it is never asked, because
  // the bearer policy that would ask it is removed below.
  return {
    getToken: (): Promise<AccessToken> =>
      Promise.resolve({ token, expiresOnTimestamp: Date.now() + 3_600_000, tokenType: "Bearer" }),
  };
}

function staticTokenPolicy(token: string): PipelinePolicy {
  return {
    name: "secopsStaticTokenPolicy",
    sendRequest(request, next) {
      request.headers.set("authorization", `Bearer ${token}`);
      return next(request);
    },
  };
}

function countingPolicy(onRequest: () => void): PipelinePolicy {
  return {
    name: "secopsRequestCounterPolicy",
    sendRequest(request, next) {
      onRequest();
      return next(request);
    },
  };
}

/**
 * Creates and caches SDK clients per subscription. Validates the endpoint/token combination at
 * construction so a bad configuration fails at start-up, not on the first question.
 */
export class ClientFactory {
  private readonly endpoint: string;
  private readonly loopback: boolean;
  private readonly credential: TokenCredential;
  private readonly staticToken: string | undefined;
  private readonly clients = new Map<string, SubscriptionClients>();
  private tenantClient: SubscriptionClient | undefined;

  constructor(private readonly options: ClientFactoryOptions) {
    this.endpoint = normaliseEndpoint(options.endpoint);
    this.loopback = isLoopbackEndpoint(this.endpoint);
    if (options.staticToken !== undefined) {
      if (!this.loopback) {
        throw new AppError(
          "Config",
          "AZURE_ARM_TOKEN is honoured only for a loopback AZURE_ARM_ENDPOINT (http://127.0.0.1, localhost or [::1]); " +
            "remove it and use a managed identity for Azure.",
        );
      }
      if (options.staticToken.trim() === "") {
        throw new AppError("Config", "AZURE_ARM_TOKEN is empty; set a token or unset it.");
      }
      this.staticToken = options.staticToken;
      this.credential = staticCredential(options.staticToken);
    } else {
      if (!options.credential) {
        throw new AppError("Config", "No Azure credential: give a TokenCredential (managed identity in production).");
      }
      if (this.endpoint.startsWith("http:")) {
        throw new AppError(
          "Config",
          `AZURE_ARM_ENDPOINT "${this.endpoint}" is plain http; set AZURE_ARM_TOKEN for a loopback simulator.`,
        );
      }
      this.credential = options.credential;
    }
  }

  /** The clients of one subscription, created on first use. */
  for(subscriptionId: string): SubscriptionClients {
    const key = subscriptionId.toLowerCase();
    const existing = this.clients.get(key);
    if (existing) return existing;
    const created = this.create(subscriptionId);
    this.clients.set(key, created);
    return created;
  }

  /** The tenant-level client that lists the subscriptions the identity can read. */
  subscriptions(): SubscriptionClient {
    if (!this.tenantClient) {
      this.tenantClient = new SubscriptionClient(this.credential, {
        endpoint: this.endpoint,
        allowInsecureConnection: this.loopback,
        retryOptions: this.options.retry ?? {},
        userAgentOptions: { userAgentPrefix: USER_AGENT_PREFIX },
        credentialScopes: [armScope(this.endpoint)],
      });
      this.adjust(this.tenantClient.pipeline);
    }
    return this.tenantClient;
  }

  private create(subscriptionId: string): SubscriptionClients {
    const scope = armScope(this.endpoint);
    const retryOptions = this.options.retry ?? {};
    const common = {
      endpoint: this.endpoint,
      allowInsecureConnection: this.loopback,
      retryOptions,
      userAgentOptions: { userAgentPrefix: USER_AGENT_PREFIX },
    };
    const security = new SecurityCenter(this.credential, subscriptionId, { ...common, credentialScopes: [scope] });
    const network = new NetworkManagementClient(this.credential, subscriptionId, { ...common, credentialScopes: [scope] });
    // arm-compute 24 is a TypeSpec client on @azure-rest/core-client: scopes go in `credentials.scopes`,
    // and its pipeline (same core-rest-pipeline Pipeline, same bearer policy name) is `client.pipeline`.
    const compute = new ComputeManagementClient(this.credential, subscriptionId, {
      ...common,
      credentials: { scopes: [scope] },
    });
    for (const pipeline of [security.pipeline, network.pipeline, compute.pipeline]) {
      this.adjust(pipeline);
    }
    return { security, network, compute };
  }

  private adjust(pipeline: Pipeline): void {
    if (this.staticToken !== undefined) {
      pipeline.removePolicy({ name: bearerTokenAuthenticationPolicyName });
      pipeline.addPolicy(staticTokenPolicy(this.staticToken), { phase: "Sign" });
    }
    const onRequest = this.options.onRequest;
    if (onRequest) {
      // Sign phase runs once per attempt, inside the retry policy: every retry and poll is counted.
      pipeline.addPolicy(countingPolicy(onRequest), { phase: "Sign" });
    }
  }
}
