import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { crc32, inflateSync } from 'node:zlib';

/**
 * Checks of the Teams app package (appPackage/), of the Microsoft 365 Agents Toolkit files
 * (m365agents*.yml, env/) and of the Azure template's parameters (infra/): the things the toolkit
 * only finds out about in the middle of a provision. Full manifest-schema validation is not done here.
 */

const root = path.resolve(__dirname, '../..');
const readText = (file: string): string => readFileSync(path.join(root, file), 'utf8');

/** The toolkit's placeholder: `${{NAME}}`, replaced with the environment variable NAME. */
const PLACEHOLDER = /\$\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}/g;

function placeholderNames(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ''))].sort();
}

/** Remnants of placeholders written in another form: `${NAME}`, `{{NAME}}`, `${{ NAME }}`, `$(NAME)`... */
function malformedPlaceholders(text: string): string[] {
  const rest = text.replace(PLACEHOLDER, '');
  return [...rest.matchAll(/\$\{[^}\n]*\}?\}?|\{\{[^}\n]*\}?\}?|\$\([^)\n]*\)/g)].map((m) => m[0]);
}

/** Variables of a dotenv file, with their values (`NAME=value`; comments and blank lines skipped). */
function readEnvFile(file: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of readText(file).split(/\r?\n/)) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/.exec(line);
    if (m?.[1] !== undefined) vars.set(m[1], (m[2] ?? '').trim());
  }
  return vars;
}

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
const devEnv = readEnvFile('env/.env.dev');
const localEnv = readEnvFile('env/.env.local');

const LOCKBOX_COMMANDS = ['help', 'status', 'pending', 'history', 'enable', 'disable'].map((verb) => `/lockbox ${verb}`);

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
  describe('manifest.json', () => {
    it('declares the same schema version in $schema and manifestVersion, 1.19 or newer', () => {
      const [major, minor] = manifest.manifestVersion.split('.').map(Number);
      assert.ok(major === 1 && (minor ?? 0) >= 19, `manifestVersion ${manifest.manifestVersion}`);
      assert.equal(manifest.$schema, `https://developer.microsoft.com/json-schemas/teams/v${manifest.manifestVersion}/MicrosoftTeams.schema.json`);
    });

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

    it('keeps the names and descriptions within the schema limits, with the longest suffix in use', () => {
      const suffixes = [devEnv.get('APP_NAME_SUFFIX') ?? '', localEnv.get('APP_NAME_SUFFIX') ?? ''];
      for (const suffix of suffixes) {
        const shortName = manifest.name.short.replace('${{APP_NAME_SUFFIX}}', suffix);
        assert.ok(shortName.length <= 30, `name.short "${shortName}" is longer than 30 characters`);
      }
      assert.ok((manifest.name.full ?? '').length <= 100);
      assert.ok(manifest.description.short.length > 0 && manifest.description.short.length <= 80);
      assert.ok(manifest.description.full.length > 0 && manifest.description.full.length <= 4000);
      assert.match(manifest.description.full, /Customer Lockbox/);
    });

    it('declares one conversational bot that works in personal chat, without files', () => {
      assert.equal(manifest.bots.length, 1);
      const bot = manifest.bots[0];
      assert.ok(bot);
      assert.ok(bot.scopes.includes('personal'), `scopes: ${bot.scopes.join(', ')}`);
      assert.equal(bot.isNotificationOnly, false);
      assert.equal(bot.supportsFiles, false);
    });

    it('offers the six /lockbox commands in the personal command menu', () => {
      const personal = manifest.bots[0]?.commandLists?.find((list) => list.scopes.includes('personal'));
      assert.ok(personal, 'no command list for personal scope');
      assert.deepEqual(personal.commands.map((command) => command.title), LOCKBOX_COMMANDS);
    });

    it('titles every command "/lockbox <verb>", as the bot expects it, with a short description', () => {
      const lists = manifest.bots[0]?.commandLists ?? [];
      assert.ok(lists.length > 0);
      for (const list of lists) {
        assert.ok(list.scopes.every((scope) => manifest.bots[0]?.scopes.includes(scope)), `command list scopes ${list.scopes.join(', ')} are not all bot scopes`);
        assert.ok(list.commands.length > 0 && list.commands.length <= 10);
        for (const { title, description } of list.commands) {
          assert.ok(LOCKBOX_COMMANDS.includes(title), `unexpected command title "${title}"`);
          // Teams' documented limits for the command menu: 32 characters for a title, 128 for a description.
          assert.ok(title.length <= 32, `title "${title}" is too long`);
          assert.ok(description.length > 0 && description.length <= 128, `description of "${title}" is empty or too long`);
        }
      }
    });

    it('declares the lockboxRequest and lockboxEscalation activity types, within the schema limits', () => {
      const types = manifest.activities?.activityTypes ?? [];
      assert.deepEqual(types.map((t) => t.type).sort(), ['lockboxEscalation', 'lockboxRequest']);
      for (const { type, description, templateText } of types) {
        assert.ok(type.length <= 64);
        assert.ok(description.length > 0 && description.length <= 128, `description of ${type}`);
        assert.ok(templateText.length > 0 && templateText.length <= 128, `templateText of ${type}`);
        const parameters = [...templateText.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
        assert.deepEqual(parameters, ['source', 'timeLeft'], `templateText parameters of ${type}`);
      }
    });

    it('asks for the TeamsActivity.Send.User application permission, to send activity notifications', () => {
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

describe('Microsoft 365 Agents Toolkit and Azure files', () => {
  const bicep = readText('infra/azure.bicep');
  const parametersText = readText('infra/azure.parameters.json');

  it('uses in infra/azure.parameters.json only ${{NAME}} placeholders that are variables of env/.env.dev', () => {
    assert.deepEqual(malformedPlaceholders(parametersText), []);
    assert.deepEqual(placeholderNames(parametersText).filter((name) => !devEnv.has(name)), []);
  });

  it('gives every parameter of infra/azure.bicep without a default a value in infra/azure.parameters.json', () => {
    const parameters = (JSON.parse(parametersText) as { parameters: Record<string, unknown> }).parameters;
    const required = [...bicep.matchAll(/^param\s+(\w+)\s+\w+\s*$/gm)].map((m) => m[1] ?? '');
    assert.ok(required.length > 0);
    assert.deepEqual(required.filter((name) => !(name in parameters)), []);
    const declared = new Set([...bicep.matchAll(/^param\s+(\w+)\s/gm)].map((m) => m[1]));
    assert.deepEqual(Object.keys(parameters).filter((name) => !declared.has(name)), []);
  });

  it('writes every output of infra/azure.bicep back to a variable of env/.env.dev', () => {
    const outputs = [...bicep.matchAll(/^output\s+(\w+)\s/gm)].map((m) => m[1] ?? '');
    for (const name of ['BOT_ID', 'BOT_DOMAIN', 'BOT_AZURE_APP_SERVICE_RESOURCE_ID', 'BOT_TENANT_ID', 'AZURE_TABLES_ENDPOINT']) {
      assert.ok(outputs.includes(name), `infra/azure.bicep has no output ${name}`);
    }
    assert.deepEqual(outputs.filter((name) => !devEnv.has(name)), []);
  });

  it('uses in m365agents.yml only ${{NAME}} placeholders that are variables of env/.env.dev', () => {
    const text = readText('m365agents.yml');
    assert.deepEqual(malformedPlaceholders(text), []);
    assert.deepEqual(placeholderNames(text).filter((name) => !devEnv.has(name)), []);
  });

  it('uses in m365agents.local.yml only variables that env/.env.local sets to a value', () => {
    // The toolkit stops on a placeholder whose variable is empty (APP_NAME_SUFFIX excepted).
    const text = readText('m365agents.local.yml');
    assert.deepEqual(malformedPlaceholders(text), []);
    const unset = placeholderNames(text).filter((name) => name !== 'APP_NAME_SUFFIX' && !localEnv.get(name));
    assert.deepEqual(unset, []);
  });

  it('lists every runtime setting of the bot in env/.env.local, and its secret in the .user sample', () => {
    const settings = ['PORT', 'HOST', 'DATA_DIR', 'POLL_INTERVAL_SECONDS', 'SIMULATOR', 'SIMULATOR_PORT', 'ARM_ENDPOINT', 'GRAPH_ENDPOINT',
      'EXO_ENDPOINT', 'PLAYGROUND', 'PLAYGROUND_PORT', 'BOT_ID', 'BOT_TENANT_ID', 'BOT_TYPE', 'TENANT_ID', 'LOCKBOX_SOURCES',
      'AZURE_SUBSCRIPTION_IDS', 'APPLICATIONINSIGHTS_CONNECTION_STRING', 'LOG_LEVEL'];
    assert.deepEqual(settings.filter((name) => !localEnv.has(name)), []);
    assert.equal(localEnv.get('TEAMSFX_ENV'), 'local');
    assert.equal(devEnv.get('TEAMSFX_ENV'), 'dev');
    assert.ok(readEnvFile('env/.env.local.user.sample').has('BOT_PASSWORD'));
    assert.ok(!localEnv.has('BOT_PASSWORD') && !devEnv.has('BOT_PASSWORD'), 'BOT_PASSWORD belongs in a git-ignored .user file');
  });
});
