import { DeliveryFailed } from '../errors';
import type { Delivery, Versioned } from '../ports';
import { DEFAULT_REMINDERS, milestones } from '../escalation';
import { isActionable, type AskedApprover, type TrackedRequest } from '../tracked';
import type { CoreDeps } from './deps';

/** Teams' answers that mean the chat itself is unusable: BotNotInConversationRoster, ConversationBlockedByUser, BotDisabledByAdmin (403), ConversationNotFound (404). */
const GONE = new Set([403, 404]);

/** First cards go ahead of everything else (reminders, card updates): a person must learn of a request before being reminded of it. */
export const DELIVERY_PRIORITY = { firstCard: 0, other: 1 } as const;

/** How long a worker owns a send under way; long enough for the pacer's wait and the retries inside it. */
export const SEND_LEASE_MS = 5 * 60_000;
const MAX_BACKOFF_MS = 5 * 60_000;

type Deps = Pick<CoreDeps, 'store' | 'directory' | 'messenger' | 'clock' | 'logger' | 'telemetry' | 'installer' | 'reminderPoster' | 'reminders'>;

export interface DeliveryReport {
  /** First cards queued this time, one per approver who has a chat with the bot and no copy yet. */
  queued: number;
  /** Approvers the bot cannot reach yet because they never opened a chat with it. */
  unreachable: number;
  /** Of those, the ones it asked Teams to install the bot for; their card follows once the chat opens. */
  installing: number;
}

/**
 * Queues the request card for every approver who has a chat with the bot and has no copy yet; the
 * delivery worker sends it at Teams' pace, apart from the watcher's cycle. A create-if-absent claim per
 * (request, approver) makes the post happen once, across restarts and instances.
 */
export async function deliverCards(deps: Deps, tracked: TrackedRequest): Promise<DeliveryReport> {
  const report: DeliveryReport = { queued: 0, unreachable: 0, installing: 0 };
  const now = deps.clock.now();
  if (!isActionable(tracked, now)) return report;
  const approvers = [...new Set(await deps.directory.listApprovers(tracked.request))];
  const chats = new Map(await Promise.all(approvers.map(async (userId) => [userId, await deps.store.getConversation(userId)] as const)));
  await rememberAsked(deps, tracked, approvers.map((userId) => ({ userId, ...(chats.get(userId)?.name ? { name: chats.get(userId)!.name } : {}) })));
  for (const userId of approvers) {
    const conversation = chats.get(userId);
    if (!conversation) {
      report.unreachable++;
      if ((await deps.installer?.install(userId)) === 'requested') report.installing++;
      continue;
    }
    if (!(await deps.store.claimCard({ requestKey: tracked.key, userId, conversationId: conversation.conversationId }))) continue;
    const at = now.toISOString();
    await deps.store.enqueueDelivery({
      id: `request-card|${tracked.key}|${userId}`,
      kind: 'request-card',
      requestKey: tracked.key,
      userId,
      priority: DELIVERY_PRIORITY.firstCard,
      dueBy: isoOr(tracked.request.expiresAt, '9999-12-31T23:59:59.999Z'),
      availableAt: at,
      state: 'queued',
      attempts: 0,
      enqueuedAt: at,
    });
    report.queued++;
  }
  return report;
}

/**
 * Keeps who was asked with the request, so every copy of the card can say who else may decide. Best
 * effort: if the request changed meanwhile, the next cycle tries again; the cards go out either way.
 */
async function rememberAsked(deps: Deps, tracked: TrackedRequest, asked: AskedApprover[]): Promise<void> {
  if (JSON.stringify(tracked.asked ?? []) === JSON.stringify(asked)) return;
  const found = await deps.store.getRequest(tracked.key);
  if (found && JSON.stringify(found.value.asked ?? []) !== JSON.stringify(asked)) await deps.store.replaceRequest({ ...found.value, asked }, found.etag);
}

/** What became of one send: done (sent or no longer wanted), worth another try later, or unknowable. */
type Outcome = { done: true } | { done: false; retry: boolean; error: string };

/**
 * Sends one queued item, if this worker can take it (compare-and-set, so two workers never send the same
 * item). A send Teams refused for now goes back in the queue with a growing backoff; one whose outcome
 * cannot be known is not sent again, since a second copy is worse than a missing one.
 */
export async function sendQueued(deps: Deps, item: Versioned<Delivery>): Promise<void> {
  const now = deps.clock.now();
  const d = item.value;
  if (d.state === 'sending') {
    // Its worker died mid-send: the card may be in the chat already.
    deps.logger.error('A queued card was being sent when its worker stopped; not sending it again, to avoid a duplicate', { requestKey: d.requestKey, userId: d.userId });
    await deps.store.removeDelivery(d.id);
    return;
  }
  const taken: Delivery = { ...d, state: 'sending', attempts: d.attempts + 1, availableAt: new Date(now.getTime() + SEND_LEASE_MS).toISOString() };
  const etag = await deps.store.replaceDelivery(taken, item.etag);
  if (!etag) return;
  const outcome = await SENDERS[d.kind](deps, taken);
  if (outcome.done || !outcome.retry) {
    await deps.store.removeDelivery(d.id);
    return;
  }
  const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(taken.attempts, 20));
  const again: Delivery = { ...taken, state: 'queued', lastError: outcome.error, availableAt: new Date(deps.clock.now().getTime() + backoff).toISOString() };
  await deps.store.replaceDelivery(again, etag);
}

const SENDERS: Record<Delivery['kind'], (deps: Deps, d: Delivery) => Promise<Outcome>> = {
  'request-card': sendRequestCard,
  reminder: sendReminder,
};

/** A reminder as a new message in the person's chat, linking to their card: their copy of the request card, or their information card. */
async function sendReminder(deps: Deps, d: Delivery): Promise<Outcome> {
  const tracked = (await deps.store.getRequest(d.requestKey))?.value;
  const milestone = tracked && milestones(tracked.request, deps.reminders ?? DEFAULT_REMINDERS, tracked.firstSeenAt).find((m) => m.id === d.milestone);
  // Decided, expired or gone while it waited: a reminder would only confuse.
  if (!tracked || !milestone || !deps.reminderPoster || !isActionable(tracked, deps.clock.now())) return { done: true };
  const card = (await deps.store.listCards(d.requestKey)).find((c) => c.userId === d.userId)?.activityId ?? tracked.notifications?.[`new/info/${d.userId}`]?.activityId;
  try {
    await deps.reminderPoster.postReminder(d.userId, tracked, milestone, card);
    return { done: true };
  } catch (error) {
    const outcome = failedSend(error);
    const fields = { requestKey: d.requestKey, userId: d.userId, error: outcome.error };
    if (outcome.retry) deps.logger.warn('Could not post a reminder; it stays queued and is tried again', fields);
    else deps.logger.error('A reminder was refused for good or may have arrived; not posting it again', fields);
    return outcome;
  }
}

/** Teams said it did not take it, for now: try again. Refused for good (the chat gone), or unknowable (a timeout): not again. */
function failedSend(error: unknown): Outcome & { done: false } {
  const retry = error instanceof DeliveryFailed && error.delivered === 'no' && !(error.status !== undefined && GONE.has(error.status));
  return { done: false, retry, error: String(error) };
}

async function sendRequestCard(deps: Deps, d: Delivery): Promise<Outcome> {
  const tracked = (await deps.store.getRequest(d.requestKey))?.value;
  const conversation = await deps.store.getConversation(d.userId);
  // Decided, expired or the chat gone while it waited: the card is no longer wanted; a later chat brings a new claim.
  if (!tracked || !isActionable(tracked, deps.clock.now()) || !conversation) {
    await deps.store.releaseCard(d.requestKey, d.userId);
    return { done: true };
  }
  try {
    const activityId = await deps.messenger.postRequestCard(conversation, tracked);
    await deps.store.completeCard(d.requestKey, d.userId, activityId, deps.clock.now().toISOString());
    deps.telemetry.event('CardsPosted', { count: 1, source: tracked.request.source });
    return { done: true };
  } catch (error) {
    return unsent(deps, d, error);
  }
}

/**
 * Only a post that Teams said it did not take is tried again; after a timeout the card may well be in
 * the chat, and a second copy is worse than a missing one, so the claim stays and the log says so.
 */
async function unsent(deps: Deps, d: Delivery, error: unknown): Promise<Outcome> {
  const { requestKey, userId } = d;
  if (!(error instanceof DeliveryFailed) || error.delivered !== 'no') {
    deps.logger.error('Posting a request card may or may not have worked; not posting again, to avoid a duplicate', { requestKey, userId, error: String(error) });
    return { done: false, retry: false, error: String(error) };
  }
  if (error.status !== undefined && GONE.has(error.status)) {
    // Blocked, uninstalled or deleted: the chat is gone until the person opens the bot again.
    await deps.store.releaseCard(requestKey, userId);
    await deps.store.removeConversation(userId);
    deps.logger.warn('The bot can no longer post to this person; forgot their chat until they open the bot again', { requestKey, userId, error: String(error) });
    return { done: false, retry: false, error: String(error) };
  }
  deps.logger.warn('Could not post a request card; it stays queued and is tried again', { requestKey, userId, attempts: d.attempts, error: String(error) });
  return { done: false, retry: true, error: String(error) };
}

function isoOr(value: string, fallback: string): string {
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : fallback;
}
