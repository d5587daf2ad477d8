import type { Conversation } from './ports';
import type { LockboxRequest } from './request';
import type { TrackedRequest } from './tracked';

/** A support case as the organisation's Azure Support API shows it. */
export interface SupportCase {
  caseNumber: string;
  title: string;
  /** As the Support API words it: Open, Closed, Updating… */
  status: string;
  severity?: string;
  createdAt?: string;
  openedBy: { name?: string; email?: string };
  service?: string;
}

/**
 * What the bot learnt about the support case a request names, when it learnt it.
 * - found: the case exists in one of our subscriptions (open or not);
 * - not-found: every subscription searched answered, and none holds the case;
 * - internal: Microsoft raised the request from an internal source (an incident…), so no case of ours is expected;
 * - no-case: the request names no case number although it says it follows a support request;
 * - failed: the lookup could not answer (permission, outage); `reason` says why.
 */
export type CaseCheck = (
  | { kind: 'found'; case: SupportCase }
  | { kind: 'not-found'; caseNumber: string }
  | { kind: 'internal'; workItemSource: string }
  | { kind: 'no-case' }
  | { kind: 'failed'; caseNumber: string; reason: string; cause: 'permission' | 'outage' | 'other' }
) & {
  checkedAt: string;
  /** REQUIRE_OPEN_SUPPORT_CASE as it was when checked, so the card hides Approve where the decide use case would refuse it. */
  required?: boolean;
};

/** Looks a request's support case up in the organisation's subscriptions. Throws UpstreamError when it cannot tell. */
export interface SupportCases {
  find(request: LockboxRequest): Promise<SupportCase | undefined>;
}

/** Finds people in the directory by the e-mail address a support case names. */
export interface PeopleFinder {
  findByEmail(email: string): Promise<{ id: string; displayName?: string } | undefined>;
}

const CASE_SOURCE = 'supportrequest';

/** Azure requests are checked; a Microsoft-internal source (anything but SupportRequest) expects no customer case. */
export function caseExpectation(request: LockboxRequest): 'not-applicable' | 'internal' | 'no-case' | 'lookup' {
  if (request.source !== 'azure') return 'not-applicable';
  const source = request.workItemSource?.trim();
  if (source && source.toLowerCase() !== CASE_SOURCE) return 'internal';
  return request.supportRequest?.trim() ? 'lookup' : 'no-case';
}

export function isOpenCase(supportCase: SupportCase): boolean {
  return !/^closed$/i.test(supportCase.status.trim());
}

/** Whether the check shows an open case of ours matching the request: what REQUIRE_OPEN_SUPPORT_CASE asks for. */
export function matchesOpenCase(check: CaseCheck | undefined): boolean {
  return check?.kind === 'found' && isOpenCase(check.case);
}

/** What a check means, in one word: for the audit trail and for comparing two checks. */
export function caseOutcome(check: CaseCheck | undefined): 'unchecked' | 'open' | 'closed' | 'not-found' | 'internal' | 'no-case' | 'failed' {
  if (!check) return 'unchecked';
  if (check.kind === 'found') return isOpenCase(check.case) ? 'open' : 'closed';
  return check.kind;
}

/** The information card a case's opener gets in their personal chat: what Microsoft asks, who decides, and the outcome. */
export interface CaseOpenerCards {
  post(conversation: Conversation, tracked: TrackedRequest): Promise<string>;
  update(conversation: Conversation, activityId: string, tracked: TrackedRequest): Promise<void>;
}

/** What the bot did to tell a case's opener about the request. */
export interface CaseOpenerNotice {
  email: string;
  /** Directory object id, when the e-mail address belongs to someone in the directory. */
  userId?: string;
  state: 'posting' | 'posted' | 'not-in-directory' | 'is-approver' | 'no-chat';
  /** Names of the people asked to decide, as the card shows them. */
  deciders: string[];
  deciderCount: number;
  activityId?: string;
  at: string;
}
