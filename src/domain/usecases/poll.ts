import { pageAwaitsResolve } from '../paging';
import type { Directory, LockboxSource, ScopeFailure } from '../ports';
import { hasExpired, movesOn, type LockboxRequest, type SourceKind } from '../request';
import { isOpen, track, type TrackedRequest } from '../tracked';
import { syncCards } from './card-sync';
import { checkNewCases, checkSupportCase, needsCaseCheck } from './check-support-case';
import { informCaseOpener } from './inform-case-opener';
import type { CoreDeps } from './deps';
import { deliverCards } from './deliver';
import { noteFound, noteMissing } from './gone';
import { notifyPeople } from './escalate';
import { pageOnCall } from './page';
import { confirmDecision, submitDecision } from './submit';
import { approvalAbandoned, withdrawAttempt } from './withdraw';

export interface SourcePollReport {
  source: SourceKind;
  ok: boolean;
  pending: number;
  error?: string;
  /** Scopes (e.g. subscriptions) that failed while the rest of the source answered. */
  failures: ScopeFailure[];
  /** Azure: the subscriptions watched, by name where known. */
  subscriptions?: { id: string; name?: string }[];
  /** Records left out because they could not be followed at all (no id). */
  skippedRecords: number;
}

export interface PollReport {
  at: string;
  ok: boolean;
  sources: SourcePollReport[];
  detected: number;
  /** First cards queued for the delivery worker this cycle. */
  queued: number;
  /** Set when the follow-up ran out of time: the last request followed; the next cycle carries on after it. */
  followedUpTo?: string;
}

export interface PollOptions {
  /**
   * How long following tracked requests may take before the cycle ends, so the next detection is never
   * more than about one interval away however many requests are open; the rest is followed next cycle.
   */
  followUpBudgetMs?: number;
  /** Where the previous cycle stopped (its `followedUpTo`): following starts after it, so every request gets its turn. */
  startAfter?: string;
}

/** How long new requests' cards may wait for their support case, so they are posted complete. */
const CASE_CHECK_BUDGET_MS = 2500;

/** What one cycle learnt from the sources: which requests are listed, and which are out of sight. */
interface Sighting {
  listed: Set<string>;
  /** Requests whose source or subscription could not be listed this cycle: nothing is concluded about them. */
  unseen(request: LockboxRequest): boolean;
}

/**
 * One watcher cycle: store every new Pending request, follow the ones already tracked,
 * finish decisions that have not reached upstream, and queue cards for approvers who lack one (the
 * delivery worker sends them, so a cycle never waits for Teams' pace).
 */
export async function pollOnce(deps: CoreDeps, options: PollOptions = {}): Promise<PollReport> {
  const report: PollReport = { at: deps.clock.now().toISOString(), ok: true, sources: [], detected: 0, queued: 0 };
  const listed = new Set<string>();
  const failedSources = new Set<SourceKind>();
  const failedSubscriptions = new Set<string>();

  for (const source of deps.sources.values()) {
    const { report: sourceReport, detected, failedScopes } = await pollSource(deps, source, listed);
    report.detected += detected;
    report.sources.push(sourceReport);
    if (!sourceReport.ok) failedSources.add(source.kind);
    failedScopes.forEach((s) => failedSubscriptions.add(s));
    report.ok &&= sourceReport.ok;
  }
  const sighting: Sighting = {
    listed,
    unseen: (r) => failedSources.has(r.source) || [r.subscriptionId, r.listedIn].some((s) => s !== undefined && failedSubscriptions.has(s)),
  };

  // Approvers are asked once per cycle for each kind of request, not once per request.
  const cycleDeps = { ...deps, directory: memoizedApprovers(deps.directory) };
  const caseChecks: string[] = [];
  const followStarted = deps.clock.now().getTime();
  const outOfTime = () => options.followUpBudgetMs !== undefined && deps.clock.now().getTime() - followStarted >= options.followUpBudgetMs;
  const open = inTurn((await deps.store.listOpenRequests()).map((v) => v.value), options.startAfter);
  // Only requests detected in this cycle wait for their case, and for at most half the follow-up budget.
  const detectedNow = open.filter((t) => t.firstSeenAt >= report.at);
  const checked = await checkNewCases(deps, detectedNow, Math.min(CASE_CHECK_BUDGET_MS, (options.followUpBudgetMs ?? Infinity) / 2)).catch(() => new Map<string, TrackedRequest>());
  for (const tracked of open.map((t) => checked.get(t.key) ?? t)) {
    // At least one request per cycle, so following moves on however short the budget.
    if (report.followedUpTo !== undefined && outOfTime()) break;
    report.followedUpTo = tracked.key;
    try {
      if (tracked.cardsStale) await syncCards(deps, tracked.key);
      const current = await follow(deps, tracked, sighting);
      if (current) report.queued += (await deliverCards(cycleDeps, current)).queued;
      if (current) await notifyPeople(cycleDeps, current.key);
      if (current && (deps.pager || pageAwaitsResolve(current))) await pageOnCall(deps, current.key);
      if (current && needsCaseCheck(deps, current, deps.clock.now())) caseChecks.push(current.key);
    } catch (error) {
      report.ok = false;
      deps.logger.error('Could not follow a lockbox request', { requestKey: tracked.key, error: String(error) });
    }
  }
  if (!outOfTime()) report.followedUpTo = undefined;
  // What did not answer within the budget is looked up once every card is out.
  for (const key of caseChecks) {
    if (outOfTime()) break;
    await checkSupportCase(deps, key).catch((error) => deps.logger.error('Could not check a support case', { requestKey: key, error: String(error) }));
  }
  if (deps.people && deps.caseOpenerCards) {
    for (const { key } of open) {
      await informCaseOpener(cycleDeps, key).catch((error) => deps.logger.error('Could not inform the opener of a support case', { requestKey: key, error: String(error) }));
    }
  }
  return report;
}

/** The open requests in key order, starting after `startAfter` and wrapping round. */
function inTurn(open: TrackedRequest[], startAfter: string | undefined): TrackedRequest[] {
  if (startAfter === undefined) return open;
  const sorted = [...open].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const next = sorted.findIndex((t) => t.key > startAfter);
  return next <= 0 ? sorted : [...sorted.slice(next), ...sorted.slice(0, next)];
}

async function pollSource(deps: CoreDeps, source: LockboxSource, listed: Set<string>) {
  const report: SourcePollReport = { source: source.kind, ok: true, pending: 0, failures: [], skippedRecords: 0 };
  let detected = 0;
  const failedScopes: string[] = [];
  try {
    const listing = await source.listPending();
    report.failures = listing.failures.map((failure) => ({ ...failure }));
    if (listing.subscriptions) report.subscriptions = listing.subscriptions;
    report.pending = listing.requests.length;
    report.skippedRecords = listing.skipped ?? 0;
    for (const failure of listing.failures) {
      if (failure.subscriptionId) failedScopes.push(failure.subscriptionId);
      deps.logger.warn('A lockbox scope could not be polled', { source: source.kind, scope: failure.scope, error: failure.error });
    }
    for (const request of listing.requests) {
      const { key, isNew } = await remember(deps, request);
      listed.add(key);
      if (isNew) detected++;
    }
  } catch (error) {
    report.ok = false;
    report.error = error instanceof Error ? error.message : String(error);
    deps.logger.error('Polling a lockbox source failed; will retry next interval', { source: source.kind, error: report.error });
    deps.telemetry.exception(error, { source: source.kind });
  }
  return { report, detected, failedScopes };
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
async function refresh(deps: CoreDeps, key: string, listed: LockboxRequest): Promise<TrackedRequest | undefined> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const stored = await deps.store.getRequest(key);
    if (!stored) return undefined;
    const before = stored.value.request;
    // A subscription renamed in the portal is news; a listing that could not name it forgets no name.
    const subscriptionName = listed.subscriptionName ?? before.subscriptionName;
    const { fields, narrowed } = scopeAfter(before, listed);
    const request = { ...listed, ...(subscriptionName ? { subscriptionName } : {}), ...fields };
    if (before.status === request.status && before.expiresAt === request.expiresAt && before.subscriptionName === subscriptionName && !narrowed) return stored.value;
    // A stale list page can still show a decided request as Pending: a request never goes back.
    if (before.status !== request.status && !movesOn(before.status, request.status)) return stored.value;
    const next = { ...stored.value, request, cardsStale: stored.value.cardsStale || before.status !== request.status || narrowed, updatedAt: deps.clock.now().toISOString() };
    if (await deps.store.replaceRequest(next, stored.etag)) {
      if (before.status !== request.status) {
        deps.logger.info('Lockbox request changed upstream', { requestKey: key, from: before.status, to: request.status });
        await deps.store.appendAudit({ at: next.updatedAt, kind: 'request.status-changed', requestKey: key, detail: { from: before.status, to: request.status } });
      }
      if (narrowed) {
        deps.logger.warn('A lockbox request no longer names one subscription of its own: decided in the portal from now on', { requestKey: key, subscriptionId: before.subscriptionId, read: listed.subscriptionId ?? null });
        await deps.store.appendAudit({ at: next.updatedAt, kind: 'request.scope-narrowed', requestKey: key, detail: { from: before.subscriptionId ?? null, read: listed.subscriptionId ?? null } });
      }
      if (before.status !== request.status || narrowed) await syncCards(deps, key);
      return next;
    }
  }
  return undefined;
}

/**
 * An Azure request's scope only ever narrows. Once its own record, read again, names no subscription or another
 * one than before, nobody decides it in Teams any more (its cards lose their buttons, a click on one is refused),
 * and a request left to the portal stays there whatever a later read says. `narrowed`: it changed just now.
 */
function scopeAfter(before: LockboxRequest, read: LockboxRequest): { fields: Partial<LockboxRequest>; narrowed: boolean } {
  const kept = before.subscriptionId !== undefined && !before.decideInPortal && read.subscriptionId?.toLowerCase() === before.subscriptionId.toLowerCase();
  if (before.source !== 'azure' || kept) return { fields: {}, narrowed: false };
  const listedIn = read.listedIn ?? before.listedIn ?? before.subscriptionId;
  const fields = { subscriptionId: undefined, decideInPortal: true, ...(listedIn ? { listedIn } : {}) };
  return { fields, narrowed: !(before.decideInPortal && before.subscriptionId === undefined) };
}

async function follow(deps: CoreDeps, tracked: TrackedRequest, sighting: Sighting): Promise<TrackedRequest | undefined> {
  // A first approval its click never released was never confirmed to its approver: it goes, and the cards say so.
  if (approvalAbandoned(tracked.firstApproval, deps.clock.now())) await withdrawAttempt(deps, tracked.key, tracked.firstApproval.heldBy, 'never-released');
  if (tracked.decision?.submission.state === 'pending') return submitDecision(deps, tracked.key);
  if (tracked.decision?.submission.state === 'sent') return confirmDecision(deps, tracked.key);
  if (sighting.unseen(tracked.request) || !isOpen(tracked) || tracked.goneAt) return tracked;
  if (sighting.listed.has(tracked.key)) return tracked.missing ? noteFound(deps, tracked.key) : tracked;
  // Tracked as open but no longer listed as Pending: decided in the portal, expired, cancelled, or gone.
  const source = deps.sources.get(tracked.request.source);
  const current = source && (await source.getRequest(tracked.request));
  if (current && tracked.missing) await noteFound(deps, tracked.key);
  if (current) return refresh(deps, tracked.key, current);
  if (hasExpired(tracked.request, deps.clock.now())) return refresh(deps, tracked.key, { ...tracked.request, status: 'Expired' });
  return noteMissing(deps, tracked.key);
}

function memoizedApprovers(directory: Directory): Directory {
  const cache = new Map<string, Promise<string[]>>();
  return {
    checkApprover: (userId, request, freshness) => directory.checkApprover(userId, request, freshness),
    checkAdmin: (userId, source) => directory.checkAdmin(userId, source),
    lookupUser: (userId) => directory.lookupUser(userId),
    listApprovers(request) {
      // Who may decide depends on when the request was created (roles assigned later do not count), not only on its scope.
      const scope = `${request.source}:${request.subscriptionId ?? 'tenant'}:${request.createdAt}`;
      if (!cache.has(scope)) cache.set(scope, directory.listApprovers(request));
      return cache.get(scope)!;
    },
  };
}
