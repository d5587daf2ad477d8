import { actorName, COMMENT_MAX_LENGTH, statusShows, type SubmissionProblem } from '../../domain/decision';
import type { TrackedRequest } from '../../domain/tracked';
import { isActionable } from '../../domain/tracked';
import { M365_LOCKBOX_PAGE, microsoftSupportLink } from '../../domain/support-links';
import { hasExpired, timeLeft } from '../../domain/request';
import { t } from '../i18n';
import { describeResource } from './resource';
import { supportCaseView } from './support-case-view';
import { portalOf, shorten } from './size';
import { duration, localTime, plain, productName } from './text';

export type NoticeStyle = 'attention' | 'warning' | 'good' | 'accent';

export interface Notice {
  text: string;
  style: NoticeStyle;
}

/**
 * How much of the request a card shows: everything; long texts and lists shortened, with a note where the
 * full text is; or (when Teams refused even that) the essentials and a link to the portal.
 */
export type CardFit = 'full' | 'shortened' | 'compact';

const LIMITS: Record<CardFit, { text: number; justification: number; list: number }> = {
  full: { text: Infinity, justification: Infinity, list: Infinity },
  shortened: { text: 300, justification: 2000, list: 10 },
  compact: { text: 100, justification: 0, list: 1 },
};

/** Everything the request card shows, in words in the reader's language, for one moment in time. */
export function requestView(tracked: TrackedRequest, now: Date, notice?: Notice, locale?: string, fit: CardFit = 'full') {
  const limit = LIMITS[fit];
  const text = (value: string) => plain(shorten(value, limit.text));
  const portal = portalOf(tracked.request.source, locale);
  const r = tracked.request;
  const d = tracked.decision;
  // Once Microsoft 365 refused the bot's own decision, buttons would only fail again: people decide in the admin center.
  const decideInPortal = r.source === 'm365' && (r.decideInPortal === true || d?.submission.problem === 'not-permitted');
  const actionable = isActionable(tracked, now) && !decideInPortal;
  const supportCase = supportCaseView(tracked, locale);
  const supportLink = microsoftSupportLink(r.supportCaseUrl);
  const facts = [
    { label: t(locale, 'request.fact.request'), value: text(r.requestId) },
    { label: t(locale, 'request.fact.source'), value: productName(r.source) },
    r.subscriptionId && { label: t(locale, 'request.fact.subscription'), value: text(r.subscriptionId) },
    {
      label: t(locale, 'request.fact.resources', { count: r.resourceIds.length }),
      value: r.resourceIds.length ? resourceList(r.resourceIds.map((id) => describeResource(id, locale)), limit, locale) : t(locale, 'request.notStated'),
    },
    r.resourceType && { label: t(locale, 'request.fact.resourceType'), value: text(r.resourceType) },
    r.supportRequest && { label: t(locale, 'request.fact.supportCase'), value: supportLink ? `[${text(r.supportRequest)}](${supportLink})` : text(r.supportRequest) },
    {
      label: t(locale, 'request.fact.accessFor'),
      value: accessFor(r.durationHours, r.durationText, locale),
    },
    r.accessLevel && { label: t(locale, 'request.fact.accessLevel'), value: text(r.accessLevel) },
    { label: t(locale, 'request.fact.requested'), value: sensibleTime(r.createdAt, now) ? localTime(r.createdAt) : unknownValue(r.createdAt, locale) },
    {
      label: t(locale, 'request.fact.expires'),
      value: !sensibleTime(r.expiresAt, now) ? unknownValue(r.expiresAt, locale)
        : actionable ? t(locale, 'request.expiresIn', { time: localTime(r.expiresAt), left: duration(timeLeft(r, now), locale) }) : localTime(r.expiresAt),
    },
  ].filter((f): f is { label: string; value: string } => Boolean(f));

  return {
    requestKey: tracked.key,
    title: t(locale, 'request.title', { product: productName(r.source) }),
    ...status(tracked, now, locale),
    notice: notice ?? null,
    facts,
    justification: fit === 'compact'
      ? t(locale, 'request.tooLarge', portal)
      : r.justification
        ? r.justification.length > limit.justification
          ? `${plain(shorten(r.justification, limit.justification))}\n\n${t(locale, 'request.shortened', portal)}`
          : plain(r.justification)
        : t(locale, 'request.noJustification'),
    // A decision that did not reach Microsoft is no decision: no "Approved by …" beside the error.
    decision: d && d.submission.state !== 'failed'
      ? {
          line: d.verdict === 'reject'
            ? t(locale, 'request.rejectedBy', { name: plain(actorName(d.actor)), time: localTime(d.decidedAt) })
            : d.firstApproval
              ? t(locale, 'request.approvedByBoth', { first: plain(actorName(d.firstApproval.actor)), name: plain(actorName(d.actor)), time: localTime(d.decidedAt) })
              : t(locale, 'request.approvedBy', { name: plain(actorName(d.actor)), time: localTime(d.decidedAt) }),
          comment: d.comment ? `"${plain(d.comment)}"` : '',
        }
      : null,
    actionable,
    commentMaxLength: COMMENT_MAX_LENGTH,
    supportCase: supportCase.block,
    canApprove: actionable && supportCase.canApprove,
    supportCaseUrl: supportLink ?? null,
    portal: decideInPortal && isActionable(tracked, now) ? { url: M365_LOCKBOX_PAGE, title: t(locale, 'request.openAdminCenter') } : null,
    words: {
      justification: t(locale, 'request.justification'),
      comment: t(locale, 'request.comment'),
      approve: t(locale, 'request.approve'),
      reject: t(locale, 'request.reject'),
    },
  };
}

function resourceList(names: string[], limit: { text: number; list: number }, locale: string | undefined): string {
  const shown = names.slice(0, limit.list).map((name) => plain(shorten(name, limit.text)));
  if (names.length > limit.list) shown.push(t(locale, 'request.andMore', { count: names.length - limit.list }));
  return shown.join('\n\n');
}

function status(tracked: TrackedRequest, now: Date, locale: string | undefined): { statusLine: string; headerStyle: string } {
  const r = tracked.request;
  const d = tracked.decision;
  const s = d?.submission;
  const left = () => (sensibleTime(r.expiresAt, now) ? duration(timeLeft(r, now), locale) : unknownValue(r.expiresAt, locale));
  if (tracked.goneAt) return { statusLine: t(locale, 'state.gone', { time: localTime(tracked.goneAt) }), headerStyle: 'default' };
  const waiting = r.status === 'Pending' || r.status === 'Initializing';
  if (waiting && r.decideInPortal && !d && !hasExpired(r, now)) return { statusLine: t(locale, 'state.decideInAdminCenter', { left: left() }), headerStyle: 'warning' };
  if (waiting && s?.state === 'pending') return { statusLine: t(locale, 'state.sending'), headerStyle: 'accent' };
  if (waiting && s?.state === 'sent') return { statusLine: t(locale, s.problem === 'odd-answer' ? 'state.sentOdd' : 'state.sent'), headerStyle: 'accent' };
  if (waiting && s?.state === 'failed') return { statusLine: failureText(s.problem, locale), headerStyle: 'attention' };
  // From here on the card says what Microsoft's own record says; a decision from Teams that it does not show is called out.
  const elsewhere = d && !waiting && !statusShows(r.status, d.verdict) && s?.state !== 'submitted'
    ? ` ${t(locale, d.verdict === 'approve' ? 'state.notOurApproval' : 'state.notOurRejection')}`
    : '';
  switch (r.status) {
    case 'Approving':
      return { statusLine: t(locale, 'state.approving') + elsewhere, headerStyle: 'good' };
    case 'Approved':
      return { statusLine: t(locale, 'state.approved') + elsewhere, headerStyle: 'good' };
    case 'Denying':
    case 'Denied':
      return { statusLine: t(locale, 'state.rejected') + elsewhere, headerStyle: 'attention' };
    case 'Revoking':
    case 'Revoked':
      return { statusLine: t(locale, 'state.revoked') + elsewhere, headerStyle: 'default' };
    case 'Expired':
      return { statusLine: d?.verdict === 'approve' && s?.state === 'submitted' ? t(locale, 'state.accessEnded') : t(locale, 'state.expired') + elsewhere, headerStyle: 'default' };
  }
  if (waiting && hasExpired(r, now)) return { statusLine: t(locale, 'state.expired'), headerStyle: 'default' };
  if (waiting && tracked.firstApproval && !d) {
    return { statusLine: t(locale, 'state.firstOfTwo', { name: plain(actorName(tracked.firstApproval.actor)), left: left() }), headerStyle: 'accent' };
  }
  if (waiting) return { statusLine: t(locale, 'state.waiting', { left: left() }), headerStyle: 'warning' };
  return { statusLine: t(locale, 'state.other', { status: plain(r.status) }) + elsewhere, headerStyle: 'default' };
}

/** A true sentence for each way Microsoft can leave a decision untaken. */
function failureText(problem: SubmissionProblem | undefined, locale: string | undefined): string {
  switch (problem) {
    case 'gone':
      return t(locale, 'state.failedGone');
    case 'unconfirmed':
      return t(locale, 'state.failedUnconfirmed');
    case 'sign-in':
      return t(locale, 'state.failedSignIn');
    case 'not-permitted':
      return t(locale, 'state.failedNotPermitted');
    default:
      // The upstream's words (an HTTP status, an error body) are for the log and the audit trail, not for approvers.
      return t(locale, 'state.failedNothingSent');
  }
}

/** Longest access that makes sense (a year); Microsoft grants hours. */
const MAX_ACCESS_HOURS = 24 * 366;
/** A lockbox request lives days, not years: a date further out than this is a bad field. */
const FAR_FUTURE_MS = 366 * 24 * 3_600_000;
const EARLIEST = Date.UTC(2000, 0, 1);

function sensibleTime(iso: string, now: Date): boolean {
  const at = Date.parse(iso);
  return Number.isFinite(at) && at >= EARLIEST && at <= now.getTime() + FAR_FUTURE_MS;
}

/** A value outside sane bounds is shown as unknown, with what Microsoft sent, never as "-8 hours" or "2912109 d". */
function unknownValue(raw: unknown, locale: string | undefined): string {
  return t(locale, 'request.unknownValue', { raw: plain(String(raw).slice(0, 60)) });
}

function accessFor(hours: number | undefined, text: string | undefined, locale: string | undefined): string {
  if (hours !== undefined) return Number.isFinite(hours) && hours > 0 && hours <= MAX_ACCESS_HOURS ? t(locale, 'request.hours', { count: hours }) : unknownValue(hours, locale);
  if (!text) return t(locale, 'request.notStated');
  // Words ("Support request lifetime") are shown as written; a number the parser could not take is not.
  return /^[\s+\-\d.,eE]+$/.test(text) ? unknownValue(text, locale) : plain(text);
}
