import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { crc32, inflateSync } from 'node:zlib';
import { COMMAND_NAMES, parseCommand } from '../../src/teams/commands/parse';
import { fillPlaceholders, malformedPlaceholders, placeholderNames, readEnvFile, schemaFileFor, validateManifest } from '../../src/tools/app-manifest';

/**
 * Checks of the Teams app package (appPackage/): the manifest, filled in as for a real environment,
 * against the official JSON schema of its manifestVersion (shipped in @microsoft/app-manifest, the
 * package the Microsoft 365 Agents Toolkit validates with), against what the bot really understands
 * (its commands and activity types), and the icons. Azure and toolkit files: infra.test.ts;
 * `npm run package`: package-app.test.ts.
 */

const root = path.resolve(__dirname, '../..');
const readText = (file: string): string => readFileSync(path.join(root, file), 'utf8');

interface Command {
  title: string;
  description: string;
}

interface Manifest {
  $schema: string;
  manifestVersion: string;
  id: string;
  name: { short: string; full?: string };
  description: { short: string; full: string };
  accentColor: string;
  icons: { color: string; outline: string };
  bots: {
    botId: string;
    scopes: string[];
    isNotificationOnly?: boolean;
    supportsFiles?: boolean;
    commandLists?: { scopes: string[]; commands: Command[] }[];
  }[];
  validDomains?: string[];
  webApplicationInfo?: { id: string; resource?: string };
  activities?: { activityTypes?: { type: string; description: string; templateText: string }[] };
  authorization?: { permissions?: { resourceSpecific?: { name: string; type: string }[] } };
}

const manifestText = readText('appPackage/manifest.json');
const manifest = JSON.parse(manifestText) as Manifest;
const devEnv = readEnvFile(path.join(root, 'env/.env.dev'));
const localEnv = readEnvFile(path.join(root, 'env/.env.local'));

/** The activity types the bot sends (Microsoft Graph sendActivityNotification); each must be declared. */
const BOT_ACTIVITY_TYPES = ['lockboxRequest', 'lockboxEscalation'];

/**
 * Values as provision would leave them in env/.env.<env>: the file's own value when it has one, else
 * a sample of the right shape (a GUID for ids, an App Service host name for the domain).
 */
function sampleValues(env: ReadonlyMap<string, string>): Map<string, string> {
  const values = new Map<string, string>();
  placeholderNames(manifestText).forEach((name, i) => {
    const own = env.get(name);
    if (own) values.set(name, own);
    else if (/_ID$/.test(name)) values.set(name, `${String(i + 1).padStart(8, '0')}-4a2b-4c3d-8e4f-1234567890ab`);
    else if (/DOMAIN$/.test(name)) values.set(name, 'lockboxa1b2c3d4e5f6.azurewebsites.net');
    else assert.fail(`no sample value for the placeholder ${name}: give it a value in env/.env.dev or a sample here`);
  });
  return values;
}

function filledManifest(env: ReadonlyMap<string, string> = devEnv): Record<string, any> {
  const { text, missing } = fillPlaceholders(manifestText, sampleValues(env));
  assert.deepEqual(missing, []);
  return JSON.parse(text) as Record<string, any>;
}

/** The words after "/lockbox" in a command title, if it is one. */
function commandName(title: string): string | undefined {
  return /^\/lockbox ([a-z]+)$/.exec(title)?.[1];
}

/**
 * Activity types named in the bot's sources (the simulator excepted): every string literal on a line
 * that sets `activityType:`, such as `activityType: kind === 'new' ? 'lockboxRequest' : 'lockboxEscalation'`.
 */
function activityTypesInSources(dir = path.join(root, 'src')): string[] {
  const found = new Set<string>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'simulator') activityTypesInSources(file).forEach((t) => found.add(t));
    } else if (entry.name.endsWith('.ts')) {
      for (const line of readFileSync(file, 'utf8').matchAll(/\bactivityType['"]?\s*:([^\n]*)/g)) {
        // Literals compared against (kind === 'new') are conditions, not activity types.
        const values = (line[1] ?? '').replace(/[!=]==?\s*['"][^'"]*['"]/g, '');
        for (const m of values.matchAll(/['"]([A-Za-z][\w.-]*)['"]/g)) found.add(m[1] ?? '');
      }
    }
  }
  return [...found].sort();
}

// --- PNG decoding: enough for the icons (8-bit RGB or RGBA, not interlaced, any filter) ---

interface Png {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlace: number;
  /** Decoded pixels, 4 bytes (RGBA) each, row by row; only when decoding was asked for. */
  rgba?: Buffer;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function readPng(file: string, decode = false): Png {
  const data = readFileSync(path.join(root, file));
  assert.ok(data.subarray(0, 8).equals(PNG_SIGNATURE), `${file} does not start with the PNG signature`);
  let header: Png | undefined;
  const idat: Buffer[] = [];
  let offset = 8;
  let ended = false;
  while (offset < data.length && !ended) {
    const length = data.readUInt32BE(offset);
    const type = data.toString('ascii', offset + 4, offset + 8);
    const body = data.subarray(offset + 8, offset + 8 + length);
    const crc = data.readUInt32BE(offset + 8 + length);
    assert.equal(crc32(data.subarray(offset + 4, offset + 8 + length)), crc, `${file}: bad CRC on chunk ${type}`);
    if (type === 'IHDR') {
      assert.equal(offset, 8, `${file}: IHDR must be the first chunk`);
      header = { width: body.readUInt32BE(0), height: body.readUInt32BE(4), bitDepth: body[8] ?? 0, colorType: body[9] ?? 0, interlace: body[12] ?? 0 };
    } else if (type === 'IDAT') {
      idat.push(body);
    } else if (type === 'IEND') {
      ended = true;
    }
    offset += 12 + length;
  }
  assert.ok(header, `${file} has no IHDR chunk`);
  assert.ok(ended, `${file} has no IEND chunk`);
  if (decode) header.rgba = decodePixels(file, header, inflateSync(Buffer.concat(idat)));
  return header;
}

function decodePixels(file: string, png: Png, raw: Buffer): Buffer {
  assert.equal(png.bitDepth, 8, `${file}: only 8-bit images are decoded here`);
  assert.equal(png.interlace, 0, `${file}: only non-interlaced images are decoded here`);
  const channels = png.colorType === 6 ? 4 : png.colorType === 2 ? 3 : 0;
  assert.ok(channels > 0, `${file}: colour type ${png.colorType} is not RGB (2) or RGBA (6)`);
  const stride = png.width * channels;
  assert.equal(raw.length, png.height * (stride + 1), `${file}: image data has the wrong size`);
  const pixels = Buffer.alloc(png.height * stride);
  for (let y = 0; y < png.height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const value = raw[y * (stride + 1) + 1 + x] ?? 0;
      const a = x >= channels ? (pixels[y * stride + x - channels] ?? 0) : 0;
      const b = y > 0 ? (pixels[(y - 1) * stride + x] ?? 0) : 0;
      const c = x >= channels && y > 0 ? (pixels[(y - 1) * stride + x - channels] ?? 0) : 0;
      let predictor: number;
      switch (filter) {
        case 0: predictor = 0; break;
        case 1: predictor = a; break;
        case 2: predictor = b; break;
        case 3: predictor = Math.floor((a + b) / 2); break;
        case 4: {
          const p = a + b - c;
          const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
          predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default: assert.fail(`${file}: unknown filter type ${String(filter)} on row ${y}`);
      }
      pixels[y * stride + x] = (value + predictor) & 0xff;
    }
  }
  if (channels === 4) return pixels;
  const rgba = Buffer.alloc(png.width * png.height * 4, 255);
  for (let i = 0; i < png.width * png.height; i++) pixels.copy(rgba, i * 4, i * 3, i * 3 + 3);
  return rgba;
}

type Rgba = [number, number, number, number];

function pixelAt(png: Png, x: number, y: number): Rgba {
  assert.ok(png.rgba);
  const i = (y * png.width + x) * 4;
  return [png.rgba[i] ?? 0, png.rgba[i + 1] ?? 0, png.rgba[i + 2] ?? 0, png.rgba[i + 3] ?? 0];
}

function allPixels(png: Png): Rgba[] {
  const pixels: Rgba[] = [];
  for (let y = 0; y < png.height; y++) for (let x = 0; x < png.width; x++) pixels.push(pixelAt(png, x, y));
  return pixels;
}

function hexColor(hex: string): [number, number, number] {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  assert.ok(m, `${hex} is not a #RRGGBB colour`);
  return [parseInt(m[1] ?? '', 16), parseInt(m[2] ?? '', 16), parseInt(m[3] ?? '', 16)];
}

describe('Teams app package (appPackage/)', () => {
  describe('manifest.json against the official schema', () => {
    it('declares the same schema version in $schema and manifestVersion, 1.22 or newer, with its schema in @microsoft/app-manifest', () => {
      const [major, minor] = manifest.manifestVersion.split('.').map(Number);
      assert.ok(major === 1 && (minor ?? 0) >= 22, `manifestVersion ${manifest.manifestVersion}`);
      assert.equal(manifest.$schema, `https://developer.microsoft.com/json-schemas/teams/v${manifest.manifestVersion}/MicrosoftTeams.schema.json`);
      const schemaFile = schemaFileFor(manifest.manifestVersion);
      assert.match(schemaFile.split(path.sep).join('/'), new RegExp(`node_modules/@microsoft/app-manifest/build/json-schemas/teams/v${manifest.manifestVersion.replace('.', '\\.')}/MicrosoftTeams\\.schema\\.json$`));
      const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as { $schema: string; properties: { manifestVersion: { const?: string; enum?: string[] } } };
      assert.equal(schema.$schema, 'http://json-schema.org/draft-04/schema#');
      const allowed = schema.properties.manifestVersion.const ?? schema.properties.manifestVersion.enum?.[0];
      assert.equal(allowed, manifest.manifestVersion, 'the schema file is not the one of this manifestVersion');
    });

    it('is valid once its placeholders are filled as provision fills them, for env/.env.dev and env/.env.local', () => {
      for (const env of [devEnv, localEnv]) {
        const check = validateManifest(filledManifest(env));
        assert.deepEqual(check.errors, []);
        assert.match(check.schemaFile.split(path.sep).join('/'), /json-schemas\/teams\/v[\d.]+\/MicrosoftTeams\.schema\.json$/);
      }
    });

    it('reports every violation: a wrong type, a bad GUID, an unknown property, a name too long, a missing field, a URL as domain', () => {
      const bad = filledManifest();
      bad.bots[0].botId = 'not-a-guid';
      bad.bots[0].isNotificationOnly = 'no';
      bad.unknownProperty = true;
      bad.name.short = 'L'.repeat(31);
      delete bad.developer.privacyUrl;
      bad.validDomains = ['https://lockbox.example.com/api'];
      const errors = validateManifest(bad).errors.join('\n');
      assert.match(errors, /^\/bots\/0\/botId must match pattern/m);
      assert.match(errors, /^\/bots\/0\/isNotificationOnly must be boolean/m);
      assert.match(errors, /^\(root\) must NOT have additional properties "unknownProperty"/m);
      assert.match(errors, /^\/name\/short must NOT have more than 30 characters/m);
      assert.match(errors, /^\/developer must have required property 'privacyUrl'/m);
      assert.match(errors, /^\/validDomains\/0 must be a host name without scheme or path/m);
    });

    it('rejects a $schema that is not the manifestVersion\'s, and a manifestVersion with no schema', () => {
      const mismatched = filledManifest();
      mismatched.$schema = 'https://developer.microsoft.com/json-schemas/teams/v1.19/MicrosoftTeams.schema.json';
      assert.match(validateManifest(mismatched).errors.join('\n'), /\$schema must be https:\/\/developer\.microsoft\.com\/json-schemas\/teams\/v1\.\d+\/MicrosoftTeams\.schema\.json/);
      const unknown = filledManifest();
      unknown.manifestVersion = '1.18';
      assert.throws(() => validateManifest(unknown), /No schema for manifestVersion 1\.18/);
    });

    it('fails on a placeholder left unfilled, since the schema wants a GUID there', () => {
      const unfilled = JSON.parse(manifestText) as Record<string, unknown>;
      assert.match(validateManifest(unfilled).errors.join('\n'), /^\/id must match pattern/m);
    });
  });

  describe('manifest.json against the bot', () => {
    it('uses only ${{NAME}} placeholders, each a variable of env/.env.dev', () => {
      assert.deepEqual(malformedPlaceholders(manifestText), []);
      const names = placeholderNames(manifestText);
      assert.ok(names.length > 0);
      assert.deepEqual(names.filter((name) => !devEnv.has(name)), []);
    });

    it('takes the app id, bot id, name suffix and bot domain from placeholders', () => {
      assert.equal(manifest.id, '${{TEAMS_APP_ID}}');
      assert.equal(manifest.bots[0]?.botId, '${{BOT_ID}}');
      assert.equal(manifest.name.short, 'Lockbox Bot ${{APP_NAME_SUFFIX}}');
      assert.deepEqual(manifest.validDomains, ['${{BOT_DOMAIN}}']);
    });

    it('keeps the short name within 30 characters with the longest suffix in use', () => {
      for (const suffix of [devEnv.get('APP_NAME_SUFFIX') ?? '', localEnv.get('APP_NAME_SUFFIX') ?? '']) {
        const shortName = manifest.name.short.replace('${{APP_NAME_SUFFIX}}', suffix);
        assert.ok(shortName.length <= 30, `name.short "${shortName}" is longer than 30 characters`);
      }
      assert.match(manifest.description.full, /Customer Lockbox/);
    });

    it('declares one conversational bot for personal chat, teams and group chats, without files', () => {
      assert.equal(manifest.bots.length, 1);
      const bot = manifest.bots[0];
      assert.ok(bot);
      assert.deepEqual([...bot.scopes].sort(), ['groupChat', 'personal', 'team']);
      assert.equal(bot.isNotificationOnly, false);
      assert.equal(bot.supportsFiles, false);
    });

    it('offers in the personal command menu every command the parser knows, in its order', () => {
      const personal = manifest.bots[0]?.commandLists?.find((list) => list.scopes.includes('personal'));
      assert.ok(personal, 'no command list for personal scope');
      assert.deepEqual(personal.commands.map((command) => command.title), COMMAND_NAMES.map((name) => `/lockbox ${name}`));
    });

    it('lists only commands the bot parses, each "/lockbox <name>" as the parser reads it, within Teams\' limits', () => {
      const lists = manifest.bots[0]?.commandLists ?? [];
      assert.ok(lists.length > 0);
      const known: readonly string[] = COMMAND_NAMES;
      for (const list of lists) {
        assert.ok(list.scopes.every((scope) => manifest.bots[0]?.scopes.includes(scope)), `command list scopes ${list.scopes.join(', ')} are not all bot scopes`);
        assert.ok(list.commands.length > 0 && list.commands.length <= 10);
        for (const { title, description } of list.commands) {
          const name = commandName(title);
          assert.ok(name !== undefined && known.includes(name), `"${title}" is not a /lockbox command the bot knows (${known.join(', ')})`);
          const parsed = parseCommand(title);
          assert.notEqual(parsed.kind, 'unknown', `the parser does not understand "${title}"`);
          assert.ok(title.length <= 32, `title "${title}" is too long`);
          assert.ok(description.length > 0 && description.length <= 128, `description of "${title}" is empty or too long`);
        }
      }
      // In a team or group chat, only what makes sense in front of others (pending posts cards into the chat).
      const shared = lists.filter((list) => !list.scopes.includes('personal')).flatMap((list) => list.commands.map((c) => c.title));
      assert.deepEqual(shared.filter((title) => !['/lockbox help', '/lockbox status'].includes(title)), []);
    });

    it('declares the activity types the bot sends, within the schema limits', () => {
      const declared = (manifest.activities?.activityTypes ?? []).map((t) => t.type);
      const inSources = activityTypesInSources();
      assert.deepEqual(BOT_ACTIVITY_TYPES.filter((type) => !inSources.includes(type)), [], 'activity types not found where src/ sets activityType: has the notifier changed?');
      const used = [...new Set([...BOT_ACTIVITY_TYPES, ...inSources])];
      assert.deepEqual(used.filter((type) => !declared.includes(type)), [], 'activity types the bot sends but the manifest does not declare');
      for (const { type, description, templateText } of manifest.activities?.activityTypes ?? []) {
        assert.ok(description.length > 0 && description.length <= 128, `description of ${type}`);
        const parameters = [...templateText.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
        assert.deepEqual(parameters, ['source', 'timeLeft'], `templateText parameters of ${type}`);
      }
    });

    it('asks for the TeamsActivity.Send.User permission, to send activity notifications', () => {
      assert.deepEqual(manifest.authorization?.permissions?.resourceSpecific, [{ name: 'TeamsActivity.Send.User', type: 'Application' }]);
    });

    it('names the bot\'s id in webApplicationInfo', () => {
      assert.equal(manifest.webApplicationInfo?.id, '${{BOT_ID}}');
      assert.equal(manifest.webApplicationInfo?.resource, 'api://botid-${{BOT_ID}}');
    });
  });

  describe('icons', () => {
    it('has a 192x192 colour icon', () => {
      assert.equal(manifest.icons.color, 'color.png');
      const png = readPng('appPackage/color.png');
      assert.deepEqual([png.width, png.height], [192, 192]);
    });

    it('has a 32x32 outline icon', () => {
      assert.equal(manifest.icons.outline, 'outline.png');
      const png = readPng('appPackage/outline.png');
      assert.deepEqual([png.width, png.height], [32, 32]);
    });

    it('draws the colour icon on an opaque background of the accent colour, with a white symbol', () => {
      const png = readPng('appPackage/color.png', true);
      const accent = hexColor(manifest.accentColor);
      for (const [x, y] of [[0, 0], [191, 0], [0, 191], [191, 191], [96, 10], [10, 96]] as const) {
        assert.deepEqual(pixelAt(png, x, y), [...accent, 255], `pixel (${x}, ${y})`);
      }
      const pixels = allPixels(png);
      assert.ok(pixels.every((p) => p[3] === 255), 'the colour icon has transparent pixels');
      assert.ok(pixels.some(([r, g, b]) => r === 255 && g === 255 && b === 255), 'the colour icon has no white symbol');
    });

    it('draws the outline icon in white on transparency only', () => {
      const png = readPng('appPackage/outline.png', true);
      assert.equal(png.colorType, 6, 'the outline icon needs an alpha channel (RGBA)');
      const pixels = allPixels(png);
      const offenders = pixels.filter(([r, g, b, a]) => a !== 0 && !(r === 255 && g === 255 && b === 255));
      assert.equal(offenders.length, 0, `${offenders.length} pixels are neither white nor fully transparent`);
      assert.ok(pixels.some((p) => p[3] === 255), 'the outline icon draws nothing');
      assert.deepEqual(pixelAt(png, 0, 0)[3], 0, 'the outline icon\'s background is not transparent');
    });
  });
});
