import { actorName, statusShows, verdictWord, type Submission } from '../decision';
import { SourceNotConfigured, UpstreamError } from '../errors';
import { isFinalStatus } from '../request';
import type { TrackedRequest } from '../tracked';
import type { Versioned } from '../ports';
import type { CoreDeps } from './deps';
import { syncCards } from './card-sync';

type Deps = Pick<CoreDeps, 'store' | 'sources' | 'messenger' | 'clock' | 'logger' | 'telemetry' | 'submissionLeaseMs'>;

const DEFAULT_LEASE_MS = 60_000;

/**
 * Sends a recorded decision upstream, exactly once: a lease taken by compare-and-set keeps two
 * workers apart, and a retry first asks upstream whether the request is still pending.
 * Returns the stored state afterwards (unchanged when another worker holds the lease).
 */
export async function submitDecision(deps: Deps, requestKey: string, options: { awaitCards?: boolean } = {}): Promise<TrackedRequest | undefined> {
  const leased = await takeLease(deps, requestKey);
  if (!leased) return (await deps.store.getRequest(requestKey))?.value;
  const { value: tracked } = leased;
  const decision = tracked.decision!;
  const source = deps.sources.get(tracked.request.source);
  if (!source) throw new SourceNotConfigured(tracked.request.source);

  let outcome: Partial<Submission> & { status?: string };
  try {
    const current = decision.submission.attempts > 1 ? await source.getRequest(tracked.request) : undefined;
    if (current && current.status !== 'Pending') {
      const ours = statusShows(current.status, decision.verdict);
      outcome = { state: ours ? 'submitted' : 'adopted', upstreamStatus: current.status, status: current.status };
    } else {
      const reason = decision.comment || `${capitalised(verdictWord(decision.verdict))} in Teams by ${actorName(decision.actor)}`;
      const { upstreamStatus } = await source.submitDecision(tracked.request, decision.verdict, reason);
      const adopted = !statusShows(upstreamStatus, decision.verdict);
      outcome = { state: adopted ? 'adopted' : 'submitted', upstreamStatus, status: upstreamStatus };
    }
  } catch (error) {
    const transient = !(error instanceof UpstreamError) || error.transient;
    outcome = { state: transient ? 'pending' : 'failed', lastError: error instanceof Error ? error.message : String(error) };
  }
  return finish(deps, leased, outcome, options.awaitCards ?? true);
}

async function takeLease(deps: Deps, requestKey: string): Promise<Versioned<TrackedRequest> | undefined> {
  const found = await deps.store.getRequest(requestKey);
  const submission = found?.value.decision?.submission;
  if (!found || !submission || submission.state !== 'pending') return undefined;
  const now = deps.clock.now();
  if (submission.leaseUntil && Date.parse(submission.leaseUntil) > now.getTime()) return undefined;
  const leased: TrackedRequest = {
    ...found.value,
    decision: {
      ...found.value.decision!,
      submission: { ...submission, attempts: submission.attempts + 1, leaseUntil: new Date(now.getTime() + (deps.submissionLeaseMs ?? DEFAULT_LEASE_MS)).toISOString() },
    },
  };
  const etag = await deps.store.replaceRequest(leased, found.etag);
  return etag ? { value: leased, etag } : undefined;
}

async function finish(deps: Deps, leased: Versioned<TrackedRequest>, outcome: Partial<Submission> & { status?: string }, awaitCards: boolean): Promise<TrackedRequest> {
  const { status, ...submissionChanges } = outcome;
  const now = deps.clock.now().toISOString();
  const tracked = leased.value;
  const decision = tracked.decision!;
  const final = outcome.state !== 'pending';
  const next: TrackedRequest = {
    ...tracked,
    request: status ? { ...tracked.request, status } : tracked.request,
    cardsStale: tracked.cardsStale || final,
    decision: {
      ...decision,
      submission: { ...decision.submission, ...submissionChanges, leaseUntil: undefined, completedAt: final ? now : undefined },
    },
    updatedAt: now,
  };
  if (!(await deps.store.replaceRequest(next, leased.etag))) {
    // Only the lease holder writes the submission, so a conflict means the watcher refreshed the request meanwhile.
    const fresh = await deps.store.getRequest(tracked.key);
    const merged = { ...fresh?.value, request: status ? { ...fresh!.value.request, status } : fresh?.value.request, decision: next.decision, cardsStale: next.cardsStale, updatedAt: now } as TrackedRequest;
    if (!fresh || !(await deps.store.replaceRequest(merged, fresh.etag))) {
      deps.logger.error('Could not store the outcome of a decision submission; it will be retried', { requestKey: tracked.key });
      return tracked;
    }
  }
  await audit(deps, next, outcome);
  if (final || isFinalStatus(next.request.status)) {
    const cards = syncCards(deps, next.key);
    if (awaitCards) await cards;
  }
  return next;
}

async function audit(deps: Deps, next: TrackedRequest, outcome: Partial<Submission>): Promise<void> {
  const kind = outcome.state === 'submitted' ? 'decision.submitted'
    : outcome.state === 'adopted' ? 'decision.adopted'
      : outcome.state === 'failed' ? 'decision.failed' : 'decision.retrying';
  const log = outcome.state === 'pending' || outcome.state === 'failed' ? deps.logger.warn : deps.logger.info;
  log.call(deps.logger, `Decision submission: ${outcome.state}`, { requestKey: next.key, upstreamStatus: outcome.upstreamStatus, error: outcome.lastError });
  deps.telemetry.event('DecisionSubmission', { outcome: outcome.state ?? 'unknown', source: next.request.source });
  await deps.store.appendAudit({
    at: deps.clock.now().toISOString(),
    kind,
    requestKey: next.key,
    actor: next.decision!.actor,
    detail: { upstreamStatus: outcome.upstreamStatus, error: outcome.lastError, attempts: next.decision!.submission.attempts },
  });
}

function capitalised(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
