import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crc32, inflateRawSync } from 'node:zlib';
import { validateManifest } from '../../src/tools/app-manifest';
import { PackageError, packageApp, parseArgs } from '../../src/tools/package-app';

/** `npm run package` (src/tools/package-app.ts), run on temporary env files; the zips are read back here. */

const root = path.resolve(__dirname, '../..');
const TSX_CLI = path.join(path.dirname(require.resolve('tsx/package.json')), 'dist', 'cli.mjs');

const IDS = {
  TEAMS_APP_ID: '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b',
  BOT_ID: '0a1b2c3d-4e5f-4061-8728-394a5b6c7d8e',
};

interface ZipEntry {
  name: string;
  data: Buffer;
}

/**
 * Reads a zip through its central directory: the end record gives where the directory is, each
 * directory entry where its local header is; stored and deflated entries, CRC-checked.
 */
function readZip(file: string): ZipEntry[] {
  const zip = readFileSync(file);
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(eocd >= 0, `${file} has no end of central directory record`);
  const count = zip.readUInt16LE(eocd + 10);
  let offset = zip.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    assert.equal(zip.readUInt32LE(offset), 0x02014b50, 'bad central directory entry');
    const method = zip.readUInt16LE(offset + 10);
    const crc = zip.readUInt32LE(offset + 16);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const size = zip.readUInt32LE(offset + 24);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const local = zip.readUInt32LE(offset + 42);
    const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
    assert.equal(zip.readUInt32LE(local), 0x04034b50, `bad local header for ${name}`);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(start, start + compressedSize);
    assert.ok(method === 0 || method === 8, `${name}: compression method ${method}`);
    const data = method === 8 ? inflateRawSync(raw) : Buffer.from(raw);
    assert.equal(data.length, size, `${name}: size`);
    assert.equal(crc32(data), crc, `${name}: CRC`);
    entries.push({ name, data });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

describe('npm run package (src/tools/package-app.ts)', () => {
  let tmp: string;
  let envDir: string;

  beforeEach(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'lockbox-package-'));
    envDir = path.join(tmp, 'env');
    mkdirSync(envDir);
  });

  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  /** env/.env.<env> as provision leaves it, with `overrides` on top (undefined drops a line). */
  function writeEnv(env: string, overrides: Record<string, string | undefined> = {}): void {
    const values: Record<string, string | undefined> = {
      TEAMSFX_ENV: env,
      APP_NAME_SUFFIX: env,
      ...IDS,
      BOT_DOMAIN: 'lockboxa1b2c3.azurewebsites.net',
      ...overrides,
    };
    const lines = ['# written by the test', ...Object.entries(values).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`)];
    writeFileSync(path.join(envDir, `.env.${env}`), `${lines.join('\n')}\n`);
  }

  function runCli(args: string[]): { status: number | null; stdout: string; stderr: string } {
    const result = spawnSync(process.execPath, [TSX_CLI, 'src/tools/package-app.ts', ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  it('is the package script of package.json', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    assert.equal(pkg.scripts.package, 'tsx src/tools/package-app.ts');
  });

  it('writes a zip holding manifest.json, filled in from env/.env.<env> and valid, and the two icons as they are', async () => {
    writeEnv('dev');
    const out = path.join(tmp, 'out', 'appPackage.dev.zip');
    const result = await packageApp({ env: 'dev', envDir, appPackageDir: path.join(root, 'appPackage'), out });
    assert.equal(result.zipFile, out);
    assert.match(result.schemaFile.split(path.sep).join('/'), /@microsoft\/app-manifest\/build\/json-schemas\/teams\/v1\.\d+\/MicrosoftTeams\.schema\.json$/);

    const entries = readZip(out);
    assert.deepEqual(entries.map((e) => e.name), ['manifest.json', 'color.png', 'outline.png']);
    const text = entries[0]!.data.toString('utf8');
    assert.doesNotMatch(text, /\$\{\{/);
    const manifest = JSON.parse(text) as any;
    assert.equal(manifest.id, IDS.TEAMS_APP_ID);
    assert.equal(manifest.bots[0].botId, IDS.BOT_ID);
    assert.equal(manifest.webApplicationInfo.id, IDS.BOT_ID);
    assert.equal(manifest.webApplicationInfo.resource, `api://botid-${IDS.BOT_ID}`);
    assert.deepEqual(manifest.validDomains, ['lockboxa1b2c3.azurewebsites.net']);
    assert.equal(manifest.name.short, 'Lockbox Bot dev');
    assert.deepEqual(validateManifest(manifest).errors, []);
    assert.ok(entries[1]!.data.equals(readFileSync(path.join(root, 'appPackage/color.png'))));
    assert.ok(entries[2]!.data.equals(readFileSync(path.join(root, 'appPackage/outline.png'))));
  });

  it('writes appPackage/build/appPackage.<env>.zip by default, with the values of .env.<env>.user on top', async () => {
    const appPackageDir = path.join(tmp, 'appPackage');
    for (const file of ['manifest.json', 'color.png', 'outline.png']) cpSync(path.join(root, 'appPackage', file), path.join(appPackageDir, file));
    writeEnv('prod', { BOT_ID: undefined, APP_NAME_SUFFIX: '' });
    writeFileSync(path.join(envDir, '.env.prod.user'), `BOT_ID="${IDS.BOT_ID}"\nBOT_DOMAIN=lockbox-prod.azurewebsites.net # the production host\n`);
    const result = await packageApp({ env: 'prod', envDir, appPackageDir });
    assert.equal(result.zipFile, path.join(appPackageDir, 'build', 'appPackage.prod.zip'));
    const manifest = JSON.parse(readZip(result.zipFile)[0]!.data.toString('utf8')) as any;
    assert.equal(manifest.bots[0].botId, IDS.BOT_ID);
    assert.deepEqual(manifest.validDomains, ['lockbox-prod.azurewebsites.net']);
    assert.equal(manifest.name.short, 'Lockbox Bot', 'an empty APP_NAME_SUFFIX leaves no trailing space');
    assert.ok(!existsSync(`${result.zipFile}.partial`));
  });

  it('builds the same zip from the same inputs', async () => {
    writeEnv('dev');
    const a = path.join(tmp, 'a.zip');
    const b = path.join(tmp, 'b.zip');
    await packageApp({ env: 'dev', envDir, appPackageDir: path.join(root, 'appPackage'), out: a });
    await packageApp({ env: 'dev', envDir, appPackageDir: path.join(root, 'appPackage'), out: b });
    assert.ok(readFileSync(a).equals(readFileSync(b)));
  });

  it('stops with one line naming every placeholder without a value, and writes nothing', () => {
    writeEnv('dev', { BOT_ID: '', BOT_DOMAIN: undefined });
    const out = path.join(tmp, 'appPackage.dev.zip');
    const { status, stdout, stderr } = runCli(['--env', 'dev', '--env-dir', envDir, '--out', out]);
    assert.equal(status, 2);
    assert.equal(stdout, '');
    const lines = stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, stderr);
    assert.match(lines[0]!, /^Cannot package the app for "dev": no value for BOT_ID, BOT_DOMAIN \(placeholders of .*manifest\.json\); set them in .*\.env\.dev/);
    assert.ok(!existsSync(out));
  });

  it('says where it wrote the zip when it succeeds', () => {
    writeEnv('dev');
    const out = path.join(tmp, 'cli.zip');
    const { status, stdout, stderr } = runCli([`--env=dev`, '--env-dir', envDir, '--out', out]);
    assert.equal(status, 0, stderr);
    assert.match(stdout, /^Wrote .*cli\.zip \(manifest\.json, color\.png, outline\.png\); the manifest matches .*MicrosoftTeams\.schema\.json\.\n$/);
    assert.equal(readZip(out).length, 3);
  });

  it('refuses a manifest that the values make invalid, naming each violation', async () => {
    writeEnv('dev', { BOT_ID: 'lockbox-bot', BOT_DOMAIN: 'https://lockbox.example.com' });
    const out = path.join(tmp, 'bad.zip');
    await assert.rejects(packageApp({ env: 'dev', envDir, appPackageDir: path.join(root, 'appPackage'), out }), (error: Error) => {
      assert.ok(error instanceof PackageError);
      assert.match(error.message, /does not match its schema/);
      assert.match(error.message, /\/bots\/0\/botId must match pattern/);
      assert.match(error.message, /\/webApplicationInfo\/id must match pattern/);
      assert.match(error.message, /\/validDomains\/0 must be a host name/);
      return true;
    });
    assert.ok(!existsSync(out));
  });

  it('names a missing environment file, and an icon of the wrong size', async () => {
    await assert.rejects(packageApp({ env: 'staging', envDir, appPackageDir: path.join(root, 'appPackage') }), /\.env\.staging does not exist/);
    const appPackageDir = path.join(tmp, 'appPackage');
    cpSync(path.join(root, 'appPackage', 'manifest.json'), path.join(appPackageDir, 'manifest.json'));
    cpSync(path.join(root, 'appPackage', 'outline.png'), path.join(appPackageDir, 'color.png'));
    cpSync(path.join(root, 'appPackage', 'outline.png'), path.join(appPackageDir, 'outline.png'));
    writeEnv('dev');
    await assert.rejects(packageApp({ env: 'dev', envDir, appPackageDir }), /color icon .*color\.png must be a 192x192 PNG, not 32x32/);
  });

  it('reads --env (default local), --env-dir, --app-package and --out', () => {
    assert.deepEqual(parseArgs([]), { env: 'local', envDir: 'env', appPackageDir: 'appPackage' });
    assert.deepEqual(parseArgs(['--env', 'dev', '--out=x.zip']), { env: 'dev', envDir: 'env', appPackageDir: 'appPackage', out: 'x.zip' });
    assert.throws(() => parseArgs(['--environment', 'dev']), /Unknown option --environment/);
    assert.throws(() => parseArgs(['--env']), /--env needs a value/);
  });
});
