/**
 * `npm run package [-- --env dev]`: builds the Teams app package an administrator uploads,
 * appPackage/build/appPackage.<env>.zip, holding manifest.json and the two icons.
 *
 * The manifest's `${{NAME}}` placeholders are filled from env/.env.<env>, then env/.env.<env>.user
 * if it exists (its values win), as the Microsoft 365 Agents Toolkit fills them. A placeholder
 * without a value (only APP_NAME_SUFFIX may be empty) stops the build with one line naming it; the
 * filled manifest must pass the official schema of its manifestVersion, and the icons must be
 * 192x192 and 32x32 PNGs.
 *
 * Options: --env NAME (default local), --env-dir DIR (default env), --app-package DIR (default
 * appPackage), --out FILE (default <app-package>/build/appPackage.<env>.zip).
 */
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import { fillPlaceholders, pngSize, readEnvFile, validateManifest } from './app-manifest';

export interface PackageOptions {
  env: string;
  envDir: string;
  appPackageDir: string;
  out?: string;
}

export interface PackageResult {
  zipFile: string;
  schemaFile: string;
  entries: string[];
}

/** A failure the person running the command can fix; its message is the whole story. */
export class PackageError extends Error {}

const ICON_SIZES = { color: 192, outline: 32 } as const;
/** A fixed timestamp for every entry, so the same inputs give the same zip. */
const ENTRY_TIME = new Date(2020, 0, 1, 0, 0, 0);

function relative(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}

/** The environment's variables: .env.<env>, then .env.<env>.user on top. */
export function loadEnvironment(envDir: string, env: string): { vars: Map<string, string>; files: string[] } {
  const main = path.join(envDir, `.env.${env}`);
  if (!existsSync(main)) throw new PackageError(`Cannot package the app: ${relative(main)} does not exist (choose an environment with --env, e.g. --env dev).`);
  const files = [main];
  const vars = readEnvFile(main);
  const user = `${main}.user`;
  if (existsSync(user)) {
    files.push(user);
    for (const [name, value] of readEnvFile(user)) vars.set(name, value);
  }
  return { vars, files };
}

export async function packageApp(options: PackageOptions): Promise<PackageResult> {
  if (!/^[A-Za-z0-9_-]+$/.test(options.env)) throw new PackageError(`Cannot package the app: "${options.env}" is not an environment name (letters, digits, - and _).`);
  const { vars, files } = loadEnvironment(options.envDir, options.env);
  const manifestFile = path.join(options.appPackageDir, 'manifest.json');
  const { text, missing } = fillPlaceholders(readFileSync(manifestFile, 'utf8'), vars);
  if (missing.length) {
    throw new PackageError(
      `Cannot package the app for "${options.env}": no value for ${missing.join(', ')} (placeholder${missing.length > 1 ? 's' : ''} of ${relative(manifestFile)}); ` +
        `set ${missing.length > 1 ? 'them' : 'it'} in ${files.map(relative).join(' or ')}${files.length > 1 ? '' : ` (or ${relative(`${files[0]}.user`)})`}, or run provision for this environment first.`,
    );
  }
  let manifest: { name?: { short?: unknown; full?: unknown }; icons?: { color?: unknown; outline?: unknown } };
  try {
    manifest = JSON.parse(text) as typeof manifest;
  } catch (error) {
    throw new PackageError(`Cannot package the app: ${relative(manifestFile)} is not valid JSON once filled in (${error instanceof Error ? error.message : String(error)}).`);
  }
  // An empty APP_NAME_SUFFIX leaves "Lockbox Bot " behind.
  if (typeof manifest.name?.short === 'string') manifest.name.short = manifest.name.short.trim();
  const check = validateManifest(manifest);
  if (check.errors.length) {
    throw new PackageError(`Cannot package the app for "${options.env}": the manifest does not match its schema (${check.schemaFile}):\n${check.errors.map((e) => `  ${e}`).join('\n')}`);
  }

  const entries: { name: string; data: Buffer }[] = [{ name: 'manifest.json', data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8') }];
  for (const kind of ['color', 'outline'] as const) {
    const name = manifest.icons?.[kind];
    if (typeof name !== 'string') throw new PackageError(`Cannot package the app: the manifest names no ${kind} icon.`);
    const file = path.join(options.appPackageDir, name);
    if (!existsSync(file)) throw new PackageError(`Cannot package the app: the ${kind} icon ${relative(file)} does not exist (node appPackage/tools/make-icons.mjs draws it).`);
    const data = readFileSync(file);
    const size = pngSize(data);
    const want = ICON_SIZES[kind];
    if (!size || size.width !== want || size.height !== want) {
      throw new PackageError(`Cannot package the app: the ${kind} icon ${relative(file)} must be a ${want}x${want} PNG${size ? `, not ${size.width}x${size.height}` : ''}.`);
    }
    entries.push({ name: path.posix.basename(name), data });
  }

  const zipFile = options.out ?? path.join(options.appPackageDir, 'build', `appPackage.${options.env}.zip`);
  mkdirSync(path.dirname(zipFile), { recursive: true });
  const zip = new ZipFile();
  for (const entry of entries) zip.addBuffer(entry.data, entry.name, { mtime: ENTRY_TIME, mode: 0o100644 });
  zip.end();
  // Written next to the target, then renamed: an interrupted run never leaves half a zip behind.
  const partial = `${zipFile}.partial`;
  try {
    await pipeline(zip.outputStream, createWriteStream(partial));
    renameSync(partial, zipFile);
  } finally {
    rmSync(partial, { force: true });
  }
  return { zipFile, schemaFile: check.schemaFile, entries: entries.map((e) => e.name) };
}

export function parseArgs(argv: string[]): PackageOptions {
  const options: PackageOptions = { env: 'local', envDir: 'env', appPackageDir: 'appPackage' };
  const flags: Record<string, (value: string) => void> = {
    '--env': (v) => (options.env = v),
    '--env-dir': (v) => (options.envDir = v),
    '--app-package': (v) => (options.appPackageDir = v),
    '--out': (v) => (options.out = v),
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = (argv[i] ?? '').split(/=(.*)/s, 2) as [string, string | undefined];
    const set = flags[flag];
    const value = inline ?? argv[++i];
    if (!set) throw new PackageError(`Unknown option ${flag}; use --env NAME, --env-dir DIR, --app-package DIR or --out FILE.`);
    if (value === undefined || value === '') throw new PackageError(`Option ${flag} needs a value.`);
    set(value);
  }
  return options;
}

if (require.main === module) {
  (async () => {
    const result = await packageApp(parseArgs(process.argv.slice(2)));
    process.stdout.write(`Wrote ${relative(result.zipFile)} (${result.entries.join(', ')}); the manifest matches ${result.schemaFile}.\n`);
  })().catch((error: unknown) => {
    process.stderr.write(`${error instanceof PackageError ? error.message : `Packaging failed: ${error instanceof Error ? error.message : String(error)}`}\n`);
    process.exit(error instanceof PackageError ? 2 : 1);
  });
}
