import * as ACData from 'adaptivecards-templating';
import type { TrackedRequest } from '../../domain/tracked';
import noticeTemplate from './templates/notice.json';
import requestTemplate from './templates/request.json';
import { requestView, type Notice, type NoticeStyle } from './request-view';
import { plain } from './text';

export type AdaptiveCard = Record<string, unknown> & { type: 'AdaptiveCard' };

/** Every card template the bot sends, by name: the verb-registration test walks this list. */
export const TEMPLATES = { request: requestTemplate, notice: noticeTemplate } as const;

const compiled = {
  request: new ACData.Template(requestTemplate),
  notice: new ACData.Template(noticeTemplate),
};

export function requestCard(tracked: TrackedRequest, now: Date, notice?: Notice): AdaptiveCard {
  return compiled.request.expand({ $root: requestView(tracked, now, notice) }) as AdaptiveCard;
}

export function noticeCard(title: string, text: string, style: NoticeStyle = 'attention'): AdaptiveCard {
  return compiled.notice.expand({ $root: { title: plain(title), text, style } }) as AdaptiveCard;
}
