#!/usr/bin/env node
/**
 * Builds the Teams app package: dist/appPackage.zip with manifest.json (placeholders filled in),
 * color.png and outline.png at the root of the zip, as Teams expects.
 *
 *   npm run package:teams -- --bot-id <guid> --bot-domain <host>
 *   BOT_ID=<guid> BOT_DOMAIN=<host> npm run package:teams
 *
 * Values (flag, else environment variable, else default):
 *   --bot-id          BOT_ID                 the bot's Microsoft App ID (Bicep output botAppId)        required
 *   --bot-domain      BOT_DOMAIN             the bot's host name (Bicep output botDomain)              required
 *   --app-id          TEAMS_APP_ID           the Teams app id                 derived from BOT_ID (stable per bot)
 *   --app-version     APP_VERSION            the app's version                package.json "version"
 *   --developer-name  DEVELOPER_NAME         shown in the Teams store entry   "SecOps bot"
 *   --website-url     DEVELOPER_WEBSITE_URL  https URL                        https://<BOT_DOMAIN>/
 *   --privacy-url     PRIVACY_URL            https URL                        https://<BOT_DOMAIN>/
 *   --terms-url       TERMS_URL              https URL                        https://<BOT_DOMAIN>/
 *   --out             TEAMS_PACKAGE_OUT      where to write the zip           dist/appPackage.zip
 *   --commands-from   dist | template        the command menu: generated from the built command specs
 *                                            (dist/bot/commands, so `npm run build` first) or the one in
 *                                            deployment/appPackage/manifest.json; default dist when built
 *   --write-commands  regenerate the command menu in deployment/appPackage/manifest.json from dist and exit
 *
 * Uses nothing but Node's own modules (the zip writer is below).
 */
"use strict";
const { createHash } = require("node:crypto");
const { existsSync, mkdirSync, readFileSync, writeFileSync } = require("node:fs");
const { dirname, join, resolve } = require("node:path");
const { deflateRawSync } = require("node:zlib");

const ROOT = resolve(__dirname, "..");
const APP_PACKAGE_DIR = join(ROOT, "deployment", "appPackage");
const TEMPLATE_PATH = join(APP_PACKAGE_DIR, "manifest.json");
const ICONS = ["color.png", "outline.png"];

/** Teams limits for the bot command menu (manifest schema 1.22 and the older clients). */
const MENU_LIMITS = { commandsPerList: 10, titleLength: 32, descriptionLength: 128 };
const MENU_SCOPES = ["personal", "team", "groupChat"];

/**
 * The command menu, most useful first: the first ten that exist (and are not hidden) go in. Commands
 * that need arguments still belong here: Teams puts the title in the compose box and the person
 * completes it. Approving and denying happen on the approval card, so they stay out.
 */
const MENU_PRIORITY = [
  "help",
  "score",
  "recommendations",
  "alerts",
  "exposure",
  "vm",
  "jit",
  "jit request",
  "capture start",
  "digest on",
  "containers",
  "capture status",
  "capture list",
  "digest now",
  "audit",
];
const NEVER_IN_MENU = new Set(["jit approve", "jit deny"]);

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/i;
const PLACEHOLDER = /\$\{\{([A-Z0-9_]+)\}\}/g;

class UsageError extends Error {}

// ----------------------------------------------------------------------------------- command menu

function truncate(text, max) {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("").trimEnd()}…`;
}

/** The menu entries, {title, description}, chosen from command specs ({name, summary, hidden}). */
function selectMenuCommands(specs) {
  const visible = specs.filter((s) => !s.hidden && !NEVER_IN_MENU.has(s.name));
  const byName = new Map(visible.map((s) => [s.name, s]));
  const ordered = [
    ...MENU_PRIORITY.filter((name) => byName.has(name)).map((name) => byName.get(name)),
    ...visible.filter((s) => !MENU_PRIORITY.includes(s.name)).sort((a, b) => a.name.localeCompare(b.name)),
  ];
  return ordered
    .filter((s) => [...s.name].length <= MENU_LIMITS.titleLength)
    .slice(0, MENU_LIMITS.commandsPerList)
    .map((s) => ({ title: s.name, description: truncate(s.summary, MENU_LIMITS.descriptionLength) }));
}

/** bots[0].commandLists for the given specs: one list shared by every scope the bot runs in. */
function commandListsFor(specs) {
  return [{ scopes: [...MENU_SCOPES], commands: selectMenuCommands(specs) }];
}

/** The command specs of the built bot (dist/bot/commands), or undefined when it is not built. */
function loadBuiltSpecs(root = ROOT) {
  const registry = join(root, "dist", "bot", "registry.js");
  if (!existsSync(registry)) return undefined;
  return require(registry).discoverCommands();
}

// --------------------------------------------------------------------------------------- manifest

/** A stable Teams app id for a bot id (name-based UUID, version 5 layout), so repackaging updates the same app. */
function teamsAppIdFor(botId) {
  const hash = createHash("sha1").update(`secops-bot/teams-app/${botId.toLowerCase()}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Reads the placeholder values from flags and the environment; throws UsageError naming what is wrong. */
function resolveValues(flags = {}, env = process.env, root = ROOT) {
  const pick = (flag, name) => {
    const value = flags[flag] ?? env[name];
    return value === undefined || value.trim() === "" ? undefined : value.trim();
  };
  const botId = pick("bot-id", "BOT_ID");
  if (botId === undefined || !GUID.test(botId)) {
    throw new UsageError(
      "BOT_ID: give the bot's Microsoft App ID (a GUID; the Bicep output botAppId) with --bot-id or BOT_ID.",
    );
  }
  const botDomain = pick("bot-domain", "BOT_DOMAIN");
  if (botDomain === undefined || !HOST.test(botDomain)) {
    throw new UsageError(
      "BOT_DOMAIN: give the bot's host name without https:// or a path (the Bicep output botDomain, e.g. secopsbot-abc.azurewebsites.net).",
    );
  }
  const appId = pick("app-id", "TEAMS_APP_ID") ?? teamsAppIdFor(botId);
  if (!GUID.test(appId)) throw new UsageError("TEAMS_APP_ID: must be a GUID.");
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const version = pick("app-version", "APP_VERSION") ?? pkg.version;
  if (!/^\d+\.\d+\.\d+$/.test(version ?? "")) {
    throw new UsageError(`APP_VERSION: Teams needs MAJOR.MINOR.PATCH, got "${version}".`);
  }
  const site = `https://${botDomain}/`;
  const values = {
    BOT_ID: botId,
    BOT_DOMAIN: botDomain,
    TEAMS_APP_ID: appId,
    APP_VERSION: version,
    DEVELOPER_NAME: pick("developer-name", "DEVELOPER_NAME") ?? "SecOps bot",
    DEVELOPER_WEBSITE_URL: pick("website-url", "DEVELOPER_WEBSITE_URL") ?? site,
    PRIVACY_URL: pick("privacy-url", "PRIVACY_URL") ?? site,
    TERMS_URL: pick("terms-url", "TERMS_URL") ?? site,
  };
  for (const key of ["DEVELOPER_WEBSITE_URL", "PRIVACY_URL", "TERMS_URL"]) {
    if (!/^https:\/\/[^\s"]+$/i.test(values[key])) throw new UsageError(`${key}: must be an https URL.`);
  }
  if ([...values.DEVELOPER_NAME].length > 32) throw new UsageError("DEVELOPER_NAME: at most 32 characters.");
  if (/["\\]/.test(values.DEVELOPER_NAME)) throw new UsageError("DEVELOPER_NAME: no quotes or backslashes.");
  return values;
}

/** The placeholder names `${{NAME}}` used in a template text. */
function placeholdersIn(text) {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]))].sort();
}

/** Replaces every `${{NAME}}`; throws when the template uses a name without a value. */
function fillTemplate(text, values) {
  const missing = placeholdersIn(text).filter((name) => values[name] === undefined);
  if (missing.length > 0) throw new UsageError(`manifest.json uses placeholders without a value: ${missing.join(", ")}`);
  return text.replace(PLACEHOLDER, (_m, name) => values[name]);
}

/**
 * The manifest to ship: the template with its placeholders filled in and, when specs are given,
 * the command menu generated from them.
 */
function buildManifest({ values, specs, templateText = readFileSync(TEMPLATE_PATH, "utf8") }) {
  const manifest = JSON.parse(fillTemplate(templateText, values));
  if (specs !== undefined) manifest.bots[0].commandLists = commandListsFor(specs);
  return manifest;
}

/** Rewrites the command menu of deployment/appPackage/manifest.json; returns whether it changed. */
function writeCommandsToTemplate(specs, path = TEMPLATE_PATH) {
  const before = readFileSync(path, "utf8");
  const template = JSON.parse(before);
  template.bots[0].commandLists = commandListsFor(specs);
  const after = `${JSON.stringify(template, null, 2)}\n`;
  if (after !== before) writeFileSync(path, after);
  return after !== before;
}

// -------------------------------------------------------------------------------------------- zip

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * A zip archive (PKWARE APPNOTE 6.3: local headers, central directory, end record) of `entries`
 * ({name, data}), deflated where that is smaller, with a fixed timestamp so the same input gives the
 * same bytes.
 */
function createZip(entries) {
  const DOS_TIME = 0; // 00:00:00
  const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const fileName = Buffer.from(name, "utf8");
    const deflated = deflateRawSync(data, { level: 9 });
    const useDeflate = deflated.length < data.length;
    const body = useDeflate ? deflated : data;
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(useDeflate ? 8 : 0, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fileName.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // made by: 2.0
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(useDeflate ? 8 : 0, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(fileName.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, fileName, body);
    centrals.push(central, fileName);
    offset += local.length + fileName.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

// ------------------------------------------------------------------------------------------- main

/** Builds the package and writes it to `out`; returns the manifest that went in. */
function packageApp({ values, specs, out, appPackageDir = APP_PACKAGE_DIR }) {
  const templateText = readFileSync(join(appPackageDir, "manifest.json"), "utf8");
  const manifest = buildManifest({ values, specs, templateText });
  const entries = [
    { name: "manifest.json", data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, "utf8") },
    ...ICONS.map((name) => ({ name, data: readFileSync(join(appPackageDir, name)) })),
  ];
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, createZip(entries));
  return manifest;
}

function parseFlags(argv) {
  const flags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) throw new UsageError(`Unexpected argument "${arg}".`);
    const [key, inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (key === "write-commands" || key === "help") {
      flags[key] = "true";
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${key} needs a value.`);
    flags[key] = value;
  }
  return flags;
}

function main(argv = process.argv.slice(2), env = process.env, log = (line) => process.stdout.write(`${line}\n`)) {
  const flags = parseFlags(argv);
  if (flags.help) {
    log(readFileSync(__filename, "utf8").split("*/")[0]);
    return 0;
  }
  const built = loadBuiltSpecs();
  if (flags["write-commands"]) {
    if (built === undefined) throw new UsageError("--write-commands reads the built command specs: run npm run build first.");
    const changed = writeCommandsToTemplate(built);
    log(changed ? `updated the command menu in ${TEMPLATE_PATH}` : "the command menu is already up to date");
    return 0;
  }
  const from = flags["commands-from"] ?? (built !== undefined ? "dist" : "template");
  if (from !== "dist" && from !== "template") throw new UsageError('--commands-from: "dist" or "template".');
  if (from === "dist" && built === undefined) throw new UsageError("--commands-from dist: run npm run build first.");
  if (from === "template" && flags["commands-from"] === undefined) {
    log("note: dist/ is not built; the command menu comes from deployment/appPackage/manifest.json");
  }
  const values = resolveValues(flags, env);
  const out = resolve(ROOT, flags.out ?? env.TEAMS_PACKAGE_OUT ?? join("dist", "appPackage.zip"));
  const specs = from === "dist" ? built : undefined;
  const manifest = packageApp({ values, specs, out });
  if (specs !== undefined) {
    const committed = JSON.parse(readFileSync(TEMPLATE_PATH, "utf8")).bots[0].commandLists;
    if (JSON.stringify(committed) !== JSON.stringify(manifest.bots[0].commandLists)) {
      log("note: the command menu in deployment/appPackage/manifest.json is stale; run: node scripts/package-teams.js --write-commands");
    }
  }
  log(`wrote ${out} (Teams app ${values.TEAMS_APP_ID} v${values.APP_VERSION}, bot ${values.BOT_ID})`);
  log("upload it in Teams: Apps > Manage your apps > Upload an app (or Teams admin center > Manage apps > Upload).");
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = main();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`package-teams: ${error.message}\n`);
    process.exitCode = 2;
  }
}

module.exports = {
  MENU_LIMITS,
  MENU_PRIORITY,
  MENU_SCOPES,
  UsageError,
  buildManifest,
  commandListsFor,
  createZip,
  crc32,
  fillTemplate,
  loadBuiltSpecs,
  main,
  packageApp,
  placeholdersIn,
  resolveValues,
  selectMenuCommands,
  teamsAppIdFor,
  writeCommandsToTemplate,
};
