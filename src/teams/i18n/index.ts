import { de } from './de';
import { en, type Catalogue, type Entry, type MessageKey } from './en';
import { nl } from './nl';

export type { MessageKey } from './en';

/** One catalogue per language the bot speaks; any other locale reads English. */
export const CATALOGUES = { en, nl, de } as const satisfies Record<string, Catalogue>;

export type Language = keyof typeof CATALOGUES;

export type Params = Record<string, string | number>;

const USUAL_TAG = /^[A-Za-z]{2}(?:[-_]|$)/;

/** Teams sends a BCP 47 tag (`nl-NL`, `de-CH`, `en-GB`); the language part picks the catalogue. */
export function languageOf(locale: unknown): Language {
  // Activities are untrusted: a locale that is not a string reads as English rather than failing the turn.
  if (typeof locale !== 'string') return 'en';
  // The usual tag needs no trimming or splitting; t asks this for every text of every card.
  const language = USUAL_TAG.test(locale) ? locale.slice(0, 2).toLowerCase() : (locale.trim().toLowerCase().split(/[-_]/)[0] ?? '');
  return Object.hasOwn(CATALOGUES, language) ? (language as Language) : 'en';
}

/** A text cut at its `{name}` placeholders: text, name, text, name, …, text. */
type Parts = readonly string[];
type CompiledEntry = Parts | { one: Parts; other: Parts };

const compile = (entry: Entry): CompiledEntry => (typeof entry === 'string' ? entry.split(PLACEHOLDER) : { one: entry.one.split(PLACEHOLDER), other: entry.other.split(PLACEHOLDER) });
const PLACEHOLDER = /\{(\w+)\}/;

/** Every catalogue cut at its placeholders once, when loaded, rather than searched on every call; a key a language lacks reads English. */
const COMPILED = Object.fromEntries(
  Object.entries(CATALOGUES).map(([language, catalogue]) => [language, Object.fromEntries(Object.keys(en).map((key) => [key, compile((catalogue as Record<string, Entry>)[key] ?? en[key as MessageKey])]))]),
) as Record<Language, Record<MessageKey, CompiledEntry>>;

function fill(parts: Parts, params: Params): string {
  let text = parts[0]!;
  for (let i = 1; i < parts.length; i += 2) {
    const name = parts[i]!;
    text += (Object.hasOwn(params, name) ? String(params[name]) : `{${name}}`) + parts[i + 1]!;
  }
  return text;
}

/**
 * The text for `key` in the reader's language, with `{name}` placeholders filled in. Params are put in
 * as given: text that people or Microsoft wrote must be made safe (`plain`) before it comes here.
 * An entry with singular and plural forms picks one by `params.count`.
 */
export function t(locale: string | undefined, key: MessageKey, params: Params = {}): string {
  const entry = COMPILED[languageOf(locale)][key];
  return fill(Array.isArray(entry) ? entry : params.count === 1 ? (entry as { one: Parts }).one : (entry as { other: Parts }).other, params);
}

/** "A, B or C" in the reader's language. */
export function orList(locale: string | undefined, items: string[]): string {
  if (items.length <= 1) return items.join('');
  return t(locale, 'list.or', { items: items.slice(0, -1).join(', '), last: items[items.length - 1]! });
}
