import type { LockboxSource } from '../ports';
import type { LockboxRequest, SourceKind } from '../request';
import { isOpen, track, type TrackedRequest } from '../tracked';
import { syncCards } from './card-sync';
import type { CoreDeps } from './deps';
import { deliverCards } from './deliver';
import { submitDecision } from './submit';

export interface SourcePollReport {
  source: SourceKind;
  ok: boolean;
  pending: number;
  error?: string;
  /** Scopes (e.g. subscriptions) that failed while the rest of the source answered. */
  failures: { scope: string; error: string }[];
}

export interface PollReport {
  at: string;
  ok: boolean;
  sources: SourcePollReport[];
  detected: number;
  posted: number;
}

/**
 * One watcher cycle: store every new Pending request, follow the ones already tracked,
 * finish decisions that have not reached upstream, and post cards to approvers who lack one.
 */
export async function pollOnce(deps: CoreDeps): Promise<PollReport> {
  const at = deps.clock.now().toISOString();
  const report: PollReport = { at, ok: true, sources: [], detected: 0, posted: 0 };
  const listed = new Map<string, SourceKind>();
  const healthy = new Set<SourceKind>();

  for (const source of deps.sources.values()) {
    const sourceReport = await pollSource(deps, source, listed);
    report.detected += sourceReport.detected;
    report.sources.push(sourceReport.report);
    if (sourceReport.report.ok) healthy.add(source.kind);
    else report.ok = false;
  }

  for (const { value: tracked } of await deps.store.listOpenRequests()) {
    try {
      const current = await follow(deps, tracked, listed, healthy);
      if (current) report.posted += (await deliverCards(deps, current)).posted;
    } catch (error) {
      report.ok = false;
      deps.logger.error('Could not follow a lockbox request', { requestKey: tracked.key, error: String(error) });
    }
  }
  return report;
}

async function pollSource(deps: CoreDeps, source: LockboxSource, listed: Map<string, SourceKind>) {
  const report: SourcePollReport = { source: source.kind, ok: true, pending: 0, failures: [] };
  let detected = 0;
  try {
    const listing = await source.listPending();
    report.failures = listing.failures;
    report.pending = listing.requests.length;
    for (const request of listing.requests) {
      const { key, isNew } = await remember(deps, request);
      listed.set(key, source.kind);
      if (isNew) detected++;
    }
    for (const failure of listing.failures) deps.logger.warn('A lockbox scope could not be polled', { source: source.kind, ...failure });
  } catch (error) {
    report.ok = false;
    report.error = error instanceof Error ? error.message : String(error);
    deps.logger.error('Polling a lockbox source failed; will retry next interval', { source: source.kind, error: report.error });
    deps.telemetry.exception(error, { source: source.kind });
  }
  return { report, detected };
}

/** Stores a request seen upstream: new ones are audited, known ones refreshed without losing our decision. */
async function remember(deps: CoreDeps, request: LockboxRequest): Promise<{ key: string; isNew: boolean }> {
  const fresh = track(request, deps.clock.now());
  if (await deps.store.insertRequest(fresh)) {
    deps.logger.info('New lockbox request', { requestKey: fresh.key, source: request.source, expiresAt: request.expiresAt });
    deps.telemetry.event('RequestDetected', { source: request.source });
    await deps.store.appendAudit({ at: fresh.firstSeenAt, kind: 'request.detected', requestKey: fresh.key, detail: { request } });
    return { key: fresh.key, isNew: true };
  }
  await refresh(deps, fresh.key, request);
  return { key: fresh.key, isNew: false };
}

/** Replaces the stored upstream view of a request when it changed; cards follow a status change. */
async function refresh(deps: CoreDeps, key: string, request: LockboxRequest): Promise<TrackedRequest | undefined> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const stored = await deps.store.getRequest(key);
    if (!stored) return undefined;
    const before = stored.value.request;
    if (before.status === request.status && before.expiresAt === request.expiresAt) return stored.value;
    const next = { ...stored.value, request, updatedAt: deps.clock.now().toISOString() };
    if (await deps.store.replaceRequest(next, stored.etag)) {
      if (before.status !== request.status) {
        deps.logger.info('Lockbox request changed upstream', { requestKey: key, from: before.status, to: request.status });
        await deps.store.appendAudit({ at: next.updatedAt, kind: 'request.status-changed', requestKey: key, detail: { from: before.status, to: request.status } });
        await syncCards(deps, next);
      }
      return next;
    }
  }
  return undefined;
}

async function follow(deps: CoreDeps, tracked: TrackedRequest, listed: Map<string, SourceKind>, healthy: Set<SourceKind>) {
  if (tracked.decision?.submission.state === 'pending') return submitDecision(deps, tracked.key);
  if (listed.has(tracked.key) || !healthy.has(tracked.request.source) || !isOpen(tracked)) return tracked;
  // Tracked as open but no longer listed as Pending: decided in the portal, expired, or cancelled.
  const source = deps.sources.get(tracked.request.source)!;
  const current = await source.getRequest(tracked.request);
  const status = current?.status ?? 'Expired';
  return refresh(deps, tracked.key, current ?? { ...tracked.request, status });
}
