/** The one place that creates the pino logger; everything else receives it (or a child) by injection. */
import pino, { type Logger } from "pino";

export type { Logger };

/** Keys that may carry secrets; pino replaces them with "[redacted]" wherever they appear. */
const REDACT = [
  "authorization",
  "*.authorization",
  "headers.authorization",
  "req.headers.authorization",
  "password",
  "*.password",
  "token",
  "*.token",
  "secret",
  "*.secret",
  "key",
  "query.key",
  "req.query.key",
  "MicrosoftAppPassword",
  "appPassword",
  "armToken",
  "alertWebhookSecret",
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { app: "secops-bot" }, redact: { paths: REDACT, censor: "[redacted]" } }, destination);
}
