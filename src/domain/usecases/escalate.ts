import { DEFAULT_REMINDERS, dueMilestone, milestones, type Milestone } from '../escalation';
import { DeliveryFailed, UpstreamError } from '../errors';
import { isActionable, type TrackedRequest } from '../tracked';
import type { InformedAs, Notifier } from '../notifications';
import type { CoreDeps } from './deps';
import { DELIVERY_PRIORITY, queueDelivery } from './delivery-queue';
import { recordNotification } from './notification-records';

/** A claim older than this is taken to belong to a process that died mid-send. */
const STALE_CLAIM_MS = 10 * 60_000;
/** Teams' answers that mean the chat itself is unusable (blocked, uninstalled, deleted): sending again cannot help. */
const CHAT_GONE = new Set([403, 404]);

type Deps = Pick<CoreDeps, 'store' | 'directory' | 'clock' | 'logger' | 'telemetry' | 'notifier' | 'onCall' | 'notifyGroup' | 'infoPoster' | 'reminderPoster' | 'reminders'>;

/** What became of one part of a milestone: done (with the chat message's id, if one was posted), or worth another try. */
type PartOutcome = { state: 'sent' | 'skipped'; activityId?: string } | { state: 'retry' } | { state: 'unknown' };

/** One thing a milestone sends: the activity-feed push, or one message in one person's chat. */
interface Part {
  id: string;
  send(): Promise<PartOutcome>;
}

/**
 * Sends the next due notification of a request, once. On arrival the on-call group hears of it (activity
 * feed), and on-call and NOTIFY_GROUP_ID members who cannot decide get an information card in their chat; at
 * each reminder approvers, on-call and NOTIFY_GROUP_ID members hear again with the time left: in the activity feed, and as a new message in their chat (queued
 * for the delivery worker), which Teams pushes to phones (updating a card rings nothing). A milestone is
 * claimed with compare-and-set before sending, so instances and restarts never repeat one; within it each
 * part (the feed push, each information card, each queued reminder) is claimed and recorded on its own, so
 * a part that failed is tried again next cycle without repeating those that went out. Decided or expired
 * requests send nothing.
 */
export async function notifyPeople(deps: Deps, requestKey: string): Promise<Milestone | undefined> {
  if (!deps.notifier && !deps.infoPoster && !deps.reminderPoster) return undefined;
  const found = await deps.store.getRequest(requestKey);
  const now = deps.clock.now();
  if (!found || !isActionable(found.value, now)) return undefined;
  const tracked = found.value;
  const handled = new Set(
    Object.entries(tracked.notifications ?? {})
      .filter(([, n]) => n.state !== 'sending' || now.getTime() - Date.parse(n.at) < STALE_CLAIM_MS)
      .map(([id]) => id),
  );
  const due = dueMilestone(milestones(tracked.request, deps.reminders ?? DEFAULT_REMINDERS, tracked.firstSeenAt), handled, now.getTime());
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

  let complete = true;
  try {
    for (const part of await partsOf(deps, claimed, due.send)) {
      // A part claimed by an attempt that died may have gone out: a second copy is worse than none.
      if (claimed.notifications?.[part.id]) continue;
      await recordNotification(deps, requestKey, part.id, { state: 'sending', at: deps.clock.now().toISOString() });
      const outcome = await part.send().catch((error: unknown) => failed(deps, requestKey, part.id, error));
      if (outcome.state === 'retry') complete = false;
      if (outcome.state !== 'unknown') await recordNotification(deps, requestKey, part.id, outcome.state === 'retry' ? undefined : { ...outcome, at: deps.clock.now().toISOString() });
    }
  } catch (error) {
    deps.logger.warn('Could not send a lockbox notification; will try again next cycle', { requestKey, milestone: due.send.id, error: String(error) });
    complete = false;
  }
  await recordNotification(deps, requestKey, due.send.id, complete ? { state: 'sent', at: deps.clock.now().toISOString() } : undefined);
  if (!complete) return undefined;
  deps.telemetry.event('NotificationSent', { milestone: due.send.id, source: tracked.request.source });
  return due.send;
}

/** Everything a milestone sends, each with its own id: `<milestone>/feed/<n>`, `<milestone>/info/<user>`, `<milestone>/chat/<user>`. */
async function partsOf(deps: Deps, tracked: TrackedRequest, milestone: Milestone): Promise<Part[]> {
  const onCall = (await deps.onCall?.members()) ?? [];
  const notified = (await deps.notifyGroup?.members()) ?? [];
  const approvers = await deps.directory.listApprovers(tracked.request);
  // Only people with a chat can be told there; a large group would otherwise cost a record per member.
  const chats = new Set((await deps.store.listConversations()).map((c) => c.userId.toLowerCase()));
  const hasChat = (userId: string) => chats.has(userId.toLowerCase());
  const parts: Part[] = [];
  const { notifier, infoPoster } = deps;
  if (milestone.kind === 'new') {
    if (notifier) parts.push(...feedParts(notifier, onCall, tracked, milestone));
    if (!infoPoster) return parts;
    for (const [userId, as] of informed(approvers, onCall, notified)) {
      // Queued for the delivery worker, as a first card: it posts at Teams' pace and records the message's id here.
      const id = `${milestone.id}/info/${userId}`;
      if (hasChat(userId)) parts.push({ id, send: () => queueDelivery(deps, tracked, 'info-card', userId, { informedAs: as, approverCount: approvers.length, notification: id, milestone: milestone.id }).then(() => ({ state: 'sent' })) });
    }
    return parts;
  }
  const everyone = [...new Set([...approvers, ...onCall, ...notified])];
  if (notifier) parts.push(...feedParts(notifier, everyone, tracked, milestone));
  if (deps.reminderPoster) {
    for (const userId of everyone.filter(hasChat)) parts.push({ id: `${milestone.id}/chat/${userId}`, send: () => queueReminder(deps, tracked, milestone, userId) });
  }
  return parts;
}

/**
 * Who hears of a request without being asked to decide it: on-call members and members of NOTIFY_GROUP_ID
 * who hold no approver role for it (the approver list follows the one rule in the domain's policy).
 */
function informed(approvers: string[], onCall: string[], notified: string[]): Map<string, InformedAs> {
  const deciders = new Set(approvers.map((id) => id.toLowerCase()));
  const told = new Map<string, InformedAs>();
  const seen = new Set<string>();
  for (const [ids, as] of [[onCall, 'on-call'], [notified, 'notify-group']] as const) {
    for (const userId of ids) {
      const key = userId.toLowerCase();
      if (deciders.has(key) || seen.has(key)) continue;
      seen.add(key);
      told.set(userId, as);
    }
  }
  return told;
}

/**
 * A reminder goes into the durable delivery queue, which sends it at Teams' pace apart from the watcher's
 * cycle and tries again what Teams did not take; queued is done for the milestone. Someone without a chat
 * with the bot cannot be reached there.
 */
async function queueReminder(deps: Deps, tracked: TrackedRequest, milestone: Milestone, userId: string): Promise<PartOutcome> {
  if (!(await deps.store.getConversation(userId))) return { state: 'skipped' };
  const at = deps.clock.now().toISOString();
  await deps.store.enqueueDelivery({
    id: `reminder|${tracked.key}|${userId}|${milestone.id}`,
    kind: 'reminder',
    requestKey: tracked.key,
    userId,
    milestone: milestone.id,
    priority: DELIVERY_PRIORITY.other,
    dueBy: tracked.request.expiresAt,
    availableAt: at,
    state: 'queued',
    attempts: 0,
    enqueuedAt: at,
  });
  return { state: 'sent' };
}

/**
 * One part per call Graph takes (at most 100 recipients), in a stable order, so a batch that failed is
 * sent again next cycle without repeating the batches that went out: `<milestone>/feed/<n>`.
 */
function feedParts(notifier: Notifier, userIds: string[], tracked: TrackedRequest, milestone: Milestone): Part[] {
  const sorted = [...new Set(userIds)].sort();
  const parts: Part[] = [];
  for (let i = 0; i < sorted.length; i += notifier.batchSize) {
    const batch = sorted.slice(i, i + notifier.batchSize);
    parts.push({ id: `${milestone.id}/feed/${i / notifier.batchSize}`, send: () => notifier.notify(batch, tracked, milestone).then(() => ({ state: 'sent' })) });
  }
  return parts;
}

/** Refusals that cannot change are not tried every cycle; a message that may have arrived is not sent twice. */
function failed(deps: Deps, requestKey: string, part: string, error: unknown): PartOutcome {
  const fields = { requestKey, part, error: String(error) };
  if (error instanceof DeliveryFailed && error.delivered === 'unknown') {
    deps.logger.error('A lockbox notification may or may not have been delivered; not sending it again, to avoid a duplicate', fields);
    return { state: 'unknown' };
  }
  const final = (error instanceof UpstreamError && !error.transient) || (error instanceof DeliveryFailed && error.status !== undefined && CHAT_GONE.has(error.status));
  deps.logger.warn(final ? 'A lockbox notification was refused; not trying again' : 'Could not send a lockbox notification; will try again next cycle', fields);
  return final ? { state: 'skipped' } : { state: 'retry' };
}
