import type { Actor, Approval, Submission, Verdict } from '../decision';
import type { AuditEntry } from '../ports';
import type { TrackedRequest } from '../tracked';
import type { CoreDeps } from './deps';

/** A record keeps this many withdrawn attempt ids: enough for every click a request sees in practice. */
const KEPT_ATTEMPTS = 20;
const MAX_CONFLICTS = 5;

export type WithdrawReason = 'store-too-slow' | 'never-released' | 'superseded';

type Deps = Pick<CoreDeps, 'store' | 'clock' | 'logger'>;

/** Recorded by a click that has not released it yet (see Submission.heldBy). */
export function isHeld(submission: Submission): boolean {
  return submission.state === 'pending' && submission.attempts === 0 && submission.heldBy !== undefined;
}

/** A hold its click let run out: that click told its clicker nothing, or "nothing was decided", or died. */
export function holdExpired(submission: Submission, now: Date): boolean {
  return isHeld(submission) && ranOut(submission, now);
}

/** A first approval whose click let its hold run out: it never counts. */
export function approvalAbandoned(approval: Approval | undefined, now: Date): approval is Approval & { heldBy: string } {
  return approval?.heldBy !== undefined && ranOut(approval, now);
}

function ranOut(hold: { heldUntil?: string }, now: Date): boolean {
  return !hold.heldUntil || Date.parse(hold.heldUntil) <= now.getTime();
}

/**
 * The record with `attemptId` marked withdrawn, and what that attempt recorded removed if nobody released it:
 * the decision, or under dual control the first approval.
 */
export function withoutAttempt(tracked: TrackedRequest, attemptId: string, at: string): { next: TrackedRequest; removed?: { actor: Actor; verdict: Verdict } } {
  const attempts = [...(tracked.withdrawnAttempts ?? []).filter((id) => id !== attemptId), attemptId].slice(-KEPT_ATTEMPTS);
  const { decision, firstApproval, ...rest } = tracked;
  const decisionHeld = decision !== undefined && isHeld(decision.submission) && decision.submission.heldBy === attemptId;
  const approvalHeld = firstApproval?.heldBy === attemptId;
  const next: TrackedRequest = {
    ...rest,
    ...(decision && !decisionHeld ? { decision } : {}),
    ...(firstApproval && !approvalHeld ? { firstApproval } : {}),
    withdrawnAttempts: attempts,
    cardsStale: decisionHeld || approvalHeld || tracked.cardsStale,
    updatedAt: at,
  };
  const removed = decisionHeld ? decision : approvalHeld ? { actor: firstApproval.actor, verdict: 'approve' as const } : undefined;
  return removed ? { next, removed } : { next };
}

/**
 * Makes sure a decision attempt is never sent: a tombstone on the request record, written by compare-and-set,
 * so a write of that attempt still on its way either fails against it (its etag is older) or is removed by it
 * (it landed first). A decision its click already released stands: that clicker was told it was recorded.
 * Resolves true once the tombstone is stored.
 */
export async function withdrawAttempt(deps: Deps, requestKey: string, attemptId: string, reason: WithdrawReason): Promise<boolean> {
  for (let conflicts = 0; conflicts < MAX_CONFLICTS; conflicts++) {
    const found = await deps.store.getRequest(requestKey);
    if (!found) return false;
    const ours = found.value.decision?.submission.heldBy === attemptId || found.value.firstApproval?.heldBy === attemptId;
    if (!ours && found.value.withdrawnAttempts?.includes(attemptId)) return true;
    const now = deps.clock.now();
    const { next, removed } = withoutAttempt(found.value, attemptId, now.toISOString());
    // The tombstone and the audit entry of what it removed in one write: on SQLite a crash keeps both or neither.
    if (!(await deps.store.replaceRequest(next, found.etag, removed ? [withdrawalEntry(now, requestKey, removed, attemptId, reason)] : []))) continue;
    if (removed) logWithdrawal(deps, requestKey, reason);
    return true;
  }
  return false;
}

/** The click that recorded a first approval releases it once the store confirmed it in time: from then on it counts. */
export async function releaseApproval(deps: Deps, requestKey: string, attemptId: string): Promise<TrackedRequest | undefined> {
  for (let conflicts = 0; conflicts < MAX_CONFLICTS; conflicts++) {
    const found = await deps.store.getRequest(requestKey);
    const approval = found?.value.firstApproval;
    if (!found || approval?.heldBy !== attemptId) return found?.value;
    const { heldBy: _released, heldUntil: _until, ...released } = approval;
    const next: TrackedRequest = { ...found.value, firstApproval: released };
    if (await deps.store.replaceRequest(next, found.etag)) return next;
  }
  return undefined;
}

/** The audit entry of a withdrawal, for a caller that stores it with the write that withdrew it. */
export function withdrawalEntry(now: Date, requestKey: string, withdrawn: { actor: Actor; verdict: Verdict }, attemptId: string, reason: WithdrawReason): AuditEntry {
  return { at: now.toISOString(), kind: 'decision.withdrawn', requestKey, actor: withdrawn.actor, detail: { verdict: withdrawn.verdict, reason, attemptId } };
}

export function logWithdrawal(deps: Pick<Deps, 'logger'>, requestKey: string, reason: WithdrawReason): void {
  deps.logger.warn('Withdrew a decision that was never confirmed to its clicker; it is not sent to Microsoft', { requestKey, reason });
}
