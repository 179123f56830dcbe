/**
 * start(): config → composition → listen; signal handling. Nothing else lives here.
 */
import { ConfigError, loadConfig, loadDotEnv, securityWarnings } from "./config";
import { buildApp } from "./composition";
import { createLogger } from "./logger";

export async function start(): Promise<void> {
  let config;
  try {
    loadDotEnv();
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      // Before a logger exists: say what to fix on stderr and stop.
      process.stderr.write(`secops-bot cannot start.\n${err.message}\nSee .env.example for every setting.\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const app = await buildApp(config, { logger });
  const { url } = await app.start();

  if (config.mode === "demo") {
    logger.info(
      { url, simulator: app.simulator?.url, subscriptions: app.config.subscriptionIds },
      `Demo mode: answers come from the built-in ARM simulator with a seeded estate. ` +
        `Chat with the bot: run "npm run playground" in another terminal (or point the Agents Playground at ${url}/api/messages).`,
    );
  } else {
    logger.info({ url, mode: config.mode, subscriptions: config.subscriptionIds.length, endpoint: config.armEndpoint }, "SecOps bot is listening");
  }
  for (const warning of securityWarnings(config)) logger.warn({ security: true }, `SECURITY WARNING: ${warning}`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping");
    app.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, "error while stopping");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

if (require.main === module) {
  start().catch((err: unknown) => {
    process.stderr.write(`secops-bot failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
