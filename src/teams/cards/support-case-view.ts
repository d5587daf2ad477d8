import { caseExpectation, caseOutcome, isOpenCase, matchesOpenCase, type CaseCheck, type SupportCase } from '../../domain/support-case';
import type { TrackedRequest } from '../../domain/tracked';
import type { Notice } from './request-view';
import { t as text, type MessageKey } from '../i18n';
import { duration, localTime, plain } from './text';

export interface SupportCaseBlock {
  line: string;
  /** Shown just above the buttons. */
  warning: Notice | null;
}

/** Whether supportCaseView draws a block for the request, without drawing it: it does for every request but one that names no case by design. */
export function hasCaseBlock(tracked: TrackedRequest): boolean {
  return caseExpectation(tracked.request) !== 'not-applicable';
}

/** What the card says about the request's support case, and whether it may offer Approve. Null for requests that name none by design (Microsoft 365). */
export function supportCaseView(tracked: TrackedRequest, locale?: string): { block: SupportCaseBlock | null; canApprove: boolean } {
  const r = tracked.request;
  const expectation = caseExpectation(r);
  if (expectation === 'not-applicable') return { block: null, canApprove: true };
  const check = tracked.supportCase;
  const number = plain(r.supportRequest?.trim() ?? '');
  const block = check ? describe(check, tracked, locale) : unchecked(expectation, tracked, number, locale);
  const refused = Boolean(check?.required) && !matchesOpenCase(check);
  if (refused) {
    const required = text(locale, 'supportCase.required');
    block.warning = { text: block.warning ? `${block.warning.text} ${required}` : required, style: 'attention' };
  }
  return { block, canApprove: !refused };
}

const FINDINGS: Record<Exclude<ReturnType<typeof caseOutcome>, 'open'>, MessageKey> = {
  closed: 'supportCase.finding.closed',
  'not-found': 'supportCase.finding.not-found',
  internal: 'supportCase.finding.internal',
  'no-case': 'supportCase.finding.no-case',
  failed: 'supportCase.finding.failed',
  unchecked: 'supportCase.finding.unchecked',
};

const WHY: Record<'permission' | 'outage' | 'other', MessageKey> = {
  permission: 'supportCase.why.permission',
  outage: 'supportCase.why.outage',
  other: 'supportCase.why.other',
};

/** The sentence a refused approval gets, saying what the look-up found. */
export function supportCaseRefusal(check: CaseCheck | undefined, locale?: string): string {
  const outcome = caseOutcome(check);
  return text(locale, 'supportCase.refused', { finding: outcome === 'open' ? '' : text(locale, FINDINGS[outcome]) }).replace(/\s{2,}/g, ' ');
}

function unchecked(expectation: 'internal' | 'no-case' | 'lookup', tracked: TrackedRequest, number: string, locale?: string): SupportCaseBlock {
  if (expectation === 'internal') return { line: text(locale, 'supportCase.internal', { source: plain(tracked.request.workItemSource ?? '') }), warning: null };
  if (expectation === 'no-case') return noCase(locale);
  return { line: text(locale, 'supportCase.checking', { number }), warning: null };
}

function describe(check: CaseCheck, tracked: TrackedRequest, locale?: string): SupportCaseBlock {
  const noOpenCase = text(locale, 'supportCase.noOpenCase');
  switch (check.kind) {
    case 'found': {
      const line = caseLine(check.case, tracked, locale);
      if (isOpenCase(check.case)) return { line, warning: null };
      return { line, warning: { text: `${noOpenCase} ${text(locale, 'supportCase.closedCase', { number: plain(check.case.caseNumber), status: plain(check.case.status) })}`, style: 'attention' } };
    }
    case 'not-found':
      return { line: text(locale, 'supportCase.notFound', { number: plain(check.caseNumber) }), warning: { text: noOpenCase, style: 'attention' } };
    case 'internal':
      return { line: text(locale, 'supportCase.internal', { source: plain(check.workItemSource) }), warning: null };
    case 'no-case':
      return noCase(locale);
    case 'failed':
      return {
        line: text(locale, 'supportCase.number', { number: plain(check.caseNumber) }),
        warning: { text: text(locale, 'supportCase.failed', { number: plain(check.caseNumber), why: text(locale, WHY[check.cause]) }), style: 'warning' },
      };
  }
}

function noCase(locale?: string): SupportCaseBlock {
  return { line: text(locale, 'supportCase.noCase'), warning: { text: text(locale, 'supportCase.noOpenCase'), style: 'attention' } };
}

/** "Case 2511280010001234 · *VM restarts unexpectedly* · opened by **Dana Smith** (dana@…) 2 h before this request · severity moderate · **Open**" */
export function caseLine(c: SupportCase, tracked: TrackedRequest, locale?: string): string {
  const name = c.openedBy.name ? `**${plain(c.openedBy.name)}**` : text(locale, 'supportCase.someone');
  const who = c.openedBy.email ? `${name} (${plain(c.openedBy.email)})` : name;
  const before = c.createdAt ? Date.parse(tracked.request.createdAt) - Date.parse(c.createdAt) : NaN;
  const when = !c.createdAt ? '' : before > 0 ? text(locale, 'supportCase.openedBefore', { time: duration(before, locale) }) : text(locale, 'supportCase.openedAt', { time: localTime(c.createdAt) });
  return text(locale, 'supportCase.line', { number: plain(c.caseNumber), title: plain(c.title), who, when, severity: plain(c.severity ?? '—'), status: plain(c.status) }).replace(/\s{2,}/g, ' ');
}
