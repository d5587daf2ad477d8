import * as ACData from 'adaptivecards-templating';
import type { TrackedRequest } from '../../domain/tracked';
import chooseTemplate from './templates/choose.json';
import confirmTemplate from './templates/confirm.json';
import helpTemplate from './templates/help.json';
import historyTemplate from './templates/history.json';
import noticeTemplate from './templates/notice.json';
import requestTemplate from './templates/request.json';
import statusTemplate from './templates/status.json';
import { requestView, type CardFit, type Notice, type NoticeStyle, type Reader } from './request-view';
import { compileTemplate } from './fast-template';
import { fitsBudget, shorten } from './size';
import { plain } from './text';

export type AdaptiveCard = Record<string, unknown> & { type: 'AdaptiveCard' };

/** Every card template the bot sends, by name: the verb-registration test walks this list. */
export const TEMPLATES = {
  request: requestTemplate,
  notice: noticeTemplate,
  help: helpTemplate,
  status: statusTemplate,
  confirm: confirmTemplate,
  choose: chooseTemplate,
  history: historyTemplate,
} as const;

type TemplateName = keyof typeof TEMPLATES;

const compiled = Object.fromEntries(Object.entries(TEMPLATES).map(([name, t]) => [name, new ACData.Template(t)])) as Record<TemplateName, ACData.Template>;
const fast = Object.fromEntries(Object.entries(TEMPLATES).map(([name, t]) => [name, compileTemplate(t)])) as Record<TemplateName, ((view: object) => unknown) | undefined>;

/** Expands a template with view data the caller has already made safe for markdown. */
export function render(name: TemplateName, view: object): AdaptiveCard {
  return (fast[name]?.(view) ?? engineRender(name, view)) as AdaptiveCard;
}

/** The template engine's own expansion: what `render` gives, and what it falls back on for a view the faster one leaves to it. */
export function engineRender(name: TemplateName, view: object): AdaptiveCard {
  return compiled[name].expand({ $root: view }) as AdaptiveCard;
}

/** The templates expanded without the engine (the others always use it). */
export const FAST_TEMPLATES = (Object.keys(fast) as TemplateName[]).filter((name) => fast[name]);

/**
 * The request card as one reader sees it (in their Teams locale, English when unknown; naming the others asked), within the
 * size Teams accepts: shortened when the whole would not fit, compact when asked (after Teams refused one).
 */
export function requestCard(tracked: TrackedRequest, now: Date, notice?: Notice, reader: Reader = {}, fit?: CardFit): AdaptiveCard {
  if (fit) return render('request', requestView(tracked, now, notice, reader, fit));
  const full = render('request', requestView(tracked, now, notice, reader));
  if (fitsBudget(full)) return full;
  const shortened = render('request', requestView(tracked, now, notice, reader, 'shortened'));
  return fitsBudget(shortened) ? shortened : render('request', requestView(tracked, now, notice, reader, 'compact'));
}

/**
 * Notice cards (refusals, information cards, the case opener's card) carry text built from what Microsoft sent:
 * shortened so the card always stays within the size budget (four bytes a character at worst), never refused as too large.
 */
const NOTICE_MAX_CHARS = 5000;

export function noticeCard(title: string, text: string, style: NoticeStyle = 'attention'): AdaptiveCard {
  return render('notice', { title: shorten(plain(title), 300), text: shorten(text, NOTICE_MAX_CHARS), style });
}
