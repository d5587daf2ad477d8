import { UpstreamError } from '../errors';
import { PAGE_RESOLVE_ID, pageAwaitsResolve, pageTriggerId, SEVERITIES, severityFor } from '../paging';
import { isActionable, type TrackedRequest } from '../tracked';
import type { CoreDeps } from './deps';
import { recordNotification } from './notification-records';

/** A claim older than this is taken to belong to a process that died mid-send; what it sent is unknown, so it is not sent again. */
const STALE_CLAIM_MS = 10 * 60_000;

type Deps = Pick<CoreDeps, 'store' | 'clock' | 'logger' | 'telemetry' | 'pager'>;
type Step = { id: string; send(): Promise<void> };

/**
 * Keeps the request's alert in the paging service in step: triggered while the request waits for a
 * decision, again with a higher severity as expiry nears, and resolved once it is decided, expired or gone.
 * Each event is claimed in the store (compare-and-set) before it is sent, so instances and restarts never
 * send one twice; one that failed for now is released and tried next cycle, one the service refused is not.
 */
export async function pageOnCall(deps: Deps, requestKey: string): Promise<void> {
  const found = await deps.store.getRequest(requestKey);
  if (!found) return;
  const tracked = found.value;
  const now = deps.clock.now();
  if (!deps.pager) {
    // Paging was turned off while an alert was open: nothing will resolve it here, so stop watching for it.
    if (pageAwaitsResolve(tracked)) await recordNotification(deps, requestKey, PAGE_RESOLVE_ID, { state: 'skipped', at: now.toISOString() });
    return;
  }
  const step = nextStep(deps.pager, tracked, now);
  if (!step) return;
  const claimed = { ...tracked, notifications: { ...tracked.notifications, [step.id]: { state: 'sending' as const, at: now.toISOString() } } };
  if (!(await deps.store.replaceRequest(claimed, found.etag))) return;
  try {
    await step.send();
  } catch (error) {
    const final = error instanceof UpstreamError && !error.transient;
    deps.logger.warn(final ? 'The paging service refused an event; not sending it again' : 'Could not reach the paging service; will try again next cycle', { requestKey, event: step.id, error: String(error) });
    await recordNotification(deps, requestKey, step.id, final ? { state: 'skipped', at: deps.clock.now().toISOString() } : undefined);
    return;
  }
  await recordNotification(deps, requestKey, step.id, { state: 'sent', at: deps.clock.now().toISOString() });
  deps.telemetry.event('PageSent', { event: step.id, source: tracked.request.source });
}

function nextStep(pager: NonNullable<Deps['pager']>, tracked: TrackedRequest, now: Date): Step | undefined {
  const records = tracked.notifications ?? {};
  const inFlight = Object.entries(records).some(([id, r]) => id.startsWith('page/') && r.state === 'sending' && now.getTime() - Date.parse(r.at) < STALE_CLAIM_MS);
  if (inFlight) return undefined;
  if (!isActionable(tracked, now)) {
    return pageAwaitsResolve(tracked) ? { id: PAGE_RESOLVE_ID, send: () => pager.resolve(tracked) } : undefined;
  }
  // Resolved once already (a decision that later failed for good): one alert per request is enough.
  if (records[PAGE_RESOLVE_ID]) return undefined;
  const severity = severityFor(tracked.request, now);
  const raised = SEVERITIES.slice(SEVERITIES.indexOf(severity)).some((s) => records[pageTriggerId(s)]);
  return raised ? undefined : { id: pageTriggerId(severity), send: () => pager.trigger(tracked, severity) };
}
