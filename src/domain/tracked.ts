import type { Approval, Decision } from './decision';
import { pageAwaitsResolve } from './paging';
import { isFinalStatus, requestKey, type LockboxRequest } from './request';
import type { CaseCheck, CaseOpenerNotice } from './support-case';

/** A request the bot has seen, with what the bot did about it. */
export interface TrackedRequest {
  key: string;
  request: LockboxRequest;
  decision?: Decision;
  /** Under dual control, the first approval while a second, different approver is awaited. */
  firstApproval?: Approval;
  /** Set when the state changed and not every copy of the card shows it yet; cleared once they all do. */
  cardsStale?: boolean;
  /**
   * Notification milestones (arrival, reminders) and their parts (`<milestone>/feed`, `<milestone>/chat/<user>`…)
   * by id: claimed, sent or skipped, so none repeats.
   */
  notifications?: Record<string, NotificationRecord>;
  /** The approvers a card was posted to, so each copy can say who else may decide. */
  asked?: AskedApprover[];
  /** Upstream answered "not found" on consecutive checks since `since`; cleared once it is seen again. */
  missing?: { since: string; checks: number };
  /** Closed because upstream stopped knowing it (subscription removed, access lost): nothing more can happen to it. */
  goneAt?: string;
  /** Azure only: what the latest look-up of the request's support case found. */
  supportCase?: CaseCheck;
  /** Whether and how the person who opened the support case was told. */
  caseOpener?: CaseOpenerNotice;
  /**
   * Decision attempts whose clicker was told "nothing was decided", newest last. Written by compare-and-set
   * on this record, so a late write of such an attempt either fails against it or is removed by it.
   */
  withdrawnAttempts?: string[];
  firstSeenAt: string;
  updatedAt: string;
}

export interface AskedApprover {
  userId: string;
  name?: string;
}

export interface NotificationRecord {
  state: 'sending' | 'sent' | 'skipped';
  at: string;
  /** A chat message that was posted, so a later one can link to it. */
  activityId?: string;
}

export function track(request: LockboxRequest, now: Date): TrackedRequest {
  const at = now.toISOString();
  return { key: requestKey(request), request, firstSeenAt: at, updatedAt: at };
}

/** Still worth watching: upstream may change it, our decision has not reached upstream, cards lag behind, or a page awaits its resolve. */
export function isOpen(t: TrackedRequest): boolean {
  if (t.cardsStale === true || pageAwaitsResolve(t)) return true;
  const state = t.decision?.submission.state;
  return !t.goneAt && (!isFinalStatus(t.request.status) || state === 'pending' || state === 'sent');
}

/** Can a person still decide it from Teams? A decision Microsoft refused for good can be made again. */
export function isActionable(t: TrackedRequest, now: Date): boolean {
  const open = !t.goneAt && (!t.decision || t.decision.submission.state === 'failed');
  return open && t.request.status === 'Pending' && Date.parse(t.request.expiresAt) > now.getTime();
}
