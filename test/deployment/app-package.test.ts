/**
 * The Teams app package: manifest.json against Microsoft's v1.22 schema (vendored, see
 * deployment/schemas/README.md) and the rules Teams adds on top, the command menu against the command
 * specs, the icons' sizes and transparency, and the zip that scripts/package-teams.js writes.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { discoverCommands } from "../../src/bot/registry";
import { decodePng, readZip } from "./support/binary-formats";
import { type Json, type Schema, validateJson } from "./support/json-schema";

interface MenuCommand {
  title: string;
  description: string;
}
interface CommandList {
  scopes: string[];
  commands: MenuCommand[];
}
interface SpecLike {
  name: string;
  summary: string;
  hidden?: boolean;
}
interface Manifest {
  $schema: string;
  manifestVersion: string;
  version: string;
  id: string;
  accentColor: string;
  icons: { color: string; outline: string };
  bots: { botId: string; scopes: string[]; commandLists: CommandList[] }[];
  validDomains: string[];
  [key: string]: unknown;
}
interface PackageTeams {
  MENU_LIMITS: { commandsPerList: number; titleLength: number; descriptionLength: number };
  MENU_PRIORITY: string[];
  UsageError: new (message: string) => Error;
  buildManifest(options: { values: Record<string, string>; specs?: SpecLike[]; templateText?: string }): Manifest;
  commandListsFor(specs: SpecLike[]): CommandList[];
  createZip(entries: { name: string; data: Buffer }[]): Buffer;
  crc32(data: Buffer): number;
  fillTemplate(text: string, values: Record<string, string>): string;
  packageApp(options: { values: Record<string, string>; specs?: SpecLike[]; out: string }): Manifest;
  placeholdersIn(text: string): string[];
  resolveValues(flags: Record<string, string>, env: Record<string, string | undefined>): Record<string, string>;
  selectMenuCommands(specs: SpecLike[]): MenuCommand[];
  teamsAppIdFor(botId: string): string;
}

const REPO = join(__dirname, "..", "..");
const APP_DIR = join(REPO, "deployment", "appPackage");
const SCRIPT = join(REPO, "scripts", "package-teams.js");
const pkg = require(SCRIPT) as PackageTeams;
const schema = JSON.parse(readFileSync(join(REPO, "deployment", "schemas", "teams", "v1.22", "MicrosoftTeams.schema.json"), "utf8")) as Schema;
const templateText = readFileSync(join(APP_DIR, "manifest.json"), "utf8");
const template = JSON.parse(templateText) as Manifest;
const specs: SpecLike[] = discoverCommands();

const BOT_ID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
const BOT_DOMAIN = "secopsbot-abc123.azurewebsites.net";
const values = pkg.resolveValues({}, { BOT_ID, BOT_DOMAIN });
const manifest = pkg.buildManifest({ values, specs });
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

describe("manifest.json", () => {
  it("when the template is filled in, then it validates against the Teams v1.22 schema", () => {
    expect(validateJson(schema, manifest as unknown as Json)).toEqual([]);
  });

  it("when the schema validator sees broken manifests, then it reports each rule (so a pass means something)", () => {
    const broken = structuredClone(manifest);
    broken.bots[0]!.commandLists[0]!.commands = Array.from({ length: 11 }, (_, i) => ({ title: `c${i}`, description: "d" }));
    broken.bots[0]!.botId = "not-a-guid";
    broken.accentColor = "blue";
    delete (broken as Partial<Manifest>).icons;
    (broken as Record<string, unknown>).unknownField = true;
    const errors = validateJson(schema, broken as unknown as Json);
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringContaining("/bots/0/commandLists/0/commands: more than 10 items"),
        expect.stringContaining("/bots/0/botId: does not match"),
        expect.stringContaining("/accentColor: does not match"),
        expect.stringContaining('"icons" is required'),
        expect.stringContaining('"unknownField" is not allowed'),
      ]),
    );
  });

  it("when read, then it declares schema and manifest version 1.22", () => {
    expect(template.manifestVersion).toBe("1.22");
    expect(template.$schema).toBe("https://developer.microsoft.com/json-schemas/teams/v1.22/MicrosoftTeams.schema.json");
    expect(schema.properties).toMatchObject({ manifestVersion: { const: "1.22" } });
  });

  it("when filled in, then the bot id, app id, version and domain come from the values and no placeholder is left", () => {
    expect(manifest.bots[0]!.botId).toBe(BOT_ID);
    expect(manifest.id).toMatch(GUID);
    expect(manifest.id).not.toBe(BOT_ID);
    expect(manifest.version).toBe((JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version);
    expect(manifest.validDomains).toEqual([BOT_DOMAIN]);
    expect(JSON.stringify(manifest)).not.toContain("${{");
  });

  it("when the template uses placeholders, then the script knows every one of them", () => {
    expect(pkg.placeholdersIn(templateText)).toEqual(Object.keys(values).sort());
    expect(() => pkg.fillTemplate('{"a":"${{NOT_KNOWN}}"}', values)).toThrow(/NOT_KNOWN/);
  });

  it("when the bot is configured, then it works in personal chats, teams and group chats and is conversational", () => {
    const bot = manifest.bots[0]!;
    expect(manifest.bots).toHaveLength(1);
    expect([...bot.scopes].sort()).toEqual(["groupChat", "personal", "team"]);
    expect(bot).toMatchObject({ isNotificationOnly: false, supportsFiles: false });
  });

  it("when the same bot is packaged twice, then the Teams app id is the same (an update, not a second app)", () => {
    expect(pkg.teamsAppIdFor(BOT_ID)).toBe(pkg.teamsAppIdFor(BOT_ID.toUpperCase()));
    expect(pkg.teamsAppIdFor(BOT_ID)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(pkg.teamsAppIdFor("00000000-0000-0000-0000-000000000001")).not.toBe(pkg.teamsAppIdFor(BOT_ID));
  });
});

describe("command menu (bots[].commandLists)", () => {
  const lists = manifest.bots[0]!.commandLists;
  const visible = new Map(specs.filter((s) => !s.hidden).map((s) => [s.name, s]));

  it("when generated, then it stays within Teams' limits: ≤ 3 lists, ≤ 10 commands, titles ≤ 32, descriptions ≤ 128", () => {
    expect(lists.length).toBeGreaterThanOrEqual(1);
    expect(lists.length).toBeLessThanOrEqual(3);
    for (const list of lists) {
      expect(list.commands.length).toBeGreaterThan(0); // the mobile client needs a non-empty menu
      expect(list.commands.length).toBeLessThanOrEqual(10);
      expect(new Set(list.commands.map((c) => c.title)).size).toBe(list.commands.length);
      for (const command of list.commands) {
        expect([...command.title].length).toBeLessThanOrEqual(32);
        expect([...command.description].length).toBeLessThanOrEqual(128);
        expect(command.description.trim()).not.toBe("");
      }
    }
    expect(new Set(lists.flatMap((l) => l.scopes)).size).toBe(lists.flatMap((l) => l.scopes).length);
  });

  it("when generated, then every entry is a visible command and its description is that command's summary", () => {
    for (const command of lists.flatMap((l) => l.commands)) {
      const spec = visible.get(command.title);
      expect(spec).toBeDefined();
      expect(spec!.summary.startsWith(command.description.replace(/…$/, ""))).toBe(true);
    }
  });

  it("when there are more than ten commands, then the most useful come first and help is always there", () => {
    const titles = pkg.selectMenuCommands(specs).map((c) => c.title);
    const expected = [
      ...pkg.MENU_PRIORITY.filter((name) => visible.has(name)),
      ...[...visible.keys()].filter((name) => !pkg.MENU_PRIORITY.includes(name) && !["jit approve", "jit deny"].includes(name)).sort(),
    ].slice(0, 10);
    expect(titles).toEqual(expected);
    expect(titles[0]).toBe("help");
    expect(titles).not.toContain("jit approve");
  });

  it("when a command is added, renamed or removed, then the committed manifest's menu follows the specs", () => {
    // Fix: npm run build && node scripts/package-teams.js --write-commands
    expect(template.bots[0]!.commandLists).toEqual(pkg.commandListsFor(specs));
  });

  it("when specs are hidden or titles too long, then they stay out of the menu", () => {
    const made: SpecLike[] = [
      { name: "help", summary: "Help" },
      { name: "secret", summary: "Hidden", hidden: true },
      { name: "a-command-name-that-is-far-too-long-for-teams", summary: "Long" },
      { name: "zeta", summary: "z".repeat(300) },
    ];
    const menu = pkg.selectMenuCommands(made);
    expect(menu.map((c) => c.title)).toEqual(["help", "zeta"]);
    expect([...menu[1]!.description].length).toBe(128);
  });
});

describe("icons", () => {
  it("when color.png is read, then it is a 192×192 opaque RGBA PNG (full-bleed colour icon)", () => {
    const png = decodePng(readFileSync(join(APP_DIR, manifest.icons.color)));
    expect({ width: png.width, height: png.height, bitDepth: png.bitDepth, interlace: png.interlace }).toEqual({
      width: 192,
      height: 192,
      bitDepth: 8,
      interlace: 0,
    });
    expect([2, 6]).toContain(png.colorType);
    let transparent = 0;
    for (let i = 3; i < png.rgba.length; i += 4) if (png.rgba[i] !== 255) transparent++;
    expect(transparent).toBe(0);
    // The corner shows the accent colour given in the manifest.
    const corner = [...png.rgba.subarray(0, 3)].map((v) => v.toString(16).padStart(2, "0")).join("");
    expect(`#${corner}`.toLowerCase()).toBe(manifest.accentColor.toLowerCase());
  });

  it("when outline.png is read, then it is 32×32, white on a transparent background", () => {
    const png = decodePng(readFileSync(join(APP_DIR, manifest.icons.outline)));
    expect({ width: png.width, height: png.height, colorType: png.colorType }).toEqual({ width: 32, height: 32, colorType: 6 });
    const alpha = (x: number, y: number) => png.rgba[(y * 32 + x) * 4 + 3]!;
    expect([alpha(0, 0), alpha(31, 0), alpha(0, 31), alpha(31, 31)]).toEqual([0, 0, 0, 0]);
    let drawn = 0;
    let clear = 0;
    for (let i = 0; i < 32 * 32; i++) {
      const [r, g, b, a] = png.rgba.subarray(i * 4, i * 4 + 4);
      if (a === 0) clear++;
      if (a! > 0) {
        drawn++;
        expect([r, g, b]).toEqual([255, 255, 255]);
      }
    }
    expect(drawn).toBeGreaterThan(50);
    expect(clear).toBeGreaterThan(32 * 32 / 3);
  });
});

describe("scripts/package-teams.js", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "teams-package-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("when it packages the app, then the zip holds the filled-in manifest and both icons at its root", () => {
    const out = join(dir, "appPackage.zip");
    const written = pkg.packageApp({ values, specs, out });
    const entries = readZip(readFileSync(out));
    expect(entries.map((e) => e.name).sort()).toEqual(["color.png", "manifest.json", "outline.png"]);
    for (const entry of entries) expect(entry.crc).toBe(pkg.crc32(entry.data));
    const zipped = JSON.parse(entries.find((e) => e.name === "manifest.json")!.data.toString("utf8")) as Manifest;
    expect(zipped).toEqual(written);
    expect(zipped.bots[0]!.botId).toBe(BOT_ID);
    expect(validateJson(schema, zipped as unknown as Json)).toEqual([]);
    for (const icon of ["color.png", "outline.png"]) {
      expect(entries.find((e) => e.name === icon)!.data.equals(readFileSync(join(APP_DIR, icon)))).toBe(true);
    }
  });

  it("when the same input is zipped twice, then the bytes are the same", () => {
    const entries = [
      { name: "a.txt", data: Buffer.from("hello hello hello hello") },
      { name: "b.bin", data: Buffer.from([1, 2, 3]) },
    ];
    const zip = pkg.createZip(entries);
    expect(zip.equals(pkg.createZip(entries))).toBe(true);
    expect(readZip(zip).map((e) => [e.name, e.data.toString("hex")])).toEqual(entries.map((e) => [e.name, e.data.toString("hex")]));
  });

  it("when run from the command line with a bot id and domain, then it writes the package", () => {
    const out = join(dir, "cli.zip");
    const result = spawnSync(
      process.execPath,
      [SCRIPT, "--bot-id", BOT_ID, "--bot-domain", BOT_DOMAIN, "--out", out, "--commands-from", "template"],
      { encoding: "utf8", env: { PATH: process.env.PATH ?? "" } },
    );
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const zipped = JSON.parse(readZip(readFileSync(out)).find((e) => e.name === "manifest.json")!.data.toString("utf8")) as Manifest;
    expect(zipped.bots[0]!.botId).toBe(BOT_ID);
    expect(zipped.bots[0]!.commandLists).toEqual(template.bots[0]!.commandLists);
  });

  it.each([
    [{ BOT_DOMAIN }, /BOT_ID/],
    [{ BOT_ID: "bot", BOT_DOMAIN }, /BOT_ID/],
    [{ BOT_ID }, /BOT_DOMAIN/],
    [{ BOT_ID, BOT_DOMAIN: "https://x.azurewebsites.net/api" }, /BOT_DOMAIN/],
    [{ BOT_ID, BOT_DOMAIN, PRIVACY_URL: "http://example.com" }, /PRIVACY_URL/],
    [{ BOT_ID, BOT_DOMAIN, APP_VERSION: "1.0" }, /APP_VERSION/],
  ])("when given %j, then it refuses and names the setting", (env, message) => {
    expect(() => pkg.resolveValues({}, env)).toThrow(message);
  });

  it("when the command line lacks the bot id, then it exits 2 naming BOT_ID", () => {
    const result = spawnSync(process.execPath, [SCRIPT, "--bot-domain", BOT_DOMAIN, "--out", join(dir, "x.zip"), "--commands-from", "template"], {
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "" },
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/BOT_ID/);
  });
});
