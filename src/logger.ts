/** The one place that creates the pino logger; everything else receives it (or a child) by injection. */
import pino, { type Logger } from "pino";

export type { Logger };

/** Keys that may carry secrets; pino replaces them with "[redacted]" wherever they appear. */
const REDACT = [
  "authorization",
  "*.authorization",
  "headers.authorization",
  "req.headers.authorization",
  // Header names keep their case when copied from a Headers-like object; pino's paths are case-sensitive.
  "Authorization",
  "*.Authorization",
  "*.headers.Authorization",
  '*["x-alert-key"]',
  '*.headers["x-alert-key"]',
  "password",
  "*.password",
  "token",
  "*.token",
  "secret",
  "*.secret",
  "key",
  "query.key",
  "req.query.key",
  // The config's secrets, whether a record holds the config itself or a part of it (config.bot.appPassword).
  "MicrosoftAppPassword",
  "*.MicrosoftAppPassword",
  "appPassword",
  "*.appPassword",
  "*.*.appPassword",
  "armToken",
  "*.armToken",
  "alertWebhookSecret",
  "*.alertWebhookSecret",
];

/**
 * Query parameters that carry secrets in URLs: the alert webhook's `?key=` (Azure Monitor can only put it there), SAS
 * signatures and OAuth codes. A URL logged anywhere (a path, an error message) keeps everything but their values.
 */
const SECRET_QUERY = /([?&](?:key|sig|code|token|access_token|client_secret)=)[^&#\s"']+/gi;

/**
 * Copies `value` with secret query values masked in every string, a few levels deep (log records are shallow).
 * Errors are left to the `err` serializer, which scrubs its plain-object result.
 */
export function scrubSecrets(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return value.replace(SECRET_QUERY, "$1[redacted]");
  if (depth >= 4 || value === null || typeof value !== "object" || value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((v) => scrubSecrets(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubSecrets(v, depth + 1);
  return out;
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: "secops-bot" },
      redact: { paths: REDACT, censor: "[redacted]" },
      serializers: { err: (err: Error) => scrubSecrets(pino.stdSerializers.err(err)) },
      formatters: { log: (record) => scrubSecrets(record) as Record<string, unknown> },
      hooks: {
        // The message string too: `log.warn("POST /api/alerts?key=…")` must not write the key.
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === "string" ? (scrubSecrets(a) as string) : a)) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
