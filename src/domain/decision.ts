export type Verdict = 'approve' | 'reject';

/** The longest comment a decision carries: the card's comment box allows exactly this many characters. */
export const COMMENT_MAX_LENGTH = 500;

/** The person behind a Teams activity, as Teams identified them (never as a card claimed). */
export interface Actor {
  aadObjectId: string;
  tenantId: string;
  name?: string;
  userPrincipalName?: string;
}

/**
 * pending: not yet answered by Microsoft; sent: Microsoft answered, but its own state does not show the
 * decision yet; submitted: Microsoft's state shows it; adopted: Microsoft's state shows something else;
 * failed: Microsoft refused it for good (or never showed it), so it may be decided again.
 */
export type SubmissionState = 'pending' | 'sent' | 'submitted' | 'adopted' | 'failed';

/** Why a submission is not (yet) what was asked, when a specific message fits better than the error text. */
export type SubmissionProblem = 'gone' | 'conflict' | 'sign-in' | 'unconfirmed' | 'odd-answer' | 'not-permitted';

export interface Submission {
  state: SubmissionState;
  attempts: number;
  /** While set and in the future, one worker owns the upstream call. */
  leaseUntil?: string;
  lastError?: string;
  problem?: SubmissionProblem;
  /**
   * The click that recorded it (its attempt id): nobody sends it until that click releases it, which it does
   * only once the store confirmed the write in time to tell the clicker so. A write that landed after the
   * clicker was told "nothing was decided" is therefore never sent, whatever happens to that click's process.
   */
  heldBy?: string;
  /** When an unreleased hold counts as abandoned: the decision is then withdrawn (see takeOverHeld). */
  heldUntil?: string;
  /** When Microsoft first answered the call: from then on its state is read back until it shows the outcome. */
  sentAt?: string;
  /** The upstream status once known: what Microsoft now says about the request. */
  upstreamStatus?: string;
  completedAt?: string;
}

/** One approver's yes, when two are needed. */
export interface Approval {
  actor: Actor;
  comment: string;
  at: string;
  roles: string[];
  /** As Submission.heldBy: it counts towards a decision only once the click that recorded it released it. */
  heldBy?: string;
  heldUntil?: string;
}

export interface Decision {
  /** Under dual control: the first of the two approvals; `actor` made the second. */
  firstApproval?: Approval;
  verdict: Verdict;
  actor: Actor;
  comment: string;
  decidedAt: string;
  /** Which of the actor's roles allowed the decision, for the audit trail. */
  roles: string[];
  submission: Submission;
}

export function upstreamVerb(verdict: Verdict): 'Approve' | 'Deny' {
  return verdict === 'approve' ? 'Approve' : 'Deny';
}

export function expectedStatus(verdict: Verdict): 'Approved' | 'Denied' {
  return verdict === 'approve' ? 'Approved' : 'Denied';
}

/** Does an upstream status show this verdict, finished or on its way ("Approving")? */
export function statusShows(status: string, verdict: Verdict): boolean {
  return verdict === 'approve' ? status === 'Approved' || status === 'Approving' : status === 'Denied' || status === 'Denying';
}

/** "approved" or "rejected", as people say it. */
export function verdictWord(verdict: Verdict): 'approved' | 'rejected' {
  return verdict === 'approve' ? 'approved' : 'rejected';
}

export function actorName(actor: Actor): string {
  return actor.name ?? actor.userPrincipalName ?? actor.aadObjectId;
}

/** Object ids and tenant ids are GUIDs, which Microsoft writes in either case. */
export function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
