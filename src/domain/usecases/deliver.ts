import { sameId } from '../decision';
import { DeliveryFailed } from '../errors';
import type { Delivery, Versioned } from '../ports';
import { DEFAULT_REMINDERS, milestones } from '../escalation';
import { isActionable, type AskedApprover, type TrackedRequest } from '../tracked';
import { shownState } from './card-sync';
import type { CoreDeps } from './deps';
import { queueDelivery } from './delivery-queue';
import { recordCaseOpener } from './inform-case-opener';
import { recordNotification } from './notification-records';

export { DELIVERY_PRIORITY } from './delivery-queue';

/** Teams' answers that mean the chat itself is unusable: BotNotInConversationRoster, ConversationBlockedByUser, BotDisabledByAdmin (403), ConversationNotFound (404). */
const GONE = new Set([403, 404]);
/** The same payload is refused again and again: never worth another try as it is. */
const TOO_LARGE = 413;
/** An update that keeps failing is given up after this many tries (the card keeps its last state; the log says so). */
const MAX_UPDATE_ATTEMPTS = 8;

/** How long a worker owns a send under way; long enough for the pacer's wait and the retries inside it. */
export const SEND_LEASE_MS = 5 * 60_000;
const MAX_BACKOFF_MS = 5 * 60_000;

type Deps = Pick<CoreDeps, 'store' | 'directory' | 'messenger' | 'clock' | 'logger' | 'telemetry' | 'installer' | 'reminderPoster' | 'reminders' | 'infoPoster' | 'caseOpenerCards'>;

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
    await queueDelivery(deps, tracked, 'request-card', userId);
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

/** What became of one send: done (sent or no longer wanted), worth another try later (`now`: at once, no backoff), or unknowable. */
type Outcome = { done: true } | { done: false; retry: boolean; error: string; now?: boolean };

/**
 * Sends one queued item, if this worker can take it (compare-and-set, so two workers never send the same
 * item). A send Teams refused for now goes back in the queue with a growing backoff; one whose outcome
 * cannot be known is not sent again, since a second copy is worse than a missing one.
 */
export async function sendQueued(deps: Deps, item: Versioned<Delivery>): Promise<void> {
  const now = deps.clock.now();
  const d = item.value;
  if (d.state === 'sending' && !REPLACES.has(d.kind)) {
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
  const backoff = outcome.now ? 0 : Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(taken.attempts, 20));
  const again: Delivery = { ...taken, state: 'queued', lastError: outcome.error, attempts: outcome.now ? 0 : taken.attempts, availableAt: new Date(deps.clock.now().getTime() + backoff).toISOString() };
  await deps.store.replaceDelivery(again, etag);
}

/** Kinds that replace a card already in the chat: sending one twice does no harm, so one left half-sent is sent again. */
const REPLACES = new Set<Delivery['kind']>(['card-update', 'case-opener-update']);

/**
 * After a restart (or a new leader): card updates a stopped worker had taken are queued again at once, since an
 * update sent twice does no harm while one never sent leaves a card showing an old state. Other kinds stay as they
 * are: their sends may have arrived, and a second copy is worse than a missing one.
 */
export async function requeueUpdatesInFlight(deps: Pick<Deps, 'store' | 'clock'>): Promise<number> {
  const now = deps.clock.now();
  const taken = await deps.store.nextDeliveries(new Date(now.getTime() + SEND_LEASE_MS + 1), 1000);
  let requeued = 0;
  for (const { value, etag } of taken) {
    if (value.state !== 'sending' || !REPLACES.has(value.kind)) continue;
    if (await deps.store.replaceDelivery({ ...value, state: 'queued', availableAt: now.toISOString() }, etag)) requeued++;
  }
  return requeued;
}

const SENDERS: Record<Delivery['kind'], (deps: Deps, d: Delivery) => Promise<Outcome>> = {
  'request-card': sendRequestCard,
  'info-card': sendInfoCard,
  'case-opener-card': sendCaseOpenerCard,
  reminder: sendReminder,
  'card-update': sendCardUpdate,
  'case-opener-update': sendCaseOpenerUpdate,
};

/** An approver's posted copy, rendered from the state stored now; sent again if that changed while it went. */
async function sendCardUpdate(deps: Deps, d: Delivery): Promise<Outcome> {
  const [found, cards, conversation] = await Promise.all([deps.store.getRequest(d.requestKey), deps.store.listCards(d.requestKey), deps.store.getConversation(d.userId)]);
  const copy = cards.find((c) => sameId(c.userId, d.userId) && c.activityId);
  if (!found || !copy?.activityId || !conversation) return { done: true };
  try {
    await deps.messenger.updateRequestCard(conversation, copy.activityId, found.value);
  } catch (error) {
    return updateFailed(deps, d, error);
  }
  return changedSince(deps, found.value);
}

/** The support case opener's information card, with the decision once made. */
async function sendCaseOpenerUpdate(deps: Deps, d: Delivery): Promise<Outcome> {
  const found = await deps.store.getRequest(d.requestKey);
  const opener = found?.value.caseOpener;
  if (!found || !deps.caseOpenerCards || opener?.state !== 'posted' || !opener.activityId || !opener.userId || !sameId(opener.userId, d.userId)) return { done: true };
  const conversation = await deps.store.getConversation(d.userId);
  if (!conversation) return { done: true };
  try {
    await deps.caseOpenerCards.update(conversation, opener.activityId, found.value);
  } catch (error) {
    return updateFailed(deps, d, error);
  }
  return changedSince(deps, found.value);
}

/** A change stored while an update was under way (its item could not be queued twice): send the latest too. */
async function changedSince(deps: Deps, shown: TrackedRequest): Promise<Outcome> {
  const now = (await deps.store.getRequest(shown.key))?.value;
  return now && shownState(now) !== shownState(shown) ? { done: false, retry: true, now: true, error: 'the request changed while its card was updated' } : { done: true };
}

/** An update is safe to send twice (it replaces the card), so anything but a chat that is gone is tried again, a bounded number of times. */
function updateFailed(deps: Deps, d: Delivery, error: unknown): Outcome {
  const fields = { requestKey: d.requestKey, userId: d.userId, attempts: d.attempts, error: String(error) };
  const gone = error instanceof DeliveryFailed && error.delivered === 'no' && error.status !== undefined && (GONE.has(error.status) || error.status === TOO_LARGE);
  if (gone || d.attempts >= MAX_UPDATE_ATTEMPTS) {
    deps.logger.error(gone ? 'A card copy cannot be updated: its chat is gone' : 'Gave up updating a card copy after repeated failures; it shows an older state', fields);
    return { done: false, retry: false, error: String(error) };
  }
  deps.logger.warn('Could not update a card copy; it stays queued and is tried again', fields);
  return { done: false, retry: true, error: String(error) };
}

/** The information card of someone told of a request they cannot decide; its id is kept for their reminders to link to. */
async function sendInfoCard(deps: Deps, d: Delivery): Promise<Outcome> {
  const tracked = (await deps.store.getRequest(d.requestKey))?.value;
  // Decided, expired or gone while it waited: news of a request nobody can act on would only confuse.
  if (!tracked || !deps.infoPoster || !isActionable(tracked, deps.clock.now())) return { done: true };
  try {
    const activityId = await deps.infoPoster.postInfo(d.userId, tracked, d.approverCount ?? 0, d.informedAs ?? 'on-call');
    if (d.notification) await recordNotification(deps, d.requestKey, d.notification, activityId ? { state: 'sent', at: deps.clock.now().toISOString(), activityId } : { state: 'skipped', at: deps.clock.now().toISOString() });
    return { done: true };
  } catch (error) {
    const outcome = failedSend(error);
    const fields = { requestKey: d.requestKey, userId: d.userId, error: outcome.error };
    if (outcome.retry) deps.logger.warn('Could not post an information card; it stays queued and is tried again', fields);
    else deps.logger.error('An information card was refused for good or may have arrived; not posting it again', fields);
    return outcome;
  }
}

/** The support case opener's information card, claimed by informCaseOpener; the outcome is recorded with the request. */
async function sendCaseOpenerCard(deps: Deps, d: Delivery): Promise<Outcome> {
  const found = await deps.store.getRequest(d.requestKey);
  const opener = found?.value.caseOpener;
  if (!found || !deps.caseOpenerCards || opener?.state !== 'posting' || !opener.userId || !sameId(opener.userId, d.userId)) return { done: true };
  if (!isActionable(found.value, deps.clock.now())) return { done: true };
  const conversation = await deps.store.getConversation(d.userId);
  const at = () => deps.clock.now().toISOString();
  if (!conversation) {
    await recordCaseOpener(deps, d.requestKey, { ...opener, state: 'no-chat', at: at() });
    return { done: true };
  }
  try {
    const activityId = await deps.caseOpenerCards.post(conversation, found.value);
    deps.telemetry.event('CaseOpenerInformed', { source: found.value.request.source });
    await recordCaseOpener(deps, d.requestKey, { ...opener, state: 'posted', activityId, at: at() });
    return { done: true };
  } catch (error) {
    const outcome = failedSend(error);
    deps.logger.warn('Could not post the information card to the opener of a support case; will try again', { requestKey: d.requestKey, userId: d.userId, error: outcome.error });
    if (outcome.retry) return outcome;
    // Refused for good or unknowable: as before the queue, looked at again after a while.
    await recordCaseOpener(deps, d.requestKey, { ...opener, state: 'no-chat', at: at() });
    return outcome;
  }
}

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

/** Teams said it did not take it, for now: try again. Refused for good (the chat gone, too large), or unknowable (a timeout): not again. */
function failedSend(error: unknown): Outcome & { done: false } {
  const retry = error instanceof DeliveryFailed && error.delivered === 'no' && !(error.status !== undefined && (GONE.has(error.status) || error.status === TOO_LARGE));
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
