import type { Decision, Submission } from '../decision';
import type { TrackedRequest } from '../tracked';
import type { CoreDeps } from './deps';

/** A record keeps this many withdrawn attempt ids: enough for every click a request sees in practice. */
const KEPT_ATTEMPTS = 20;
const MAX_CONFLICTS = 5;

export type WithdrawReason = 'store-too-slow' | 'never-released' | 'superseded';

/** Recorded by a click that has not released it yet (see Submission.heldBy). */
export function isHeld(submission: Submission): boolean {
  return submission.state === 'pending' && submission.attempts === 0 && submission.heldBy !== undefined;
}

/** A hold its click let run out: that click told its clicker nothing, or "nothing was decided", or died. */
export function holdExpired(submission: Submission, now: Date): boolean {
  return isHeld(submission) && (!submission.heldUntil || Date.parse(submission.heldUntil) <= now.getTime());
}

/** The record with `attemptId` marked withdrawn, and its decision removed if that attempt recorded it and nobody released it. */
export function withoutAttempt(tracked: TrackedRequest, attemptId: string, at: string): { next: TrackedRequest; removed: boolean } {
  const attempts = [...(tracked.withdrawnAttempts ?? []).filter((id) => id !== attemptId), attemptId].slice(-KEPT_ATTEMPTS);
  const submission = tracked.decision?.submission;
  const removed = submission !== undefined && isHeld(submission) && submission.heldBy === attemptId;
  if (!removed) return { next: { ...tracked, withdrawnAttempts: attempts, updatedAt: at }, removed };
  const { decision: _withdrawn, ...rest } = tracked;
  return { next: { ...rest, withdrawnAttempts: attempts, cardsStale: true, updatedAt: at }, removed };
}

/**
 * Makes sure a decision attempt is never sent: a tombstone on the request record, written by compare-and-set,
 * so a write of that attempt still on its way either fails against it (its etag is older) or is removed by it
 * (it landed first). A decision its click already released stands: that clicker was told it was recorded.
 * Resolves true once the tombstone is stored.
 */
export async function withdrawAttempt(deps: Pick<CoreDeps, 'store' | 'clock' | 'logger'>, requestKey: string, attemptId: string, reason: WithdrawReason): Promise<boolean> {
  for (let conflicts = 0; conflicts < MAX_CONFLICTS; conflicts++) {
    const found = await deps.store.getRequest(requestKey);
    if (!found) return false;
    const ours = found.value.decision?.submission.heldBy === attemptId;
    if (!ours && found.value.withdrawnAttempts?.includes(attemptId)) return true;
    const { next, removed } = withoutAttempt(found.value, attemptId, deps.clock.now().toISOString());
    if (!(await deps.store.replaceRequest(next, found.etag))) continue;
    if (removed) await auditWithdrawal(deps, requestKey, found.value.decision!, reason);
    return true;
  }
  return false;
}

export async function auditWithdrawal(deps: Pick<CoreDeps, 'store' | 'clock' | 'logger'>, requestKey: string, withdrawn: Decision, reason: WithdrawReason): Promise<void> {
  deps.logger.warn('Withdrew a decision that was never confirmed to its clicker; it is not sent to Microsoft', { requestKey, reason });
  await deps.store.appendAudit({ at: deps.clock.now().toISOString(), kind: 'decision.withdrawn', requestKey, actor: withdrawn.actor, detail: { verdict: withdrawn.verdict, reason, attemptId: withdrawn.submission.heldBy } });
}
