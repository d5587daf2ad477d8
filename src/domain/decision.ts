export type Verdict = 'approve' | 'reject';

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

export interface Decision {
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
