import type { SourceKind } from '../../domain/request';
import { t } from '../i18n';

/**
 * Bidirectional overrides and isolates (U+202A–202E, U+2066–2069), marks (U+200E, U+200F, U+061C) and
 * zero-width characters: invisible, yet they can reverse or hide the words around them, the bot's own included.
 */
const INVISIBLE = /[\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;

/** Text to show, without the characters that can make it read other than it is; the audit trail keeps the original. */
export function displayText(text: string): string {
  return text.replace(INVISIBLE, '');
}

/**
 * Teams renders a markdown subset in TextBlocks, and expands {{DATE()}}-style functions; text that
 * people or Microsoft wrote must show as written, never as links, formatting or functions.
 */
export function plain(text: string): string {
  if (NOTHING_TO_ESCAPE.test(text)) return text;
  return displayText(text)
    .replace(/[\\`*_[\]<>~]/g, (c) => `\\${c}`)
    .replace(/\{\{/g, '{\u200B{')
    .replace(/^(\s*)([-+#]|\d+\.)/gm, '$1\u200B$2')
    .replace(/\r?\n/g, '\n\n');
}

/**
 * Text plain would return unchanged (most names, ids and numbers): none of the characters it escapes or removes,
 * no line break (\u2028 and \u2029 start a line too) and no list or heading marker at its start.
 */
const NOTHING_TO_ESCAPE = /^(?!\s*(?:[-+#]|\d+\.))[^\\`*_[\]<>~{\r\n\u2028\u2029\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]*$/;

/** How people call each lockbox product. */
export function productName(source: SourceKind): string {
  return source === 'm365' ? 'Microsoft 365' : 'Azure';
}

/** Adaptive Cards' DATE()/TIME() functions need RFC 3339 without fractions, and show it in the reader's own time zone. */
export function localTime(iso: string): string {
  // toISOString always ends in milliseconds and Z: ".000Z".
  const stamp = `${new Date(iso).toISOString().slice(0, -5)}Z`;
  return `{{DATE(${stamp}, SHORT)}} {{TIME(${stamp})}}`;
}

/** A span of time, as short as a phone needs: "3 d 23 h", "2 h 5 min". */
export function duration(ms: number, locale?: string): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return t(locale, 'duration.lessThanMinute');
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const parts = [
    days && t(locale, 'duration.days', { count: days }),
    hours && t(locale, 'duration.hours', { count: hours }),
    !days && mins && t(locale, 'duration.minutes', { count: mins }),
  ].filter(Boolean);
  return parts.join(' ');
}
