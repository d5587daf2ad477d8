import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { typescriptFiles } from '../support/source-files';

const ROOT = path.resolve(__dirname, '../..');
/**
 * Module-level state a command-line tool may keep: it runs once per process and hosts no bot.
 * Anything here must say why.
 */
const TOOLS_MAY_CACHE = new Set(['src/tools/app-manifest.ts']);

/**
 * State held by a module rather than by an object: a top-level `let`/`var`, or a top-level collection
 * (`new Map/Set/WeakMap/WeakSet`, `[]`) that the module writes to. Two bots in one process (tests, scale-out
 * on one host) would share it.
 */
function moduleState(text: string): string[] {
  const lines = text.split('\n');
  const found = lines.flatMap((line, i) => (/^(export\s+)?(let|var)\s/.test(line) ? [`${i + 1}: ${line.trim()}`] : []));
  for (const [i, line] of lines.entries()) {
    const collection = /^(?:export\s+)?const\s+(\w+)\b[^=]*=\s*(?:new\s+(?:Map|Set|WeakMap|WeakSet)\b|\[\s*\]\s*;)/.exec(line);
    if (!collection) continue;
    const name = collection[1]!;
    if (new RegExp(`\\b${name}\\s*\\.\\s*(set|add|delete|clear|push|pop|shift|unshift|splice)\\s*\\(`).test(text)) found.push(`${i + 1}: ${line.trim()}`);
  }
  return found;
}

describe('no module-level state shared between bots', () => {
  it('finds a module-level let and a module-level collection the module writes to, and not a constant set', () => {
    assert.equal(moduleState('let cached: string | undefined;').length, 1);
    assert.equal(moduleState('const syncsByStore = new WeakMap<object, number>();\nsyncsByStore.set(store, 1);').length, 1);
    assert.equal(moduleState('const seen = [];\nfunction f() { seen.push(1); }').length, 1);
    assert.deepEqual(moduleState("const GONE = new Set([403, 404]);\nif (GONE.has(status)) return;"), []);
    assert.deepEqual(moduleState('function f() {\n  let x = 1;\n  const m = new Map();\n  m.set(1, 2);\n}'), []);
  });

  it('keeps state in objects, not modules: nothing under src/ but a listed tool holds module-level state', () => {
    const offenders = typescriptFiles(path.join(ROOT, 'src'))
      .filter((file) => !TOOLS_MAY_CACHE.has(path.relative(ROOT, file)))
      .flatMap((file) => moduleState(fs.readFileSync(file, 'utf8')).map((line) => `${path.relative(ROOT, file)}:${line}`));
    assert.deepEqual(offenders, []);
  });
});
