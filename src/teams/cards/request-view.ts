import { actorName, COMMENT_MAX_LENGTH, statusShows, type SubmissionProblem } from '../../domain/decision';
import { urgency } from '../../domain/escalation';
import { hasExpired, timeLeft, type LockboxRequest } from '../../domain/request';
import { AZURE_LOCKBOX_PAGE, M365_LOCKBOX_PAGE, microsoftSupportLink } from '../../domain/support-links';
import { isActionable, type TrackedRequest } from '../../domain/tracked';
import { t } from '../i18n';
import { sensibleHours, sensibleTime } from './bounds';
import { describeResource, resourceName } from './resource';
import { portalOf, shorten } from './size';
import { hasCaseBlock, supportCaseView } from './support-case-view';
import { duration, localTime, plain, productName } from './text';

export type NoticeStyle = 'attention' | 'warning' | 'good' | 'accent';

export interface Notice {
  text: string;
  style: NoticeStyle;
}

/** Who reads this copy of the card: their Teams locale, and who they are (left out of "also asked"). */
export interface Reader {
  locale?: string;
  userId?: string;
}

/** How many other approvers "Also asked" names before it counts the rest. */
const NAMED_OTHERS = 2;

/** A line of a FactSet, as the card shows it: the template puts the list in as it is rather than expanding each fact. */
type Fact = { title: string; value: string };

/**
 * How much of the request a card shows: everything; long texts and lists shortened, with a note where the
 * full text is; or (when Teams refused even that) the essentials and a link to the portal.
 */
export type CardFit = 'full' | 'shortened' | 'compact';

type Limit = { text: number; justification: number; list: number };

const LIMITS: Record<CardFit, Limit> = {
  full: { text: Infinity, justification: Infinity, list: Infinity },
  shortened: { text: 300, justification: 2000, list: 10 },
  compact: { text: 100, justification: 0, list: 1 },
};

/**
 * Everything the request card shows, in the reader's words, for one moment in time. The first screen
 * says what is asked, by when, why and by whom, then the buttons; identifiers wait under Details.
 */
export function requestView(tracked: TrackedRequest, now: Date, notice?: Notice, reader: Reader = {}, fit: CardFit = 'full') {
  const { locale } = reader;
  const limit = LIMITS[fit];
  const r = tracked.request;
  const d = tracked.decision;
  // Once Microsoft 365 refused the bot's own decision, buttons would only fail again: people decide in the admin center.
  const decideInPortal = r.decideInPortal === true || (r.source === 'm365' && d?.submission.problem === 'not-permitted');
  const actionable = isActionable(tracked, now) && !decideInPortal;
  const header = headerOf(tracked, now, locale);
  // A decided card shows no case block and no buttons: it needs only to know whether there is a block.
  const showsCase = actionable || !d;
  const supportCase = showsCase ? supportCaseView(tracked, locale) : { block: null, canApprove: false };
  const supportLink = microsoftSupportLink(r.supportCaseUrl);
  const facts: Fact[] = [];
  // An Azure request's case has its own block (what Azure Support says about it); a Microsoft 365 one is a number.
  if (r.supportRequest && !(showsCase ? supportCase.block : hasCaseBlock(tracked))) facts.push({ title: t(locale, 'request.fact.supportCase'), value: supportLink ? `[${plain(r.supportRequest)}](${supportLink})` : plain(r.supportRequest) });
  if (r.requester) facts.push({ title: t(locale, 'request.fact.askedBy'), value: plain(shorten(r.requester, limit.text)) });
  const others = alsoAsked(tracked, reader);
  if (others && (actionable || !tracked.decision)) facts.push({ title: t(locale, 'request.fact.alsoAsked'), value: others });

  return {
    requestKey: tracked.key,
    ...header,
    notice: notice ?? (r.incomplete?.length ? { text: t(locale, 'request.incomplete', { fields: plain(r.incomplete.join(', ')) }), style: 'warning' } : null),
    firstApproval: tracked.firstApproval && actionable
      ? t(locale, 'request.firstApproval', { name: plain(actorName(tracked.firstApproval.actor)) })
      : null,
    decision: decisionOf(tracked, locale),
    // An open request leads with its reason; a closed one keeps it under Details, so its card stays short.
    justification: actionable || decideInPortal ? justificationOf(r, locale, limit, fit) : null,
    supportCase: supportCase.block,
    facts: actionable || !tracked.decision ? facts : [],
    details: detailsOf(tracked, now, actionable, locale, facts, limit),
    detailsJustification: actionable || decideInPortal ? null : justificationOf(r, locale, limit, fit),
    detailsComment: tracked.decision?.comment ? `"${plain(tracked.decision.comment)}"` : null,
    actionable,
    canApprove: actionable && supportCase.canApprove,
    commentMaxLength: COMMENT_MAX_LENGTH,
    supportCaseUrl: supportLink ?? null,
    portal: decideInPortal && isActionable(tracked, now) ? portalLink(r.source, locale) : null,
    words: {
      approve: t(locale, 'request.approve'),
      reject: t(locale, 'request.reject'),
      addComment: t(locale, 'request.addComment'),
      comment: t(locale, 'request.comment'),
      details: t(locale, 'request.details'),
    },
  };
}

function portalLink(source: LockboxRequest['source'], locale: string | undefined): { url: string; title: string } {
  return source === 'azure' ? { url: AZURE_LOCKBOX_PAGE, title: t(locale, 'request.openAzurePortal') } : { url: M365_LOCKBOX_PAGE, title: t(locale, 'request.openAdminCenter') };
}

/** "Microsoft Support asks for **Read** access to **VM-WEB-02** for **8 hours**", in the reader's words. */
export function askOf(r: LockboxRequest, locale: string | undefined): string {
  const params = { who: t(locale, 'ask.who'), resource: resourcesOf(r, locale), duration: durationOf(r, locale) };
  return r.accessLevel ? t(locale, 'ask.headline', { ...params, level: plain(r.accessLevel) }) : t(locale, 'ask.headlineAnyLevel', params);
}

function resourcesOf(r: LockboxRequest, locale: string | undefined): string {
  const [first, ...rest] = r.resourceIds;
  if (first === undefined) return t(locale, 'ask.noResource');
  const name = plain(resourceName(first, locale));
  return rest.length ? t(locale, 'ask.moreResources', { first: name, count: rest.length }) : name;
}

function durationOf(r: LockboxRequest, locale: string | undefined): string {
  return r.durationHours === undefined && !r.durationText ? t(locale, 'ask.durationUnstated') : accessFor(r.durationHours, r.durationText, locale);
}

/** A value outside sane bounds is shown as unknown, with what Microsoft sent, never as "-8 hours" or "2912109 d". */
function unknownValue(raw: unknown, locale: string | undefined, key: 'request.unknownValue' | 'ask.durationUnknown' = 'request.unknownValue'): string {
  return t(locale, key, { raw: plain(String(raw).slice(0, 60)) });
}

function accessFor(hours: number | undefined, text: string | undefined, locale: string | undefined): string {
  if (hours !== undefined) return sensibleHours(hours) ? t(locale, 'request.hours', { count: hours }) : unknownValue(hours, locale, 'ask.durationUnknown');
  if (!text) return t(locale, 'request.notStated');
  // Words ("Support request lifetime") are shown as written; a number the parser could not take is not.
  return /^[\s+\-\d.,eE]+$/.test(text) ? unknownValue(text, locale, 'ask.durationUnknown') : plain(text);
}

function justificationOf(r: LockboxRequest, locale: string | undefined, limit: Limit, fit: CardFit): string {
  const portal = portalOf(r.source, locale);
  if (fit === 'compact') return t(locale, 'request.tooLarge', portal);
  if (!r.justification) return t(locale, 'request.noJustification');
  if (r.justification.length > limit.justification) return `${plain(shorten(r.justification, limit.justification))}\n\n${t(locale, 'request.shortened', portal)}`;
  return plain(r.justification);
}

function resourceList(names: string[], limit: Limit, locale: string | undefined): string {
  const shown = names.slice(0, limit.list).map((name) => plain(shorten(name, limit.text)));
  if (names.length > limit.list) shown.push(t(locale, 'request.andMore', { count: names.length - limit.list }));
  return shown.join('\n\n');
}

/** The other approvers this request went to, two by name and the rest counted: "Megan Bowen, Isaiah Langer (+3)". */
function alsoAsked(tracked: TrackedRequest, reader: Reader): string | undefined {
  const others = (tracked.asked ?? []).filter((a) => a.userId !== reader.userId);
  if (!others.length) return undefined;
  const named = others.filter((a) => a.name).slice(0, NAMED_OTHERS).map((a) => plain(a.name!));
  const rest = others.length - named.length;
  if (!named.length) return t(reader.locale, 'request.alsoAskedCount', { count: rest });
  return rest ? t(reader.locale, 'request.alsoAskedMore', { names: named.join(', '), count: rest }) : named.join(', ');
}

function decisionOf(tracked: TrackedRequest, locale: string | undefined) {
  const d = tracked.decision;
  // A decision that did not reach Microsoft is no decision: no "Approved by …" beside the error.
  if (!d || d.submission.state === 'failed') return null;
  const time = localTime(d.decidedAt);
  const line = d.verdict === 'reject'
    ? t(locale, 'request.rejectedBy', { name: plain(actorName(d.actor)), time })
    : d.firstApproval
      ? t(locale, 'request.approvedByBoth', { first: plain(actorName(d.firstApproval.actor)), name: plain(actorName(d.actor)), time })
      : t(locale, 'request.approvedBy', { name: plain(actorName(d.actor)), time });
  return { line, comment: d.comment ? `"${plain(d.comment)}"` : '' };
}

function detailsOf(tracked: TrackedRequest, now: Date, actionable: boolean, locale: string | undefined, shownFacts: Fact[], limit: Limit): Fact[] {
  const r = tracked.request;
  const subscription = r.subscriptionId && (r.subscriptionName ? `${plain(r.subscriptionName)} (${plain(r.subscriptionId)})` : plain(r.subscriptionId));
  const details: (Fact | undefined | '')[] = [
    { title: t(locale, 'request.fact.request'), value: plain(r.requestId) },
    { title: t(locale, 'request.fact.source'), value: productName(r.source) },
    subscription && { title: t(locale, 'request.fact.subscription'), value: subscription },
    {
      title: t(locale, 'request.fact.resources', { count: r.resourceIds.length }),
      value: r.resourceIds.length ? resourceList(r.resourceIds.map((id) => describeResource(id, locale)), limit, locale) : t(locale, 'request.notStated'),
    },
    r.resourceType && { title: t(locale, 'request.fact.resourceType'), value: plain(r.resourceType) },
    { title: t(locale, 'request.fact.requested'), value: sensibleTime(r.createdAt, now) ? localTime(r.createdAt) : unknownValue(r.createdAt, locale) },
    { title: t(locale, 'request.fact.expires'), value: sensibleTime(r.expiresAt, now) ? localTime(r.expiresAt) : unknownValue(r.expiresAt, locale) },
  ];
  // What a closed card no longer shows up front stays one tap away.
  if (!actionable && tracked.decision) details.push(...shownFacts);
  return details.filter((f): f is Fact => Boolean(f));
}

type Header = { headerStyle: string; kicker: string; headline: string; subline: string };

/** A closed card is short: its state and what it means in one block, under no kicker. */
function header(headerStyle: string, headline: string, subline: string): Header {
  return { headerStyle, kicker: '', headline: subline ? `**${headline}.** ${subline}` : `**${headline}**`, subline: '' };
}

/**
 * The coloured top of the card: the state in words and what it means. Once Microsoft's record has moved
 * on, the card says what that record says; a decision from Teams it does not show is called out.
 */
function headerOf(tracked: TrackedRequest, now: Date, locale: string | undefined): Header {
  const r = tracked.request;
  const d = tracked.decision;
  const s = d?.submission;
  const product = productName(r.source);
  const resource = resourcesOf(r, locale);
  // What is asked, and the kicker above it, are worded only for the states that show them (not for a decided card).
  if (tracked.goneAt) return header('default', t(locale, 'state.gone'), t(locale, 'state.goneSince', { time: localTime(tracked.goneAt) }));
  const waiting = r.status === 'Pending' || r.status === 'Initializing';
  if (waiting && r.decideInPortal && !d && !hasExpired(r, now)) {
    const [inTime, noExpiry] = r.source === 'azure' ? ['state.decideInAzurePortal', 'state.decideInAzurePortalNoExpiry'] as const : ['state.decideInAdminCenter', 'state.decideInAdminCenterNoExpiry'] as const;
    return { headerStyle: 'warning', kicker: t(locale, 'kicker', { product }), headline: askOf(r, locale), subline: sensibleTime(r.expiresAt, now) ? t(locale, inTime, { left: duration(timeLeft(r, now), locale) }) : t(locale, noExpiry) };
  }
  if (waiting && s?.state === 'pending') return header('accent', t(locale, d!.verdict === 'approve' ? 'state.sendingApproval' : 'state.sendingRejection'), askOf(r, locale));
  if (waiting && s?.state === 'sent') return header('accent', t(locale, s.problem === 'odd-answer' ? 'state.sentOdd' : 'state.sent'), askOf(r, locale));
  if (waiting && s?.state === 'failed') return header('attention', t(locale, 'state.failed'), failureText(s.problem, locale));
  const elsewhere = d && !waiting && !statusShows(r.status, d.verdict) && s?.state !== 'submitted'
    ? ` ${t(locale, d.verdict === 'approve' ? 'state.notOurApproval' : 'state.notOurRejection')}`
    : '';
  switch (r.status) {
    case 'Approving':
      return header('good', t(locale, 'state.approving'), accessUntil(tracked, resource, locale) + elsewhere);
    case 'Approved':
      return header('good', t(locale, 'state.approved'), accessUntil(tracked, resource, locale) + elsewhere);
    case 'Denying':
    case 'Denied':
      return header('attention', t(locale, 'state.rejected'), t(locale, 'state.rejectedMeans', { resource }) + elsewhere);
    case 'Revoking':
    case 'Revoked':
      return header('default', t(locale, 'state.revoked'), elsewhere.trim());
    case 'Expired':
      if (d?.verdict === 'approve' && s?.state === 'submitted') return header('default', t(locale, 'state.accessEnded'), '');
      return header('default', t(locale, 'state.expired'), t(locale, 'state.expiredMeans', { resource }) + elsewhere);
  }
  if (waiting && hasExpired(r, now)) return header('default', t(locale, 'state.expired'), t(locale, 'state.expiredMeans', { resource }));
  if (waiting) {
    const pressing = urgency(r, now);
    const deadline = sensibleTime(r.expiresAt, now)
      ? t(locale, 'ask.decideBy', { time: localTime(r.expiresAt), left: duration(timeLeft(r, now), locale) })
      : t(locale, 'request.expiryUnknown');
    if (pressing === 'urgent') return { headerStyle: 'attention', kicker: t(locale, 'kicker.urgent', { product }), headline: askOf(r, locale), subline: deadline };
    if (pressing === 'soon') return { headerStyle: 'warning', kicker: t(locale, 'kicker.soon', { product }), headline: askOf(r, locale), subline: deadline };
    return { headerStyle: 'emphasis', kicker: t(locale, 'kicker', { product }), headline: askOf(r, locale), subline: deadline };
  }
  return header('default', t(locale, 'state.other', { status: plain(r.status) }), askOf(r, locale) + elsewhere);
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

/** "Microsoft can read VM-WEB-02 until …": access runs for the requested hours from when Microsoft took the approval. */
function accessUntil(tracked: TrackedRequest, resource: string, locale: string | undefined): string {
  const r = tracked.request;
  const d = tracked.decision;
  const from = d?.submission.completedAt ?? d?.decidedAt;
  const read = /^read/i.test(r.accessLevel ?? '');
  // A duration out of bounds has no end worth showing (and 1e20 hours has none Date can write).
  if (r.durationHours === undefined || !sensibleHours(r.durationHours) || !from) return t(locale, read ? 'state.canRead' : 'state.canAccess', { resource });
  const until = new Date(Date.parse(from) + r.durationHours * 3_600_000).toISOString();
  return t(locale, read ? 'state.canReadUntil' : 'state.canAccessUntil', { resource, time: localTime(until) });
}
