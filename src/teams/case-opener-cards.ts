import type { Conversation } from '../domain/ports';
import type { CaseOpenerCards } from '../domain/support-case';
import type { TrackedRequest } from '../domain/tracked';
import { actorName } from '../domain/decision';
import { sensibleHours, sensibleTime } from './cards/bounds';
import { noticeCard, type AdaptiveCard } from './cards/render';
import { describeResource } from './cards/resource';
import { localTime, plain } from './cards/text';
import { t } from './i18n';
import type { TeamsMessenger } from './messenger';

/** The case opener's information card, without buttons, in their language: what Microsoft asks, who decides, and how it ended. */
export class TeamsCaseOpenerCards implements CaseOpenerCards {
  constructor(private readonly messenger: TeamsMessenger) {}

  async post(conversation: Conversation, tracked: TrackedRequest): Promise<string> {
    const id = await this.messenger.postCard(conversation, caseOpenerCard(tracked, conversation.locale), summary(tracked, conversation.locale));
    if (!id) throw new Error('Teams accepted the card but returned no activity id');
    return id;
  }

  async update(conversation: Conversation, activityId: string, tracked: TrackedRequest): Promise<void> {
    await this.messenger.updateCard(conversation, activityId, caseOpenerCard(tracked, conversation.locale), summary(tracked, conversation.locale));
  }
}

export function caseOpenerCard(tracked: TrackedRequest, locale?: string): AdaptiveCard {
  const r = tracked.request;
  const check = tracked.supportCase;
  const opener = tracked.caseOpener;
  const named = opener?.deciders.map(plain).join(', ') ?? '';
  const more = (opener?.deciderCount ?? 0) - (opener?.deciders.length ?? 0);
  const names = more > 0 ? t(locale, 'caseOpener.more', { names: named, count: more }) : named;
  const text = t(locale, 'caseOpener.text', {
    number: plain(r.supportRequest ?? ''),
    title: check?.kind === 'found' ? plain(check.case.title) : '',
    what: plain(r.resourceIds[0] ? describeResource(r.resourceIds[0], locale) : r.requestId),
    hours: r.durationHours !== undefined && sensibleHours(r.durationHours) ? t(locale, 'request.hours', { count: r.durationHours }) : t(locale, 'caseOpener.hoursUnknown'),
    deciders: opener?.deciderCount ? t(locale, 'caseOpener.deciders', { count: opener.deciderCount, names }) : '',
  });
  return noticeCard(t(locale, 'caseOpener.title'), `${text}\n\n${outcome(tracked, locale)}`, tracked.decision?.verdict === 'reject' ? 'attention' : 'accent');
}

function outcome(tracked: TrackedRequest, locale?: string): string {
  const d = tracked.decision;
  if (d) return t(locale, d.verdict === 'approve' ? 'caseOpener.approved' : 'caseOpener.rejected', { name: plain(actorName(d.actor)), time: localTime(d.decidedAt) });
  if (tracked.request.status === 'Pending') {
    // No clock here: an expiry more than a year after the bot first saw the request is a bad field.
    const expires = tracked.request.expiresAt;
    return sensibleTime(expires, new Date(tracked.firstSeenAt)) ? t(locale, 'caseOpener.waiting', { time: localTime(expires) }) : t(locale, 'caseOpener.waitingNoExpiry');
  }
  return t(locale, 'caseOpener.closed', { status: plain(tracked.request.status) });
}

function summary(tracked: TrackedRequest, locale?: string): string {
  return t(locale, 'caseOpener.summary', { number: plain(tracked.request.supportRequest ?? '') });
}
