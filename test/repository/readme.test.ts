import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { settingsReadByConfig } from '../support/config-settings';
import { approverRoleNames, type RequestScope } from '../../src/domain/policy';
import { AZURE_ROLES, DIRECTORY_ROLES } from '../../src/domain/roles';

const ROOT = path.resolve(__dirname, '../..');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

/** The settings the README's tables describe: rows that start with a setting's name in backticks. */
function settingRows(text: string): Set<string> {
  return new Set([...text.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1] ?? ''));
}

describe('the README tells a newcomer the truth about the program', () => {
  it('describes every setting src/config.ts reads, in a table row or by name in the text', () => {
    const rows = settingRows(readme);
    const named = (name: string) => rows.has(name) || readme.includes(`\`${name}\``);
    const settings = settingsReadByConfig(read('src/config.ts'));
    assert.ok(settings.length > 30, `only ${settings.length} settings found in src/config.ts: has its shape changed?`);
    assert.deepEqual(settings.filter((name) => !named(name)), [], 'settings the README never names');
    const untabled = settings.filter((name) => !rows.has(name) && !/^BOT_(OPENID_METADATA_URL|TOKEN_ISSUER|LOGIN_URL)$/.test(name));
    assert.deepEqual(untabled, [], 'settings missing from the README\'s settings tables');
  });

  it('names every npm script package.json defines, and no script it does not define', () => {
    const scripts = Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts);
    const mentioned = (name: string) => readme.includes(`npm run ${name}`) || readme.includes(`npm run -s ${name}`) || ((name === 'start' || name === 'test') && readme.includes(`npm ${name}`));
    assert.deepEqual(scripts.filter((name) => !mentioned(name)), [], 'scripts the README never mentions');
    const claimed = new Set([...readme.matchAll(/npm run (?:-s )?([a-z][\w:-]*)/g)].map((m) => m[1] ?? ''));
    assert.deepEqual([...claimed].filter((name) => !scripts.includes(name)), [], 'scripts the README mentions that package.json lacks');
  });

  it('states who may decide each kind of request exactly as src/domain/policy.ts applies it', () => {
    const rows: [RequestScope, string][] = [['azure-subscription', 'Azure, scoped to a subscription'], ['azure-tenant', 'Azure, tenant-scoped'], ['m365', 'Microsoft 365']];
    const everyRole = [...Object.values(DIRECTORY_ROLES), ...Object.values(AZURE_ROLES)].map((r) => r.name);
    for (const [scope, label] of rows) {
      const row = readme.split('\n').find((line) => line.startsWith(`| ${label} |`));
      assert.ok(row, `the README's rule table has a row for ${label}`);
      // A role the rule refuses may be named only to say that it is not enough.
      const allowedPart = row.replace(/Global Administrator alone is \*\*not\*\* enough\./, '');
      const named = everyRole.filter((name) => new RegExp(`(^|[^\\w])${name}([^\\w]|$)`).test(allowedPart));
      assert.deepEqual(named.sort(), [...approverRoleNames(scope)].sort(), `${label}: the README names exactly the rule's roles`);
    }
  });
});
