import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { typescriptFiles } from '../support/source-files';

const ROOT = path.resolve(__dirname, '../..');
/** The clock adapter: the one file allowed to read the wall clock. */
const ADAPTER = path.join(ROOT, 'src/runtime/clock.ts');
/**
 * Reading the wall clock: `Date.now()`, `new Date()` without an argument, or `Date()` called bare.
 * `performance.now()` is a monotonic timer for spacing and timeouts, not a time of day, and stays allowed.
 */
const WALL_CLOCK = /\bDate\.now\s*\(|\bnew\s+Date\s*\(\s*\)|(?<![.\w])Date\s*\(\s*\)/;

/** Lines that read the wall clock, outside comments. */
function wallClockReads(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).split('\n').map((line) => line.replace(/(^|[^:'"`])\/\/.*$/, '$1'));
  return code.map((line, i) => [line, i + 1] as const).filter(([line]) => WALL_CLOCK.test(line)).map(([line, n]) => `${n}: ${line.trim()}`);
}

describe('one clock', () => {
  it('finds each way of reading the wall clock, and not a date built from a value', () => {
    for (const snippet of ['const t = Date.now();', 'const d = new Date();', 'const s = Date();', 'x = new Date( )']) {
      assert.equal(wallClockReads(snippet).length, 1, snippet);
    }
    for (const snippet of ['new Date(ms)', 'Date.parse(text)', 'clock.now()', '// Date.now() in a comment', '/* new Date() */', 'performance.now()', 'toDate()']) {
      assert.deepEqual(wallClockReads(snippet), [], snippet);
    }
  });

  it('reads the time only through the Clock port: no file under src/ but the clock adapter reads the wall clock', () => {
    const offenders = typescriptFiles(path.join(ROOT, 'src'))
      .filter((file) => file !== ADAPTER)
      .flatMap((file) => wallClockReads(fs.readFileSync(file, 'utf8')).map((line) => `${path.relative(ROOT, file)}:${line}`));
    assert.deepEqual(offenders, []);
  });
});
