import { actorName, statusShows, verdictWord, type Submission, type Verdict } from '../decision';
import { RequestGone, SourceNotConfigured, UpstreamConflict, UpstreamError, UpstreamNotPermitted, UpstreamSignIn } from '../errors';
import { movesOn } from '../request';
import type { TrackedRequest } from '../tracked';
import type { AuditEntry, LockboxSource, Versioned } from '../ports';
import type { CoreDeps } from './deps';
import { syncCards, syncCardsSoon } from './card-sync';
import { holdExpired, isHeld, withdrawAttempt } from './withdraw';

type Deps = Pick<CoreDeps, 'store' | 'sources' | 'messenger' | 'clock' | 'logger' | 'telemetry' | 'submissionLeaseMs' | 'confirmWindowMs' | 'whenQuiet'>;

const DEFAULT_LEASE_MS = 60_000;
const DEFAULT_CONFIRM_WINDOW_MS = 15 * 60_000;
const MAX_CONFLICTS = 5;

/**
 * Sends a recorded decision upstream, exactly once: a lease taken by compare-and-set keeps two
 * workers apart, and a retry first asks upstream whether the request is still pending. Microsoft's
 * answer alone proves nothing (a proxy can answer 200): the request is read back, and only a status
 * that shows the decision makes it submitted. Returns the stored state afterwards (unchanged when
 * another worker holds the lease).
 */
export async function submitDecision(deps: Deps, requestKey: string, options: { awaitCards?: boolean; releasedBy?: string } = {}): Promise<TrackedRequest | undefined> {
  const leased = await takeLease(deps, requestKey, options.releasedBy);
  if (!leased) return (await deps.store.getRequest(requestKey))?.value;
  const { value: tracked } = leased;
  const decision = tracked.decision!;
  const source = deps.sources.get(tracked.request.source);
  if (!source) throw new SourceNotConfigured(tracked.request.source);

  let outcome: Outcome;
  try {
    const current = decision.submission.attempts > 1 ? await source.getRequest(tracked.request) : undefined;
    if (current && current.status !== 'Pending') {
      outcome = judge(decision.verdict, current.status);
    } else {
      const reason = decision.comment || `${capitalised(verdictWord(decision.verdict))} in Teams by ${actorName(decision.actor)}`;
      const answer = await source.submitDecision(tracked.request, decision.verdict, reason);
      outcome = answer.upstreamStatus && answer.upstreamStatus !== 'Pending'
        ? judge(decision.verdict, answer.upstreamStatus)
        : await readBack(deps, source, tracked, { state: 'sent', sentAt: deps.clock.now().toISOString(), ...(answer.anomaly ? { lastError: answer.anomaly, problem: 'odd-answer' } : {}) });
    }
  } catch (error) {
    outcome = failure(error);
  }
  return finish(deps, leased, outcome, options.awaitCards ?? true);
}

/**
 * A decision Microsoft answered but whose state did not show it yet: reads the request back. Once it
 * shows the decision (or another outcome) that is what the bot says; if it stays Pending past
 * `confirmWindowMs`, Microsoft did not take the decision and people may decide again.
 */
export async function confirmDecision(deps: Deps, requestKey: string): Promise<TrackedRequest | undefined> {
  const found = await deps.store.getRequest(requestKey);
  const submission = found?.value.decision?.submission;
  if (!found || submission?.state !== 'sent') return found?.value;
  const source = deps.sources.get(found.value.request.source);
  if (!source) throw new SourceNotConfigured(found.value.request.source);
  let outcome = await readBack(deps, source, found.value, {});
  const sentAt = Date.parse(submission.sentAt ?? found.value.decision!.decidedAt);
  if (outcome.state === 'sent' && deps.clock.now().getTime() - sentAt >= (deps.confirmWindowMs ?? DEFAULT_CONFIRM_WINDOW_MS)) {
    outcome = { state: 'failed', problem: 'unconfirmed', lastError: 'Microsoft answered, but its record of the request still shows it waiting for a decision' };
  }
  if (outcome.state === 'sent' && !outcome.status) return found.value;
  return finish(deps, found, outcome, true);
}

type Outcome = Partial<Submission> & { status?: string };

/** What an upstream status says about our decision: it shows it, or something else happened there. */
function judge(verdict: Verdict, status: string): Outcome {
  return { state: statusShows(status, verdict) ? 'submitted' : 'adopted', upstreamStatus: status, status, problem: undefined, lastError: undefined };
}

/** Reads the request back; while Microsoft still shows it Pending (or cannot be asked) the decision stays sent. */
async function readBack(deps: Deps, source: LockboxSource, tracked: TrackedRequest, sent: Outcome): Promise<Outcome> {
  try {
    const current = await source.getRequest(tracked.request);
    // A single "not found" proves nothing (the request-gone rule needs several); the window still applies.
    if (current && current.status !== 'Pending' && current.status !== 'Initializing') return judge(tracked.decision!.verdict, current.status);
  } catch (error) {
    deps.logger.warn('Could not read a decided request back from Microsoft; will try again', { requestKey: tracked.key, error: String(error) });
  }
  return { state: 'sent', ...sent };
}

function failure(error: unknown): Outcome {
  const message = error instanceof Error ? error.message : String(error);
  const problem = error instanceof RequestGone ? 'gone' : error instanceof UpstreamConflict ? 'conflict' : error instanceof UpstreamSignIn ? 'sign-in' : error instanceof UpstreamNotPermitted ? 'not-permitted' : undefined;
  const transient = !(error instanceof UpstreamError) || error.transient;
  return { state: transient ? 'pending' : 'failed', lastError: message, ...(problem ? { problem } : {}) };
}

/**
 * Compare-and-set. A held decision is taken only by the click that recorded it (`releasedBy`, its attempt id),
 * which retries on conflicts since nobody else will send it; one whose hold ran out unreleased is withdrawn.
 */
async function takeLease(deps: Deps, requestKey: string, releasedBy: string | undefined): Promise<Versioned<TrackedRequest> | undefined> {
  for (let conflicts = 0; conflicts <= MAX_CONFLICTS; conflicts++) {
    const found = await deps.store.getRequest(requestKey);
    const submission = found?.value.decision?.submission;
    if (!found || !submission || submission.state !== 'pending') return undefined;
    const now = deps.clock.now();
    if (submission.leaseUntil && Date.parse(submission.leaseUntil) > now.getTime()) return undefined;
    if (isHeld(submission) && submission.heldBy !== releasedBy) {
      if (holdExpired(submission, now)) await withdrawAttempt(deps, requestKey, submission.heldBy!, 'never-released');
      return undefined;
    }
    // A hold without an attempt id (stored before holds had one) only delays sending, as it did then.
    if (!releasedBy && submission.attempts === 0 && submission.heldUntil && Date.parse(submission.heldUntil) > now.getTime()) return undefined;
    const leased: TrackedRequest = {
      ...found.value,
      decision: {
        ...found.value.decision!,
        submission: { ...submission, heldBy: undefined, heldUntil: undefined, attempts: submission.attempts + 1, leaseUntil: new Date(now.getTime() + (deps.submissionLeaseMs ?? DEFAULT_LEASE_MS)).toISOString() },
      },
    };
    const etag = await deps.store.replaceRequest(leased, found.etag);
    if (etag) return { value: leased, etag };
    if (!releasedBy) return undefined;
  }
  return undefined;
}

async function finish(deps: Deps, leased: Versioned<TrackedRequest>, outcome: Outcome, awaitCards: boolean): Promise<TrackedRequest> {
  const { status: reported, ...submissionChanges } = outcome;
  // What Microsoft reports moves the request on; a status behind the stored one is an older view.
  const status = reported && movesOn(leased.value.request.status, reported) ? reported : undefined;
  const now = deps.clock.now().toISOString();
  const tracked = leased.value;
  const decision = tracked.decision!;
  const final = outcome.state !== 'pending';
  const changed = final && (outcome.state !== decision.submission.state || status !== undefined);
  const next: TrackedRequest = {
    ...tracked,
    request: status ? { ...tracked.request, status } : tracked.request,
    cardsStale: tracked.cardsStale || changed,
    decision: {
      ...decision,
      submission: { ...decision.submission, ...submissionChanges, leaseUntil: undefined, completedAt: final && outcome.state !== 'sent' ? now : undefined },
    },
    updatedAt: now,
  };
  // The outcome and its audit entry in one write: on SQLite a crash keeps both or neither.
  const audited = changed || outcome.state === 'pending' ? [auditEntry(deps, next, outcome)] : [];
  if (!(await deps.store.replaceRequest(next, leased.etag, audited))) {
    // Only the lease holder writes the submission, so a conflict means the watcher refreshed the request meanwhile.
    const fresh = await deps.store.getRequest(tracked.key);
    const freshStatus = status && fresh && movesOn(fresh.value.request.status, status) ? status : undefined;
    const merged = { ...fresh?.value, request: freshStatus ? { ...fresh!.value.request, status: freshStatus } : fresh?.value.request, decision: next.decision, cardsStale: next.cardsStale, updatedAt: now } as TrackedRequest;
    if (!fresh || !(await deps.store.replaceRequest(merged, fresh.etag, audited))) {
      deps.logger.error('Could not store the outcome of a decision submission; it will be retried', { requestKey: tracked.key });
      return tracked;
    }
  }
  if (!audited.length) return next;
  report(deps, next, outcome);
  if (changed) {
    if (awaitCards) await syncCards(deps, next.key);
    else void syncCardsSoon(deps, next.key);
  }
  return next;
}

function auditEntry(deps: Deps, next: TrackedRequest, outcome: Partial<Submission>): AuditEntry {
  const kind = outcome.state === 'submitted' ? 'decision.submitted'
    : outcome.state === 'sent' ? 'decision.sent'
    : outcome.state === 'adopted' ? 'decision.adopted'
      : outcome.state === 'failed' ? 'decision.failed' : 'decision.retrying';
  return {
    at: deps.clock.now().toISOString(),
    kind,
    requestKey: next.key,
    actor: next.decision!.actor,
    detail: { upstreamStatus: outcome.upstreamStatus, error: outcome.lastError, problem: outcome.problem, attempts: next.decision!.submission.attempts },
  };
}

function report(deps: Deps, next: TrackedRequest, outcome: Partial<Submission>): void {
  const log = outcome.state === 'pending' || outcome.state === 'failed' ? deps.logger.warn : deps.logger.info;
  log.call(deps.logger, `Decision submission: ${outcome.state}`, { requestKey: next.key, upstreamStatus: outcome.upstreamStatus, error: outcome.lastError });
  deps.telemetry.event('DecisionSubmission', { outcome: outcome.state ?? 'unknown', source: next.request.source });
}

function capitalised(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
