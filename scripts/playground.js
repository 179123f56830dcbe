#!/usr/bin/env node
"use strict";
/**
 * `npm run playground`: builds (via npm), starts the SecOps bot from dist/ in this process, then Microsoft 365 Agents
 * Playground as a child process pointed at the bot, and prints where to chat. Ctrl-C stops both.
 *
 * The bot runs in-process (loadConfig + buildApp, as dist/index.js does) rather than as a child: start() returns the
 * real URL or rejects with the real error (port in use, bad config), and Ctrl-C can await a clean stop of the bot
 * (store closed, background work drained) after the playground is gone.
 *
 * Roles (issue 9): in demo mode, unless ROLE_READERS, ROLE_OPERATORS, ROLE_APPROVERS or JIT_REQUIRE_APPROVAL is set,
 * the mock users get real roles (playgroundRoles): everyone reads, the person typing in the page (currentUser, Dana
 * Operator) is an operator, the first of `users` (Alex Approver) is the approver, and JIT requests need approval.
 * `npm start` keeps demo mode's "everyone may do everything". The page can only type as currentUser, so when stdin is
 * a terminal, lines typed into it are sent as the approver into the group chat (SecOps war room), mentioning the bot.
 *
 * Environment: everything the bot reads (PORT, default 3978; .env is read as with `npm start`), plus
 *   PLAYGROUND_PORT   port for the playground page (default 56150; it picks another if that one is taken)
 */
const path = require("node:path");
const readline = require("node:readline");
const { startPlayground, playgroundRoles, readMockUsers, PlaygroundClient, ROLE_VARIABLES, DEFAULT_CONFIG, DEFAULT_PORT } = require("./playground-lib");

const REPO_ROOT = path.resolve(__dirname, "..");

function requireDist(name) {
  try {
    return require(path.join(REPO_ROOT, "dist", name));
  } catch (err) {
    if (err && err.code === "MODULE_NOT_FOUND") {
      process.stderr.write(`dist/${name}.js is missing: run "npm run playground" (it builds first) or "npm run build".\n`);
      process.exit(1);
    }
    throw err;
  }
}

function say(text) {
  process.stdout.write(`${text}\n`);
}

async function main() {
  // Same working folder as `npm start`, so .env, ./data and .m365agentsplayground.yml are the repository's.
  process.chdir(REPO_ROOT);
  const { loadConfig, loadDotEnv, ConfigError } = requireDist("config");
  const { buildApp } = requireDist("composition");
  const { createLogger } = requireDist("logger");

  let config;
  let mockRoles = false;
  try {
    loadDotEnv();
    config = loadConfig(process.env);
    if (config.mode === "demo" && ROLE_VARIABLES.every((name) => process.env[name] === undefined)) {
      config = loadConfig({ ...process.env, ...playgroundRoles(DEFAULT_CONFIG) });
      mockRoles = true;
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`secops-bot cannot start.\n${err.message}\nSee .env.example for every setting.\n`);
      process.exit(1);
    }
    throw err;
  }
  if (config.bot.appId !== "") {
    process.stderr.write(
      "MicrosoftAppId is set, but the Agents Playground sends unauthenticated activities by default.\n" +
        "Unset MicrosoftAppId (and the other Microsoft* variables) to chat with the bot locally.\n",
    );
    process.exit(1);
  }

  const logger = createLogger(config.logLevel);
  const app = await buildApp(config, { logger });
  let bot;
  try {
    bot = await app.start();
  } catch (err) {
    await app.stop().catch(() => undefined);
    if (err && err.code === "EADDRINUSE") {
      process.stderr.write(`Port ${config.port} is already in use (another bot or "npm start"?). Stop it, or run: PORT=3979 npm run playground\n`);
      process.exit(1);
    }
    throw err;
  }

  const requested = process.env.PLAYGROUND_PORT ? Number(process.env.PLAYGROUND_PORT) : DEFAULT_PORT;
  if (!Number.isInteger(requested) || requested < 0 || requested > 65535) {
    await app.stop();
    process.stderr.write(`PLAYGROUND_PORT: must be a port number (0-65535), got "${process.env.PLAYGROUND_PORT}".\n`);
    process.exit(1);
  }

  let playground;
  try {
    playground = await startPlayground({
      botEndpoint: `${bot.url}/api/messages`,
      port: requested,
      cwd: REPO_ROOT,
      logFile: path.join(REPO_ROOT, "devTools", "m365agentsplayground.log"),
    });
  } catch (err) {
    await app.stop();
    throw err;
  }

  let stopping = false;
  const shutdown = async (reason, code) => {
    if (stopping) return;
    stopping = true;
    say(`\nStopping (${reason})…`);
    await playground.stop().catch(() => undefined);
    await app.stop().catch((err) => logger.error({ err }, "error while stopping"));
    process.exit(code);
  };
  process.on("SIGINT", () => {
    // A second Ctrl-C while stopping means "now".
    if (stopping) process.exit(130);
    void shutdown("Ctrl-C", 0);
  });
  process.on("SIGTERM", () => void shutdown("SIGTERM", 0));
  playground.onExit((why) => {
    // Ctrl-C in a terminal reaches the whole process group, so the playground may see it before we do.
    if (why === "signal SIGINT") void shutdown("Ctrl-C", 0);
    else if (!stopping) {
      process.stderr.write(`Agents Playground stopped unexpectedly (${why}); see devTools/m365agentsplayground.log.\n`);
      void shutdown("playground exited", 1);
    }
  });

  const { currentUser, users } = readMockUsers(DEFAULT_CONFIG);
  const approver = users[0];
  if (process.stdin.isTTY) {
    await typeAsApprover(playground, approver).catch((err) => logger.warn({ err }, "cannot read this terminal as the approver"));
  }

  const modeLine =
    config.mode === "demo"
      ? "Demo mode: answers come from the built-in ARM simulator with a seeded estate (no Azure needed)."
      : `Azure mode: ${config.subscriptionIds.length} subscription(s) via ${config.armEndpoint}.`;
  const portNote = requested !== 0 && playground.port !== requested ? ` (port ${requested} was taken)` : "";
  say(
    [
      "",
      "SecOps bot + Microsoft 365 Agents Playground",
      `  bot:         ${bot.url}/api/messages`,
      `  ${modeLine}`,
      `  playground:  http://localhost:${playground.port}/${portNote}`,
      "",
      `Open http://localhost:${playground.port}/ in a browser. You are "${currentUser.name}" (see .m365agentsplayground.yml).`,
      "In the Personal Chat, type first (or press the welcome card's buttons):",
      "  help        what the bot can do",
      "  score       secure score per subscription and the top controls",
      "  exposure    VMs and NSG rules open to the Internet",
      'In the war room and the team channels, mention the bot first: type "@", pick SecOps bot, then "digest now".',
      "",
      mockRoles
        ? `Roles: everyone reads; ${currentUser.name} is an operator; ${approver.name} approves (JIT_REQUIRE_APPROVAL=true).`
        : "Roles: from ROLE_* and JIT_REQUIRE_APPROVAL in your environment or .env.",
      "  Ask:      jit request vm-api-01 port 3389 for 1h from 203.0.113.7 because patching",
      process.stdin.isTTY
        ? `  Approve:  type "jit approve <request id>" HERE, in this terminal: it goes to the SecOps war room as ${approver.name}.`
        : `  Approve:  as ${approver.name}, see docs/playground.md ("Roles: the two-person JIT flow is real").`,
      ...(mockRoles ? ["  (Set any ROLE_* variable or JIT_REQUIRE_APPROVAL to choose roles yourself; npm start lets everyone do everything.)"] : []),
      "",
      "Playground log: devTools/m365agentsplayground.log. Press Ctrl-C to stop both.",
      "",
    ].join("\n"),
  );
}

/**
 * Reads this terminal line by line and sends each line as `approver` into the playground's group chat, mentioning
 * the bot, as if they had typed it there. readline without terminal mode keeps Ctrl-C a plain SIGINT for both processes.
 */
async function typeAsApprover(playground, approver) {
  const client = await PlaygroundClient.connect(playground.url, { stream: false });
  const room = client.config.groupChats[0];
  const lines = readline.createInterface({ input: process.stdin, terminal: false });
  lines.on("line", (line) => {
    const text = line.trim();
    if (text === "") return;
    client
      .sendAs(approver.id, room.id, text, { mention: true })
      .then(() => say(`  → sent as ${approver.name} to ${room.name}; the answer is there.`))
      .catch((err) => say(`  could not send as ${approver.name}: ${err.message}`));
  });
}

main().catch((err) => {
  process.stderr.write(`npm run playground failed: ${err && err.stack ? err.stack : String(err)}\n`);
  process.exit(1);
});
