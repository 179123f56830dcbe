/**
 * Real SDK clients pointed at a simulator with recipe B (facts §3): http endpoint,
 * allowInsecureConnection, the bearer policy swapped for one that sets a static token.
 */
import { ComputeManagementClient } from "@azure/arm-compute";
import { NetworkManagementClient } from "@azure/arm-network";
import { SecurityCenter } from "@azure/arm-security";
import type { TokenCredential } from "@azure/core-auth";
import { bearerTokenAuthenticationPolicyName, type Pipeline, type PipelinePolicy } from "@azure/core-rest-pipeline";

export const TOKEN = "sim-test-token";

const credential: TokenCredential = { getToken: async () => ({ token: "unused", expiresOnTimestamp: Date.now() + 3_600_000 }) };

/** Retries that keep tests fast: 429 waits for Retry-After (0 s in tests), 5xx waits ~1 ms. */
export const fastRetry = { maxRetries: 3, retryDelayInMs: 1, maxRetryDelayInMs: 2 };

function staticToken(token: string): PipelinePolicy {
  return {
    name: "simStaticToken",
    async sendRequest(request, next) {
      request.headers.set("authorization", `Bearer ${token}`);
      return next(request);
    },
  };
}

function swapAuth(pipeline: Pipeline, token: string): void {
  pipeline.removePolicy({ name: bearerTokenAuthenticationPolicyName });
  pipeline.addPolicy(staticToken(token));
}

export function securityClient(url: string, subscriptionId: string, token = TOKEN): SecurityCenter {
  const client = new SecurityCenter(credential, subscriptionId, { endpoint: url, allowInsecureConnection: true, retryOptions: fastRetry });
  swapAuth(client.pipeline, token);
  return client;
}

export function networkClient(url: string, subscriptionId: string, token = TOKEN): NetworkManagementClient {
  const client = new NetworkManagementClient(credential, subscriptionId, { endpoint: url, allowInsecureConnection: true, retryOptions: fastRetry });
  swapAuth(client.pipeline, token);
  return client;
}

/** arm-compute 24 is a TypeSpec client on @azure-rest/core-client: same option names, same policy name. */
export function computeClient(url: string, subscriptionId: string, token = TOKEN): ComputeManagementClient {
  const client = new ComputeManagementClient(credential, subscriptionId, { endpoint: url, allowInsecureConnection: true, retryOptions: fastRetry });
  swapAuth(client.pipeline, token);
  return client;
}

/** Collects an async iterable. */
export async function all<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}
