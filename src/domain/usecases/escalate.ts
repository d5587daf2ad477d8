import { DEFAULT_REMINDERS, dueMilestone, milestones, type Milestone } from '../escalation';
import { UpstreamError } from '../errors';
import { isActionable, type TrackedRequest } from '../tracked';
import type { CoreDeps } from './deps';

/** A claim older than this is taken to belong to a process that died mid-send. */
const STALE_CLAIM_MS = 10 * 60_000;

type Deps = Pick<CoreDeps, 'store' | 'directory' | 'clock' | 'logger' | 'telemetry' | 'notifier' | 'onCall' | 'infoPoster' | 'reminders'>;

/**
 * Sends the next due notification of a request, once: on arrival the on-call group hears of it; at each
 * reminder approvers and on-call hear again, with the time left. A milestone is claimed with
 * compare-and-set before sending, so instances and restarts never repeat one; a failed send is released
 * and tried next cycle. Decided or expired requests send nothing.
 */
export async function notifyPeople(deps: Deps, requestKey: string): Promise<Milestone | undefined> {
  if (!deps.notifier) return undefined;
  const found = await deps.store.getRequest(requestKey);
  const now = deps.clock.now();
  if (!found || !isActionable(found.value, now)) return undefined;
  const tracked = found.value;
  const handled = new Set(
    Object.entries(tracked.notifications ?? {})
      .filter(([, n]) => n.state !== 'sending' || now.getTime() - Date.parse(n.at) < STALE_CLAIM_MS)
      .map(([id]) => id),
  );
  const due = dueMilestone(milestones(tracked.request, deps.reminders ?? DEFAULT_REMINDERS), handled, now.getTime());
  if (!due) return undefined;

  const at = now.toISOString();
  const claimed: TrackedRequest = {
    ...tracked,
    notifications: {
      ...tracked.notifications,
      ...Object.fromEntries(due.skip.map((m) => [m.id, { state: 'skipped' as const, at }])),
      [due.send.id]: { state: 'sending', at },
    },
  };
  if (!(await deps.store.replaceRequest(claimed, found.etag))) return undefined;

  try {
    const onCall = (await deps.onCall?.members()) ?? [];
    const approvers = await deps.directory.listApprovers(tracked.request);
    const recipients = due.send.kind === 'new' ? onCall : [...new Set([...approvers, ...onCall])];
    if (recipients.length) await deps.notifier.notify(recipients, tracked, due.send);
    if (due.send.kind === 'new') await tellOnCallNonApprovers(deps, tracked, onCall, approvers);
  } catch (error) {
    // A refusal that cannot change (a missing permission) is not retried every cycle; anything else is.
    const final = error instanceof UpstreamError && !error.transient;
    deps.logger.warn(final ? 'A lockbox notification was refused; not trying again' : 'Could not send a lockbox notification; will try again next cycle', { requestKey, milestone: due.send.id, error: String(error) });
    await mark(deps, requestKey, due.send.id, final ? { state: 'skipped', at: deps.clock.now().toISOString() } : undefined);
    return undefined;
  }
  await mark(deps, requestKey, due.send.id, { state: 'sent', at: deps.clock.now().toISOString() });
  deps.telemetry.event('NotificationSent', { milestone: due.send.id, source: tracked.request.source });
  return due.send;
}

async function tellOnCallNonApprovers(deps: Deps, tracked: TrackedRequest, onCall: string[], approvers: string[]): Promise<void> {
  if (!deps.infoPoster) return;
  const deciders = new Set(approvers);
  for (const userId of onCall.filter((u) => !deciders.has(u))) {
    await deps.infoPoster.postInfo(userId, tracked, deciders.size).catch((error) => deps.logger.warn('Could not post an information card to an on-call member', { userId, error: String(error) }));
  }
}

/** Records the outcome of a claimed milestone (undefined: release it), retrying over concurrent writes. */
async function mark(deps: Deps, requestKey: string, id: string, state: { state: 'sent' | 'skipped'; at: string } | undefined): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const found = await deps.store.getRequest(requestKey);
    if (!found) return;
    const notifications = { ...found.value.notifications };
    if (state) notifications[id] = state;
    else delete notifications[id];
    if (await deps.store.replaceRequest({ ...found.value, notifications }, found.etag)) return;
  }
  deps.logger.error('Could not record a notification outcome', { requestKey, milestone: id });
}
