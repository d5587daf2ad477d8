import { AZURE_LOCKBOX_PAGE, M365_LOCKBOX_PAGE } from '../../domain/support-links';
import type { SourceKind } from '../../domain/request';
import { t } from '../i18n';

/**
 * Teams refuses an activity over about 28 KB (413). A card stays under this, leaving room for the
 * activity around it (summary, ids, conversation reference).
 */
export const CARD_BUDGET_BYTES = 24 * 1024;

export function cardBytes(card: unknown): number {
  return Buffer.byteLength(JSON.stringify(card), 'utf8');
}

export function fitsBudget(card: unknown): boolean {
  return bytesOverBudget(card) === undefined;
}

/** The card's size in bytes when it is over the budget; undefined when it fits. */
export function bytesOverBudget(card: unknown): number | undefined {
  const json = JSON.stringify(card);
  // No UTF-16 unit takes more than three bytes in UTF-8 (a surrogate pair, two units, takes four): most cards need no counting.
  if (json.length * 3 <= CARD_BUDGET_BYTES) return undefined;
  const bytes = Buffer.byteLength(json, 'utf8');
  return bytes > CARD_BUDGET_BYTES ? bytes : undefined;
}

/** Where the whole request can be read, in the reader's language, for the "full text" notes. */
export function portalOf(source: SourceKind, locale: string | undefined): { place: string; url: string } {
  return source === 'm365'
    ? { place: t(locale, 'request.place.m365'), url: M365_LOCKBOX_PAGE }
    : { place: t(locale, 'request.place.azure'), url: AZURE_LOCKBOX_PAGE };
}

/** The text cut to `max` characters at a word where it can, with an ellipsis; unchanged when it fits. */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${space > max * 0.8 ? cut.slice(0, space) : cut}…`;
}
