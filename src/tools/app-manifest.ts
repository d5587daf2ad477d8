/**
 * The Teams app manifest (appPackage/manifest.json) as `npm run package` and test/package/ see it:
 * the toolkit's `${{NAME}}` placeholders, the env/ files that fill them, and validation against the
 * official JSON schema of the manifest's version, as shipped in @microsoft/app-manifest (the package
 * the Microsoft 365 Agents Toolkit itself validates with). Nothing here touches the network.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv04 from 'ajv-draft-04';
import type { ErrorObject, ValidateFunction } from 'ajv';

/** The toolkit's placeholder: `${{NAME}}`, replaced with the environment variable NAME. */
export const PLACEHOLDER = /\$\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}/g;

/** The names of the placeholders in a text, sorted, each once. */
export function placeholderNames(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ''))].sort();
}

/** Remnants of placeholders written in another form: `${NAME}`, `{{NAME}}`, `${{ NAME }}`, `$(NAME)`... */
export function malformedPlaceholders(text: string): string[] {
  const rest = text.replace(PLACEHOLDER, '');
  return [...rest.matchAll(/\$\{[^}\n]*\}?\}?|\{\{[^}\n]*\}?\}?|\$\([^)\n]*\)/g)].map((m) => m[0]);
}

/**
 * Variables of a dotenv file as the toolkit writes them: `NAME=value`, `#` comments and blank lines
 * skipped, surrounding quotes removed, and an unquoted value ends at ` #` (a trailing comment).
 */
export function parseEnvText(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/.exec(line);
    if (m?.[1] === undefined) continue;
    let value = (m[2] ?? '').trim();
    const quoted = /^(["'])(.*)\1$/.exec(value);
    if (quoted) value = quoted[2] ?? '';
    else value = value.replace(/\s+#.*$/, '').trim();
    vars.set(m[1], value);
  }
  return vars;
}

export function readEnvFile(file: string): Map<string, string> {
  return parseEnvText(readFileSync(file, 'utf8'));
}

/** Variables the toolkit accepts empty (when the env file lists them): the suffix of a production app's name. */
export const MAY_BE_EMPTY: ReadonlySet<string> = new Set(['APP_NAME_SUFFIX']);

/**
 * Replaces every `${{NAME}}` of a JSON text with the variable's value, escaped for a JSON string.
 * `missing` names the placeholders whose variable is unset or empty (an empty one of `mayBeEmpty` is
 * fine when it is listed), each once, in order of appearance.
 */
export function fillPlaceholders(jsonText: string, vars: ReadonlyMap<string, string>, mayBeEmpty: ReadonlySet<string> = MAY_BE_EMPTY): { text: string; missing: string[] } {
  const missing = new Set<string>();
  const text = jsonText.replace(PLACEHOLDER, (whole, name: string) => {
    const value = vars.get(name);
    if (value === undefined || (value === '' && !mayBeEmpty.has(name))) {
      missing.add(name);
      return whole;
    }
    return JSON.stringify(value).slice(1, -1);
  });
  return { text, missing: [...missing] };
}

/** The folder of @microsoft/app-manifest's JSON schemas (build/json-schemas/teams/v<version>/). */
function teamsSchemaRoot(): string {
  return path.join(path.dirname(require.resolve('@microsoft/app-manifest/package.json')), 'build', 'json-schemas', 'teams');
}

/** The `$schema` URL a manifest of this version declares. */
export function schemaUrlFor(manifestVersion: string): string {
  return `https://developer.microsoft.com/json-schemas/teams/${versionFolder(manifestVersion)}/MicrosoftTeams.schema.json`;
}

function versionFolder(manifestVersion: string): string {
  if (manifestVersion === 'devPreview') return 'vDevPreview';
  if (!/^\d+\.\d+$/.test(manifestVersion)) throw new Error(`manifestVersion "${manifestVersion}" is not a schema version such as 1.22`);
  return `v${manifestVersion}`;
}

/** The official schema file for a manifest version, inside node_modules/@microsoft/app-manifest. */
export function schemaFileFor(manifestVersion: string): string {
  return path.join(teamsSchemaRoot(), versionFolder(manifestVersion), 'MicrosoftTeams.schema.json');
}

/** Formats the Teams schemas use; ajv only checks formats it is given. */
const FORMATS: Record<string, (value: string) => boolean> = {
  uri: (value) => {
    if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S*$/.test(value)) return false;
    try {
      new URL(value);
      return true;
    } catch {
      return false;
    }
  },
  email: (value) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value),
  regex: (value) => {
    try {
      new RegExp(value, 'u');
      return true;
    } catch {
      return false;
    }
  },
};

const validators = new Map<string, ValidateFunction>();

function validatorFor(manifestVersion: string): ValidateFunction {
  const cached = validators.get(manifestVersion);
  if (cached) return cached;
  const file = schemaFileFor(manifestVersion);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`No schema for manifestVersion ${manifestVersion} in @microsoft/app-manifest (looked for ${file})`);
  }
  // Some published schemas carry "\a" and "\v" in regular expressions, which JSON does not allow;
  // @microsoft/app-manifest rewrites them the same way before parsing.
  const schema = JSON.parse(text.replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b')) as { $schema?: string };
  if (!schema.$schema?.includes('draft-04')) throw new Error(`${file} is a ${schema.$schema ?? 'unknown'} schema; only draft-04 schemas are handled here`);
  // Unknown keywords stay an error (strictSchema), so nothing in the schema is silently skipped; the
  // type and required checks are relaxed because the official schemas do not follow ajv's style rules.
  const ajv = new Ajv04({ allErrors: true, strictSchema: true, strictTypes: false, strictRequired: false, strictTuples: false, validateFormats: true });
  for (const [name, check] of Object.entries(FORMATS)) ajv.addFormat(name, { type: 'string', validate: check });
  const validate = ajv.compile(schema);
  validators.set(manifestVersion, validate);
  return validate;
}

function describeError(error: ErrorObject): string {
  const where = error.instancePath || '(root)';
  const params = error.params as Record<string, unknown>;
  const detail =
    params.additionalProperty !== undefined ? ` "${String(params.additionalProperty)}"`
    : params.allowedValues !== undefined ? `: ${JSON.stringify(params.allowedValues)}`
    : params.allowedValue !== undefined ? `: ${JSON.stringify(params.allowedValue)}`
    : '';
  return `${where} ${error.message ?? 'is invalid'}${detail}`;
}

/** A bare host name, optionally with a leading `*.` (what validDomains must hold; the schema does not check). */
const DOMAIN = /^(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}(:\d{1,5})?$/;

export interface ManifestCheck {
  /** The schema file used, relative to the working directory. */
  schemaFile: string;
  /** One line per violation; empty when the manifest is valid. */
  errors: string[];
}

/**
 * Validates a filled-in manifest against the official schema of its `manifestVersion`, checks that its
 * `$schema` names that version, and that `validDomains` holds host names (Teams refuses URLs there).
 */
export function validateManifest(manifest: unknown): ManifestCheck {
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) return { schemaFile: '', errors: ['(root) must be a JSON object'] };
  const { manifestVersion, $schema, validDomains } = manifest as { manifestVersion?: unknown; $schema?: unknown; validDomains?: unknown };
  if (typeof manifestVersion !== 'string') return { schemaFile: '', errors: ['/manifestVersion must be a string such as "1.22"'] };
  const validate = validatorFor(manifestVersion);
  const errors: string[] = [];
  if (!validate(manifest)) errors.push(...(validate.errors ?? []).map(describeError));
  const expectedUrl = schemaUrlFor(manifestVersion);
  if ($schema !== undefined && $schema !== expectedUrl) errors.push(`/$schema must be ${expectedUrl} for manifestVersion ${manifestVersion}`);
  if (Array.isArray(validDomains)) {
    validDomains.forEach((domain, i) => {
      if (typeof domain === 'string' && !DOMAIN.test(domain)) errors.push(`/validDomains/${i} must be a host name without scheme or path, got "${domain}"`);
    });
  }
  return { schemaFile: path.relative(process.cwd(), schemaFileFor(manifestVersion)), errors };
}

/** Width and height of a PNG, from its IHDR chunk; undefined when the bytes are not a PNG. */
export function pngSize(data: Buffer): { width: number; height: number } | undefined {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (data.length < 24 || !data.subarray(0, 8).equals(signature) || data.toString('ascii', 12, 16) !== 'IHDR') return undefined;
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}
