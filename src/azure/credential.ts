/**
 * The one shared Azure credential. Production runs with a managed identity; DefaultAzureCredential
 * also covers workload identity, environment service principals and a developer's `az login`.
 * @azure/identity reads its own environment variables (AZURE_CLIENT_ID, AZURE_TENANT_ID,
 * AZURE_AUTHORITY_HOST, AZURE_TOKEN_CREDENTIALS …); config.ts passes only what the bot itself owns.
 */
import type { TokenCredential } from "@azure/core-auth";
import { DefaultAzureCredential } from "@azure/identity";

/** Settings for {@link createCredential}. */
export interface CredentialOptions {
  /** Client id of a user-assigned managed identity; omit for the system-assigned one. */
  managedIdentityClientId?: string;
  /** Entra tenant to authenticate in (multi-tenant developer accounts). */
  tenantId?: string;
  /**
   * Entra authority for sovereign clouds, e.g. https://login.microsoftonline.us; defaults to the
   * public cloud (or AZURE_AUTHORITY_HOST, which @azure/identity reads itself).
   */
  authorityHost?: string;
}

/** A DefaultAzureCredential (managed identity in production). Acquires no token until first used. */
export function createCredential(options: CredentialOptions = {}): TokenCredential {
  return new DefaultAzureCredential({
    ...(options.managedIdentityClientId ? { managedIdentityClientId: options.managedIdentityClientId } : {}),
    ...(options.tenantId ? { tenantId: options.tenantId } : {}),
    ...(options.authorityHost ? { authorityHost: options.authorityHost } : {}),
  });
}
