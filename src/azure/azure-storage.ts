/**
 * How the shared state reaches an Azure Storage account: a TokenCredential with the account's https endpoints
 * (production: the app's managed identity, the same DefaultAzureCredential as ARM), or an account connection string
 * (development and tests: Azurite). Shared by the table store and the scheduler lease.
 */
import type { TokenCredential } from "@azure/core-auth";
import { AppError } from "../domain/errors";

/** Where the storage account is and how to sign in. Give `connectionString`, or the endpoint(s) with `credential`. */
export interface AzureStorageAccess {
  /** An account connection string (AccountName/AccountKey, or a SAS). Development only: it is a secret. */
  connectionString?: string;
  /** e.g. https://<account>.table.core.windows.net */
  tableEndpoint?: string;
  /** e.g. https://<account>.blob.core.windows.net */
  blobEndpoint?: string;
  /** Used with the endpoints (managed identity in production). */
  credential?: TokenCredential;
}

/** Names tables `<prefix>conversations`, `<prefix>audit`, `<prefix>documents` and the container `<prefix>-leases`. */
export const DEFAULT_STORAGE_PREFIX = "secopsbot";

/** Table names allow letters and digits only; container names lower case, digits and hyphens. */
const PREFIX = /^[a-z][a-z0-9]{0,29}$/;

/** Throws AppError("Config") unless `prefix` makes valid table and container names. */
export function checkStoragePrefix(prefix: string): string {
  if (!PREFIX.test(prefix)) {
    throw new AppError(
      "Config",
      `AZURE_STORAGE_PREFIX "${prefix}" is not usable: use 1-30 lower-case letters and digits, starting with a letter.`,
    );
  }
  return prefix;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

function isLoopback(url: URL): boolean {
  return LOOPBACK.has(url.hostname.toLowerCase());
}

/** The value of `name` in a connection string ("A=1;B=2"), case-insensitively. */
export function connectionStringValue(connectionString: string, name: string): string | undefined {
  for (const part of connectionString.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim().toLowerCase() === name.toLowerCase()) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * The service endpoint a client will use, validated: https, or plain http to a loopback emulator (Azurite).
 * Returns whether the client must allow an insecure connection.
 */
export function endpointFor(access: AzureStorageAccess, service: "table" | "blob"): { url: string; insecure: boolean } {
  const setting = service === "table" ? "AZURE_STORAGE_TABLE_ENDPOINT" : "AZURE_STORAGE_BLOB_ENDPOINT";
  let raw: string | undefined;
  if (access.connectionString !== undefined) {
    if (/usedevelopmentstorage=true/i.test(access.connectionString)) {
      raw = service === "table" ? "http://127.0.0.1:10002/devstoreaccount1" : "http://127.0.0.1:10000/devstoreaccount1";
    } else {
      raw = connectionStringValue(access.connectionString, service === "table" ? "TableEndpoint" : "BlobEndpoint");
      if (raw === undefined) {
        const account = connectionStringValue(access.connectionString, "AccountName");
        const protocol = connectionStringValue(access.connectionString, "DefaultEndpointsProtocol") ?? "https";
        const suffix = connectionStringValue(access.connectionString, "EndpointSuffix") ?? "core.windows.net";
        if (account === undefined) {
          throw new AppError("Config", `AZURE_STORAGE_CONNECTION_STRING names neither a ${service} endpoint nor an account.`);
        }
        raw = `${protocol}://${account}.${service}.${suffix}`;
      }
    }
  } else {
    raw = service === "table" ? access.tableEndpoint : access.blobEndpoint;
    if (raw === undefined) throw new AppError("Config", `${setting} is required (or AZURE_STORAGE_CONNECTION_STRING for development).`);
    if (access.credential === undefined) throw new AppError("Config", `${setting} needs a credential (the app's managed identity).`);
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError("Config", `${setting}: "${raw}" is not a URL.`);
  }
  if (url.protocol === "http:") {
    if (!isLoopback(url)) throw new AppError("Config", `${setting}: plain http is allowed only for a loopback emulator (Azurite); use https.`);
    if (access.connectionString === undefined) {
      // The SDKs' bearer-token policy refuses http; Azurite over http takes the account key instead.
      throw new AppError("Config", `${setting}: a managed identity needs https; use AZURE_STORAGE_CONNECTION_STRING for a local emulator.`);
    }
  } else if (url.protocol !== "https:") {
    throw new AppError("Config", `${setting}: "${raw}" must be an https URL.`);
  }
  return { url: raw.replace(/\/+$/, ""), insecure: url.protocol === "http:" };
}

/** A short, safe description of a storage SDK failure (status and service code; never headers or keys). */
export function describeStorageError(e: unknown): { status?: number; code?: string; message: string } {
  if (typeof e !== "object" || e === null) return { message: String(e) };
  const record = e as { statusCode?: unknown; code?: unknown; message?: unknown; details?: unknown };
  const status = typeof record.statusCode === "number" ? record.statusCode : undefined;
  const details = record.details as { errorCode?: unknown; odataError?: { code?: unknown } } | undefined;
  const serviceCode = details?.odataError?.code ?? details?.errorCode ?? record.code;
  const code = typeof serviceCode === "string" ? serviceCode : undefined;
  const message = typeof record.message === "string" ? record.message.split("\n")[0]!.slice(0, 200) : "storage request failed";
  return { status, code, message };
}

/** The HTTP status of a storage SDK error, if it has one. */
export function statusOf(e: unknown): number | undefined {
  return describeStorageError(e).status;
}

/**
 * Maps a storage failure to an AppError the turn-error handler can show: permissions and a wrong account are
 * configuration problems (named with the role to grant); anything else is a temporary failure.
 */
export function storageAppError(e: unknown, doing: string): AppError {
  const { status, code } = describeStorageError(e);
  if (status === 401 || status === 403) {
    return new AppError(
      "Config",
      `The bot cannot use its Azure Storage account while ${doing} (${status}${code ? ` ${code}` : ""}). Grant its identity ` +
        "'Storage Table Data Contributor' and 'Storage Blob Data Contributor' on the account, or check the connection string.",
      e,
    );
  }
  return new AppError("Internal", `The bot's shared state store could not be reached while ${doing}; try again in a moment.`, e);
}
