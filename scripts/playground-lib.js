"use strict";
/**
 * Starts Microsoft 365 Agents Playground (@microsoft/m365agentsplayground) as a child process against a bot endpoint,
 * waits until it answers GET /_debug/ping, and stops it again. Used by scripts/playground.js (npm run playground)
 * and by the e2e tests in test/e2e/playground*.test.ts. Plain CommonJS so `node scripts/playground.js` needs no build.
 *
 * Facts this relies on (checked with 0.2.28; see docs/playground.md):
 * - the CLI prints "Listening on <port>"; a taken port makes it silently pick another one, so the real port is
 *   read from that line rather than assumed;
 * - TEAMSAPPTESTER_BROWSER=none stops it from opening a desktop browser; --disable-telemetry plus
 *   APPLICATION_INSIGHTS_NO_STATSBEAT=true stop its outbound telemetry;
 * - it reads mock users/chats/team from M365_AGENTS_PLAYGROUND_CONFIG_PATH, else ./.m365agentsplayground.yml in its
 *   working folder, else a built-in default.
 */
const { spawn } = require("node:child_process");
const net = require("node:net");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const REPO_ROOT = path.resolve(__dirname, "..");
const DEFAULT_PORT = 56150;
const DEFAULT_CONFIG = path.join(REPO_ROOT, ".m365agentsplayground.yml");

/** Path of the playground's CLI entry; run with this Node binary, so no shell or .bin shim is involved. */
function playgroundCli() {
  return require.resolve("@microsoft/m365agentsplayground/cli.js", { paths: [REPO_ROOT] });
}

/** The last lines of the playground's log file: when stdout is not a terminal, its errors go there, not to stdout. */
function logTail(logFile, lines = 15) {
  try {
    const text = fs.readFileSync(logFile, "utf8").trim();
    return text === "" ? [] : text.split(/\r?\n/).slice(-lines);
  } catch {
    return [];
  }
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function ping(url, timeoutMs) {
  try {
    const res = await fetch(`${url}/_debug/ping`, { signal: AbortSignal.timeout(timeoutMs) });
    return res.ok && (await res.text()).trim() === "pong";
  } catch {
    return false;
  }
}

/** A port that was free a moment ago (listen on 0, read it, close); for tests and scripts that must not use fixed ports. */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * @param {object} options
 * @param {string} options.botEndpoint     e.g. http://127.0.0.1:3978/api/messages
 * @param {number} [options.port]          port to ask for (default 56150; the playground falls back to another if taken)
 * @param {string} [options.cwd]           working folder of the playground process (default: the repository root)
 * @param {string|null} [options.configPath]  mock Teams context (.m365agentsplayground.yml); null = the built-in default
 * @param {string} [options.logFile]       playground log file (default: a file in a fresh temp dir)
 * @param {string} [options.channelId]     default msteams
 * @param {number} [options.timeoutMs]     how long to wait for "pong" (default 20000)
 * @param {Record<string,string>} [options.env]  extra environment for the child
 * @param {(line: string) => void} [options.onOutput]  receives each line the playground prints
 * @returns {Promise<{url: string, port: number, pid: number, logFile: string, output: string[], stop(): Promise<void>}>}
 */
async function startPlayground(options) {
  const { botEndpoint, channelId = "msteams", timeoutMs = 20000, onOutput } = options;
  if (!botEndpoint) throw new Error("startPlayground: botEndpoint is required, e.g. http://127.0.0.1:3978/api/messages");
  const requestedPort = options.port ?? DEFAULT_PORT;
  const cwd = options.cwd ?? REPO_ROOT;
  const configPath = options.configPath === undefined ? DEFAULT_CONFIG : options.configPath;
  let tempDir;
  let logFile = options.logFile;
  if (!logFile) {
    tempDir = fs.mkdtempSync(path.join(os.tmpdir(), "agents-playground-"));
    logFile = path.join(tempDir, "m365agentsplayground.log");
  }
  fs.mkdirSync(path.dirname(logFile), { recursive: true });

  const env = {
    ...process.env,
    TEAMSAPPTESTER_BROWSER: "none",
    APPLICATION_INSIGHTS_NO_STATSBEAT: "true",
    M365_AGENTS_PLAYGROUND_LOGFILE: logFile,
    ...options.env,
  };
  // An explicit path, so the mock users do not depend on the child's working folder.
  if (configPath) env.M365_AGENTS_PLAYGROUND_CONFIG_PATH = configPath;
  else delete env.M365_AGENTS_PLAYGROUND_CONFIG_PATH;

  const args = [
    playgroundCli(),
    "start",
    "--app-endpoint", botEndpoint,
    "--channel-id", channelId,
    "--port", String(requestedPort),
    "--disable-telemetry",
  ];
  const child = spawn(process.execPath, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });

  const output = [];
  let listeningPort;
  let exited = false;
  let exitInfo = "";
  const exitPromise = new Promise((resolve) => {
    child.once("exit", (code, signal) => {
      exited = true;
      exitInfo = signal ? `signal ${signal}` : `exit code ${code}`;
      resolve();
    });
  });
  const onData = (chunk) => {
    for (const line of chunk.toString("utf8").split(/\r?\n/)) {
      if (line.trim() === "") continue;
      output.push(line);
      if (output.length > 500) output.shift();
      const m = /Listening on (\d+)/.exec(line);
      if (m && listeningPort === undefined) listeningPort = Number(m[1]);
      if (onOutput) onOutput(line);
    }
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);

  const stop = async () => {
    if (!exited) {
      child.kill("SIGTERM");
      let timer;
      const grace = new Promise((resolve) => {
        timer = setTimeout(() => resolve(false), 5000);
      });
      const killed = await Promise.race([exitPromise.then(() => true), grace]);
      clearTimeout(timer);
      if (!killed && !exited) {
        child.kill("SIGKILL");
        await exitPromise;
      }
    }
    if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
  };

  const failure = async (what) => {
    const details = [...output, ...logTail(logFile)];
    await stop();
    return new Error(`Agents Playground ${what}. Its output and log:\n  ${details.join("\n  ") || "(none)"}`);
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw await failure(`exited before it was ready (${exitInfo})`);
    if (listeningPort !== undefined && (await ping(`http://127.0.0.1:${listeningPort}`, 1000))) break;
    if (Date.now() > deadline) throw await failure(`did not answer GET /_debug/ping within ${timeoutMs} ms`);
    await delay(100);
  }

  const port = listeningPort;
  return {
    // It listens on all interfaces; 127.0.0.1 keeps clients on loopback.
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid,
    logFile,
    output,
    exited: () => exited,
    onExit: (fn) => {
      void exitPromise.then(() => fn(exitInfo));
    },
    stop,
  };
}

/**
 * The mock users of a playground config file, read with a few lines of parsing rather than a YAML library: the file
 * is ours (.m365agentsplayground.yml), flat, and the playground itself rejects anything outside its schema.
 * @param {string} [configPath]
 * @returns {{ currentUser: MockUser, users: MockUser[] }}  MockUser = { id, name, aadObjectId }
 */
function readMockUsers(configPath = DEFAULT_CONFIG) {
  const text = fs.readFileSync(configPath, "utf8");
  let section = "";
  const currentUser = {};
  const users = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+#.*$/, "").replace(/^#.*$/, "");
    if (line.trim() === "") continue;
    const top = /^([A-Za-z]\w*):/.exec(line);
    if (top) {
      section = top[1];
      continue;
    }
    const m = /^\s*(-\s+)?(\w+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const [, item, key, value] = m;
    const clean = value.trim().replace(/^(["'])(.*)\1$/, "$2");
    if (section === "currentUser") currentUser[key] = clean;
    else if (section === "users") {
      if (item) users.push({});
      if (users.length > 0) users[users.length - 1][key] = clean;
    }
  }
  const pick = (u) => ({ id: u.id, name: u.name, aadObjectId: u.aadObjectId });
  if (!currentUser.aadObjectId || users.length === 0 || !users[0].aadObjectId) {
    throw new Error(`${configPath}: expected currentUser and users with aadObjectId (see docs/playground.md)`);
  }
  return { currentUser: pick(currentUser), users: users.map(pick) };
}

/** The variables that decide who may do what; if any is set, `npm run playground` leaves roles alone. */
const ROLE_VARIABLES = ["ROLE_READERS", "ROLE_OPERATORS", "ROLE_APPROVERS", "JIT_REQUIRE_APPROVAL"];

/**
 * The roles `npm run playground` gives the mock users in demo mode, so that the two-person JIT flow is real:
 * everyone reads, `currentUser` (the person typing in the page) is an operator, the first of `users` is the approver,
 * and JIT requests need approval. `npm start` keeps demo mode's "everyone may do everything".
 * @param {string} [configPath]
 * @returns {{ ROLE_READERS: string, ROLE_OPERATORS: string, ROLE_APPROVERS: string, JIT_REQUIRE_APPROVAL: string }}
 */
function playgroundRoles(configPath = DEFAULT_CONFIG) {
  const { currentUser, users } = readMockUsers(configPath);
  return {
    ROLE_READERS: "*",
    ROLE_OPERATORS: currentUser.aadObjectId,
    ROLE_APPROVERS: users[0].aadObjectId,
    JIT_REQUIRE_APPROVAL: "true",
  };
}

/** Message text and mention entities, with an @mention of the bot in front when asked for. */
function mentioned(bot, text, mention) {
  if (!mention) return { text };
  const tag = `<at>${bot.name}</at>`;
  return {
    text: `${tag} ${text}`,
    mentions: [{ mentioned: { id: bot.id }, text: tag }],
    entities: [{ type: "mention", text: tag, mentioned: { id: bot.id, name: bot.name } }],
  };
}

/**
 * A client for the playground's internal HTTP API and WebSocket (0.2.x; docs/playground.md): what its chat page does,
 * for tests, `npm run screenshots` and the "type as the approver" terminal of `npm run playground`.
 */
class PlaygroundClient {
  constructor(url, config, ws) {
    this.url = url;
    this.config = config;
    /** Every event the playground pushed: {action, actionConversationId, message: {messageId, from, text, attachments}}. */
    this.events = [];
    this.ws = ws;
    if (ws) {
      ws.on("message", (data) => {
        try {
          this.events.push(JSON.parse(String(data)));
        } catch {
          /* not an event */
        }
      });
    }
  }

  /**
   * @param {string} url  the playground's base URL
   * @param {{stream?: boolean}} [options]  stream: false opens no WebSocket (replies stay buffered for the page)
   */
  static async connect(url, options = {}) {
    const res = await fetch(`${url}/_internal/v1/config`);
    if (!res.ok) throw new Error(`GET ${url}/_internal/v1/config answered ${res.status}`);
    const { config } = await res.json();
    let ws;
    if (options.stream !== false) {
      const WebSocket = require("ws");
      ws = new WebSocket(`${url.replace(/^http/, "ws")}/_ws_conversation/v1/conversations/stream`);
      await new Promise((resolve, reject) => {
        ws.once("open", resolve);
        ws.once("error", reject);
      });
    }
    return new PlaygroundClient(url, config, ws);
  }

  get bot() {
    return this.config.bot;
  }

  /** A mock user by id or (case-insensitive) name: currentUser or one of users. */
  user(idOrName) {
    const all = [this.config.currentUser, ...this.config.users];
    const found = all.find((u) => u.id === idOrName || u.name.toLowerCase() === String(idOrName).toLowerCase());
    if (!found) throw new Error(`no mock user "${idOrName}" in the playground config`);
    return found;
  }

  get personalChatId() {
    return this.config.personalChat.id;
  }

  get groupChatId() {
    return this.config.groupChats[0].id;
  }

  /** A team channel by name ("General", "Security alerts"). */
  channelId(name) {
    const channel = this.config.teams[0].channels.find((c) => c.name === name);
    if (!channel) throw new Error(`no channel "${name}"`);
    return channel.id;
  }

  async request(method, path, body) {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 500)}`);
    return text === "" ? undefined : JSON.parse(text);
  }

  /**
   * Sends a message as the page's person (currentUser; the playground ignores any other `from` on this route).
   * Outside the personal chat the bot hears only @mentions, so `mention: true` prefixes the text with one, as picking
   * the bot from the page's @ suggestions does.
   * @returns {Promise<{messageId: string, postConversationId?: string}>}
   */
  async send(conversationId, text, options = {}) {
    const { text: body, mentions } = mentioned(this.bot, text, options.mention);
    const payload = { from: { id: this.config.currentUser.id }, text: body, textFormat: "plain", ...(mentions ? { mentions } : {}) };
    return this.request("POST", `/_conversation/v1/conversations/${encodeURIComponent(conversationId)}/messages`, payload);
  }

  /**
   * Sends a message as another mock user, through the playground's "Mock an Activity" route (the page shows the
   * bot's answer in that conversation, not the message itself).
   * @param {string} idOrName  a mock user
   */
  async sendAs(idOrName, conversationId, text, options = {}) {
    const user = this.user(idOrName);
    const base = await this.request("GET", `/_internal/v1/customActivities/template?conversationId=${encodeURIComponent(conversationId)}`);
    const { text: body, entities } = mentioned(this.bot, text, options.mention);
    const activity = {
      ...base,
      type: "message",
      text: body,
      textFormat: "plain",
      from: { id: user.id, name: user.name, aadObjectId: user.aadObjectId },
      channelData: { tenant: { id: base.conversation.tenantId } },
      ...(entities ? { entities } : {}),
    };
    await this.request("POST", "/_internal/v1/customActivities", activity);
  }

  /** Clicks an Action.Execute button as a person; resolves with the invoke response ({type, value}: the new card). */
  async execute(conversationId, replyToId, action, options = {}) {
    const from = options.from ?? this.config.currentUser.id;
    return this.request("POST", "/_conversation/v1/invoke", {
      name: "adaptiveCard/action",
      from: { id: from },
      conversation: { id: conversationId },
      replyToId,
      value: { action: { type: "Action.Execute", verb: action.verb, data: action.data ?? {} }, trigger: "manual" },
    });
  }

  /** Clicks an Action.Submit button as a person (the page sends its data as the activity's value). */
  async submit(conversationId, replyToId, value, options = {}) {
    const from = options.from ?? this.config.currentUser.id;
    return this.request("POST", "/_conversation/v1/submit", { conversation: { id: conversationId }, from: { id: from }, replyToId, value });
  }

  /** Sends the install events for a conversation, as opening it in the page does. */
  async install(conversationId) {
    return this.request("POST", `/_debug/conversation/${encodeURIComponent(conversationId)}/installation`);
  }

  /** Messages the bot created in a conversation (or, with prefix, in any thread of a channel), oldest first. */
  botMessages(conversationId, prefix = false) {
    return this.events
      .filter((e) => e.action === "createMessage" && e.message && e.message.from && e.message.from.id === this.bot.id)
      .filter((e) => (prefix ? e.actionConversationId.startsWith(conversationId) : e.actionConversationId === conversationId))
      .map((e) => e.message);
  }

  /** The updates (updateActivity) of one message, oldest first. */
  updatesOf(messageId) {
    return this.events.filter((e) => e.action === "updateMessage" && e.message && e.message.messageId === messageId).map((e) => e.message);
  }

  async waitFor(probe, what, timeoutMs = 20000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = probe();
      if (found !== undefined && found !== null && found !== false) return found;
      if (Date.now() > deadline) {
        const recent = this.events.slice(-5).map((e) => `${e.action} ${e.actionConversationId} ${JSON.stringify(e.message).slice(0, 300)}`);
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last events:\n  ${recent.join("\n  ") || "(none)"}`);
      }
      await delay(50);
    }
  }

  async close() {
    const ws = this.ws;
    if (!ws || ws.readyState === 3) return;
    await new Promise((resolve) => {
      ws.once("close", resolve);
      ws.close();
    });
  }
}

module.exports = {
  startPlayground,
  freePort,
  readMockUsers,
  playgroundRoles,
  PlaygroundClient,
  ROLE_VARIABLES,
  DEFAULT_PORT,
  DEFAULT_CONFIG,
  REPO_ROOT,
};
