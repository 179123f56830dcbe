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
 * Maps anything an Azure SDK call threw to an AppError:
 * 401/403 → Forbidden (naming the missing permission when Azure says), 404 → NotFound,
 * 429 (after the SDK's own retries) → Throttled, 5xx and network failures → AzureUnavailable,
 * anything else → AzureError with Azure's own message. AppErrors pass through unchanged.
 */
export function toAppError(error: unknown, context: ErrorContext = {}): AppError {
  if (isAppError(error)) return error;
  const code = errorCode(error);
  const azureMessage = redactSecrets(errorMessage(error)).trim();
  const statusCode = isRestError(error) ? error.statusCode : undefined;

  if (statusCode === 401 || statusCode === 403) {
    const permission = missingPermission(azureMessage);
    const detail = permission
      ? `the bot's identity is missing the permission '${permission}'`
      : `the bot's identity was refused (${code ?? `HTTP ${statusCode}`})`;
    return new AppError("Forbidden", `Access denied${where(context)}${doing(context)}: ${detail}.`, error);
  }
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
  const prefix = statusCode !== undefined ? `Azure returned HTTP ${statusCode}` : "Azure returned an error";
  return new AppError(
    "AzureError",
    `${prefix}${where(context)}${doing(context)}${code ? ` (${code})` : ""}${azureMessage ? `: ${azureMessage}` : "."}`,
    error,
  );
}
