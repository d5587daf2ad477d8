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

export type SubmissionState = 'pending' | 'submitted' | 'adopted' | 'failed';

export interface Submission {
  state: SubmissionState;
  attempts: number;
  /** While set and in the future, one worker owns the upstream call. */
  leaseUntil?: string;
  lastError?: string;
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
