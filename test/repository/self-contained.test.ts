import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { findOutsideReads, OLD_OVERRIDE, SIBLING_FOLDER } from '../support/outside-reads';

const ROOT = path.resolve(__dirname, '../..');
const SCANNED = ['src', 'test', 'bench', '.ci'];
const ROOT_FILES = ['package.json', '.mocharc.json'];
const CODE = /\.(?:[cm]?[jt]s|json|ya?ml|sh)$/;
/** Vendored data, not code: nothing in it reads files. */
const DATA = path.join(ROOT, 'test', 'fixtures');
/** The detector spells out the names it looks for; this test holds examples of what it must find. */
const EXAMPLES = new Set([path.join(ROOT, 'test/support/outside-reads.ts'), __filename]);

function filesUnder(dir: string): string[] {
  if (dir === DATA || !fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(full);
    return CODE.test(entry.name) || dir.endsWith(`${path.sep}.ci`) ? [full] : [];
  });
}

describe('the repository stands on its own', () => {
  const cases: Array<[string, string, string]> = [
    ['a folder beside the repository', 'test/support/reference.ts', `path.resolve(__dirname, '../../../${SIBLING_FOLDER}/reference/x')`],
    ['the old override variable', 'test/simulator/helpers.ts', `process.env.${OLD_OVERRIDE}`],
    ['segments that climb one by one', 'test/support/x.ts', "path.join(__dirname, '..', '..', '..', 'elsewhere')"],
    ['a relative literal that climbs', 'bench/x.ts', "readFileSync('../../notes.json')"],
    ['a template literal that climbs', 'src/tools/x.ts', '`../../../${name}.json`'],
    ['a script that leaves its folder', '.ci/run', 'cd "$(dirname "$0")/../.."'],
    ['a marker on another line', 'test/x.ts', "// not a path: below\nreadFileSync('../../../x')"],
  ];
  for (const [what, file, snippet] of cases) {
    it(`finds ${what}`, () => {
      const found = findOutsideReads(ROOT, path.join(ROOT, file), snippet);
      assert.ok(found.length > 0, `${snippet} in ${file} was not flagged`);
    });
  }

  const fine: Array<[string, string, string]> = [
    ['an import of a sibling folder', 'src/teams/handlers/decide.ts', "import { x } from '../../domain/errors';"],
    ['the repository root from a test', 'test/e2e/start.test.ts', "path.resolve(__dirname, '../..')"],
    ['the vendored fixtures', 'test/support/reference.ts', "path.resolve(__dirname, '../fixtures')"],
    ['the CI script moving to the root', '.ci/run', 'cd "$(dirname "$0")/.."'],
    ['a dot used as a separator', 'src/lockbox/azure/parse.ts', "issues.map((i) => i.path.join('.'))"],
    ['hostile input marked as data', 'test/security/fuzz.test.ts', "'../../../../etc/passwd', // not a path: an attack string"],
  ];
  for (const [what, file, snippet] of fine) {
    it(`accepts ${what}`, () => assert.deepEqual(findOutsideReads(ROOT, path.join(ROOT, file), snippet), []));
  }

  it('no source, test, bench or CI file nor an npm script reads outside the repository', () => {
    const files = [...SCANNED.flatMap((dir) => filesUnder(path.join(ROOT, dir))), ...ROOT_FILES.map((f) => path.join(ROOT, f))];
    assert.ok(files.length > 100, `only ${files.length} files scanned`);
    const found = files.filter((file) => !EXAMPLES.has(file)).flatMap((file) => findOutsideReads(ROOT, file, fs.readFileSync(file, 'utf8')));
    assert.deepEqual(found, []);
  });

  it('the fixtures say where they come from and under which licence', () => {
    for (const dir of ['azure-customer-lockbox', 'azure-support']) {
      const sources = fs.readFileSync(path.join(DATA, dir, 'SOURCES.md'), 'utf8');
      assert.match(sources, /Azure\/azure-rest-api-specs/);
      assert.match(sources, /specification\//);
      assert.match(sources, /MIT licence/);
    }
  });
});
