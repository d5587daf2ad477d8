import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { CATALOGUES, languageOf, orList, t } from '../../src/teams/i18n';
import { en } from '../../src/teams/i18n/en';

const SRC = path.resolve(__dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    const catalogue = path.basename(dir) === 'i18n' && Object.hasOwn(CATALOGUES, path.basename(e.name, '.ts'));
    return /\.(ts|json)$/.test(e.name) && !catalogue ? [full] : [];
  });
}

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const forms = (entry: unknown): string[] => (typeof entry === 'string' ? [entry] : Object.values(entry as object));

describe('string catalogues', () => {
  const englishKeys = Object.keys(en).sort();

  for (const [language, catalogue] of Object.entries(CATALOGUES)) {
    describe(language, () => {
      it('has every English key and no other', () => {
        assert.deepEqual(Object.keys(catalogue).sort(), englishKeys);
      });

      it('gives each key the same shape and placeholders as English, and no empty text', () => {
        for (const key of englishKeys) {
          const mine = (catalogue as Record<string, unknown>)[key];
          const english = (en as Record<string, unknown>)[key];
          assert.equal(typeof mine, typeof english, `${language} ${key}: text or singular/plural like English`);
          if (typeof english === 'object') assert.deepEqual(Object.keys(mine as object).sort(), Object.keys(english as object).sort(), `${language} ${key}: forms`);
          const wanted = [...new Set(forms(english).flatMap(placeholders))];
          for (const text of forms(mine)) {
            assert.ok(text.trim(), `${language} ${key} is not empty`);
            for (const p of placeholders(text)) assert.ok(wanted.includes(p), `${language} ${key} uses {${p}}, which English does not fill in`);
          }
          const used = new Set(forms(mine).flatMap(placeholders));
          for (const p of wanted) assert.ok(used.has(p) || p === 'count', `${language} ${key} drops {${p}}`);
        }
      });
    });
  }

  it('uses every key somewhere in the bot, written out whole (so a search finds it)', () => {
    const source = sourceFiles(SRC).map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    const unused = englishKeys.filter((key) => !source.includes(`'${key}'`) && !source.includes(`"${key}"`));
    assert.deepEqual(unused, [], 'keys no code asks for');
  });

  it('(the check itself) notices a key that is missing from a language', () => {
    const { 'request.approve': _dropped, ...incomplete } = CATALOGUES.nl;
    assert.notDeepEqual(Object.keys(incomplete).sort(), englishKeys);
  });
});

describe('t: the reader\'s language', () => {
  const locales: [unknown, string][] = [
    ['nl-NL', 'nl'], ['nl-BE', 'nl'], ['de-DE', 'de'], ['de-CH', 'de'], ['DE-at', 'de'], ['en-GB', 'en'],
    ['fr-FR', 'en'], ['ja', 'en'], ['', 'en'], [undefined, 'en'], ['__proto__', 'en'], ['constructor', 'en'], [42, 'en'], [{ nl: 1 }, 'en'], [['de'], 'en'],
  ];
  for (const [locale, language] of locales) it(`reads ${String(locale)} as ${language}`, () => assert.equal(languageOf(locale), language));

  it('speaks English, Dutch and German, and English for any other locale', () => {
    assert.equal(t('en-US', 'request.approve'), 'Approve');
    assert.equal(t('nl-NL', 'request.approve'), 'Goedkeuren');
    assert.equal(t('de-DE', 'request.approve'), 'Genehmigen');
    assert.equal(t('fr-FR', 'request.approve'), 'Approve');
    assert.equal(t(undefined, 'request.approve'), 'Approve');
  });

  it('fills in placeholders and picks singular or plural by count', () => {
    assert.equal(t('en', 'history.title', { count: 1 }), 'The last decision');
    assert.equal(t('en', 'history.title', { count: 5 }), 'The last 5 decisions');
    assert.equal(t('de', 'request.hours', { count: 1 }), '1 Stunde');
    assert.equal(t('nl', 'request.hours', { count: 8 }), '8 uur');
  });

  it('puts a param in as given, once: a param that looks like a placeholder is not filled in again', () => {
    assert.equal(t('en', 'help.notCommand', { input: '{input}' }), '"{input}" is not a command.');
  });

  it('puts a param in literally ($& stays $&), and leaves a placeholder it was given no param for as written', () => {
    assert.equal(t('en', 'help.notCommand', { input: '$&$1' }), '"$&$1" is not a command.');
    assert.equal(t('en', 'help.notCommand'), '"{input}" is not a command.');
    assert.equal(t('en', 'list.or', { items: 'A, B', last: 'C' }), 'A, B or C');
  });

  it('reads the language of an odd but valid tag the same as of the usual one', () => {
    for (const [locale, language] of [[' nl-NL ', 'nl'], ['DE', 'de'], ['de_AT', 'de'], ['nlx', 'en'], ['de ', 'de'], ['\uFEFFnl', 'nl']] as const) assert.equal(languageOf(locale), language, JSON.stringify(locale));
  });

  it('joins alternatives with the language\'s "or"', () => {
    assert.equal(orList('en', ['Owner', 'Reader', 'Admin']), 'Owner, Reader or Admin');
    assert.equal(orList('nl', ['Owner', 'Admin']), 'Owner of Admin');
    assert.equal(orList('de', ['Owner']), 'Owner');
  });
});
