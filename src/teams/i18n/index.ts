import { de } from './de';
import { en, type Catalogue, type Entry, type MessageKey } from './en';
import { nl } from './nl';

export type { MessageKey } from './en';

/** One catalogue per language the bot speaks; any other locale reads English. */
export const CATALOGUES = { en, nl, de } as const satisfies Record<string, Catalogue>;

export type Language = keyof typeof CATALOGUES;

export type Params = Record<string, string | number>;

/** Teams sends a BCP 47 tag (`nl-NL`, `de-CH`, `en-GB`); the language part picks the catalogue. */
export function languageOf(locale: unknown): Language {
  // Activities are untrusted: a locale that is not a string reads as English rather than failing the turn.
  const language = typeof locale === 'string' ? (locale.trim().toLowerCase().split(/[-_]/)[0] ?? '') : '';
  return Object.hasOwn(CATALOGUES, language) ? (language as Language) : 'en';
}

/**
 * The text for `key` in the reader's language, with `{name}` placeholders filled in. Params are put in
 * as given: text that people or Microsoft wrote must be made safe (`plain`) before it comes here.
 * An entry with singular and plural forms picks one by `params.count`.
 */
export function t(locale: string | undefined, key: MessageKey, params: Params = {}): string {
  const entry: Entry = CATALOGUES[languageOf(locale)][key] ?? en[key];
  const text = typeof entry === 'string' ? entry : params.count === 1 ? entry.one : entry.other;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(params, name) ? String(params[name]) : whole));
}

/** "A, B or C" in the reader's language. */
export function orList(locale: string | undefined, items: string[]): string {
  if (items.length <= 1) return items.join('');
  return t(locale, 'list.or', { items: items.slice(0, -1).join(', '), last: items[items.length - 1]! });
}
