/**
 * The one application error. `userMessage` is safe to show in a chat (no ids of secrets, no stack);
 * `cause` is for the log only.
 */
export type AppErrorCode =
  | "BadInput"
  | "NotFound"
  | "Forbidden"
  | "Unauthorized"
  | "Conflict"
  | "Throttled"
  | "AzureUnavailable"
  | "AzureError"
  | "Config"
  | "Internal";

export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly userMessage: string;
  override readonly cause?: unknown;

  constructor(code: AppErrorCode, userMessage: string, cause?: unknown) {
    super(userMessage);
    this.name = "AppError";
    this.code = code;
    this.userMessage = userMessage;
    this.cause = cause;
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
