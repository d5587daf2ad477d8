import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** The lowest Node.js version of each major line package.json's engines promise, e.g. 20 and 22. */
function promisedMajors(): number[] {
  const { engines } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
  return [...engines.node.matchAll(/>=\s*(\d+)/g)].map((m) => Number(m[1]));
}

/** Whether a simple engines range (`>=22`, `^20.19 || >=22`, `>=20.0.0`) lets Node of this major run. */
function allows(range: string, major: number): boolean {
  return range.split('||').some((part) => {
    const floor = /(?:>=|\^|~)\s*(\d+)/.exec(part);
    const ceiling = /<\s*(\d+)/.exec(part);
    if (!floor) return true;
    return Number(floor[1]) <= major && (!ceiling || major < Number(ceiling[1]));
  });
}

describe('supported Node.js versions', () => {
  it('every package in the lockfile runs on each Node.js line package.json promises (npm ci prints no EBADENGINE)', () => {
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; engines?: { node?: string } | string[] }> };
    const majors = promisedMajors();
    assert.deepEqual(majors, [20, 22]);
    const refusing = Object.entries(lock.packages)
      .filter(([name]) => name !== '')
      .flatMap(([name, entry]) => {
        const range = !Array.isArray(entry.engines) ? entry.engines?.node : undefined;
        return range && majors.some((major) => !allows(range, major)) ? [`${name}@${entry.version}: node ${range}`] : [];
      });
    assert.deepEqual(refusing, []);
  });

  it('(the check itself) reads engines ranges as npm does for whole major lines', () => {
    assert.equal(allows('>=22.0.0', 20), false);
    assert.equal(allows('>=20.0.0', 20), true);
    assert.equal(allows('^20.19.0 || >=22.12.0', 20), true);
    assert.equal(allows('>=18 <20', 20), false);
  });
});
