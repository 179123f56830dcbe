/**
 * The one place where Azure SDK errors become AppErrors.
 *
 * Messages are meant for a chat: they name the subscription and, for access errors, the missing
 * permission, but never a token, a client id or a stack.
 */
import { isRestError } from "@azure/core-rest-pipeline";
import { AppError, isAppError } from "../domain/errors";

/** What the failing call was doing, for the message. */
export interface ErrorContext {
  subscriptionId?: string;
  /** Short description, e.g. "reading assessments" or "starting a packet capture". */
  operation?: string;
}

const SYSTEM_ERROR_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "REQUEST_SEND_ERROR",
]);

const PROGRAMMING_ERRORS = new Set(["TypeError", "RangeError", "ReferenceError", "SyntaxError"]);

/**
 * Removes anything that looks like a credential from a message before it can reach a log line or a
 * card: bearer tokens, JWTs, SAS signatures and key-like query parameters.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/Bearer\s+[A-Za-z0-9._~+/=-]+/gi, "Bearer [redacted]")
    .replace(/eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, "[redacted-jwt]")
    .replace(/([?&](?:sig|code|key|token|access_token|client_secret)=)[^&\s'"]+/gi, "$1[redacted]");
}

/** The action named in an ARM AuthorizationFailed message ("does not have authorization to perform action 'X'"). */
export function missingPermission(message: string): string | undefined {
  const match = /perform action '([^']+)'/i.exec(message) ?? /action[s]? '([^']+)'/i.exec(message);
  return match?.[1];
}

function retryAfterSeconds(error: unknown): number | undefined {
  if (!isRestError(error)) return undefined;
  const header = error.response?.headers.get("retry-after");
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return seconds;
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, Math.round((date - Date.now()) / 1000)) : undefined;
}

function where(context: ErrorContext): string {
  return context.subscriptionId ? ` in subscription ${context.subscriptionId}` : "";
}

function doing(context: ErrorContext): string {
  return context.operation ? ` while ${context.operation}` : "";
}

function errorCode(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "code" in error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" ? code : undefined;
  }
  return undefined;
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === "string" ? error : "unknown error";
}

/**
 * core-lro reports a failed long-running operation as a plain Error whose message is
 * "The long-running operation has failed. <code>. <message>" (no statusCode): read the code back out.
 */
export function lroFailure(error: unknown): { code: string; message: string } | undefined {
  if (!(error instanceof Error) || isRestError(error)) return undefined;
  const m = /^The long-running operation has failed\. ([A-Za-z0-9_.-]+)\. ([\s\S]*)$/.exec(error.message);
  return m ? { code: m[1]!, message: m[2]!.trim() } : undefined;
}

/**
 * Packet capture failures people can act on, whether Azure refused the PUT (409 session limit) or failed the
 * operation afterwards (agent missing, VM not running): each says what to do next.
 */
function captureFailure(code: string | undefined, azureMessage: string, error: unknown): AppError | undefined {
  if (code === undefined) return undefined;
  const said = azureMessage.replace(/\.?$/, ".");
  switch (code) {
    case "NetworkWatcherAgentNotInstalled":
      return new AppError(
        "BadInput",
        `${said} Install the Network Watcher agent extension (publisher Microsoft.Azure.NetworkWatcher, type NetworkWatcherAgentLinux or NetworkWatcherAgentWindows) on the VM and try again.`,
        error,
      );
    case "VirtualMachineNotRunning":
      return new AppError("BadInput", `${said} Start the VM and try again.`, error);
    case "PacketCaptureSessionLimitReached":
      return new AppError(
        "Conflict",
        `${said} Network Watcher runs a limited number of captures per region at once: stop one ("capture list" shows them) or wait for one to end.`,
        error,
      );
    case "PacketCaptureAlreadyExists":
      return new AppError("Conflict", `${said} Start it again to get a new name.`, error);
    case "TargetResourceNotInWatcherRegion":
      return new AppError("BadInput", `${said} Use the Network Watcher of the VM's own region.`, error);
    default:
      if (/storage/i.test(code)) {
        return new AppError(
          "AzureError",
          `Network Watcher could not use the storage account for the capture file (${code}: ${azureMessage}). ` +
            "Check that CAPTURE_STORAGE_ACCOUNT_ID names an existing account that the bot's identity and the VM can reach.",
          error,
        );
      }
      return undefined;
  }
}

/**
 * Maps anything an Azure SDK call threw to an AppError:
 * 401/403 → Forbidden (naming the missing permission when Azure says), 404 → NotFound,
 * 429 (after the SDK's own retries) → Throttled, 5xx and network failures → AzureUnavailable,
 * anything else → AzureError with Azure's own message. AppErrors pass through unchanged.
 */
export function toAppError(error: unknown, context: ErrorContext = {}): AppError {
  if (isAppError(error)) return error;
  const lro = lroFailure(error);
  const code = lro?.code ?? errorCode(error);
  const azureMessage = redactSecrets(lro?.message ?? errorMessage(error)).trim();
  const statusCode = isRestError(error) ? error.statusCode : undefined;

  if (statusCode === 401 || statusCode === 403) {
    const permission = missingPermission(azureMessage);
    const detail = permission
      ? `the bot's identity is missing the permission '${permission}'`
      : `the bot's identity was refused (${code ?? `HTTP ${statusCode}`})`;
    return new AppError("Forbidden", `Access denied${where(context)}${doing(context)}: ${detail}.`, error);
  }
  const capture = captureFailure(code, azureMessage, error);
  if (capture) return capture;
  if (statusCode === 404) {
    return new AppError(
      "NotFound",
      `Not found${where(context)}${doing(context)}${azureMessage ? `: ${azureMessage}` : "."}`,
      error,
    );
  }
  if (statusCode === 429) {
    const seconds = retryAfterSeconds(error);
    const later = seconds !== undefined ? ` Try again in about ${seconds} s.` : " Try again in a minute.";
    return new AppError("Throttled", `Azure is throttling requests${where(context)}${doing(context)}.${later}`, error);
  }
  if ((statusCode !== undefined && statusCode >= 500) || (code !== undefined && SYSTEM_ERROR_CODES.has(code))) {
    return new AppError(
      "AzureUnavailable",
      `Azure did not answer${where(context)}${doing(context)} (${statusCode !== undefined ? `HTTP ${statusCode}` : code}). Try again shortly.`,
      error,
    );
  }
  if (isRestError(error) && statusCode === undefined) {
    // A RestError without a status never reached Azure (DNS, TLS, socket): treat as unavailable.
    return new AppError("AzureUnavailable", `Could not reach Azure${where(context)}${doing(context)}. Try again shortly.`, error);
  }
  if (error instanceof Error && error.name === "AbortError") {
    return new AppError("AzureUnavailable", `The Azure request was cancelled${where(context)}${doing(context)}.`, error);
  }
  if (error instanceof Error && PROGRAMMING_ERRORS.has(error.name)) {
    return new AppError("Internal", `Something went wrong${doing(context)}.`, error);
  }
  const prefix = statusCode !== undefined ? `Azure returned HTTP ${statusCode}` : lro ? "An Azure operation failed" : "Azure returned an error";
  return new AppError(
    "AzureError",
    `${prefix}${where(context)}${doing(context)}${code ? ` (${code})` : ""}${azureMessage ? `: ${azureMessage}` : "."}`,
    error,
  );
}
