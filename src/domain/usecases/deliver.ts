import { DeliveryFailed } from '../errors';
import { isActionable, type TrackedRequest } from '../tracked';
import type { CoreDeps } from './deps';

/** Teams' answers that mean the chat itself is unusable: BotNotInConversationRoster, ConversationBlockedByUser, BotDisabledByAdmin (403), ConversationNotFound (404). */
const GONE = new Set([403, 404]);

type Deps = Pick<CoreDeps, 'store' | 'directory' | 'messenger' | 'clock' | 'logger' | 'telemetry' | 'installer'>;

export interface DeliveryReport {
  posted: number;
  /** Approvers the bot cannot reach yet because they never opened a chat with it. */
  unreachable: number;
  /** Of those, the ones it asked Teams to install the bot for; their card follows once the chat opens. */
  installing: number;
}

/**
 * Posts the request card to every approver who has a chat with the bot and has no copy yet.
 * A create-if-absent claim per (request, approver) makes the post happen once, across restarts and instances.
 */
export async function deliverCards(deps: Deps, tracked: TrackedRequest): Promise<DeliveryReport> {
  const report: DeliveryReport = { posted: 0, unreachable: 0, installing: 0 };
  if (!isActionable(tracked, deps.clock.now())) return report;
  const approvers = await deps.directory.listApprovers(tracked.request);
  for (const userId of new Set(approvers)) {
    const conversation = await deps.store.getConversation(userId);
    if (!conversation) {
      report.unreachable++;
      if ((await deps.installer?.install(userId)) === 'requested') report.installing++;
      continue;
    }
    const claimed = await deps.store.claimCard({ requestKey: tracked.key, userId, conversationId: conversation.conversationId });
    if (!claimed) continue;
    let activityId: string;
    try {
      activityId = await deps.messenger.postRequestCard(conversation, tracked);
    } catch (error) {
      await unclaimIfUnsent(deps, tracked.key, userId, error);
      continue;
    }
    await deps.store.completeCard(tracked.key, userId, activityId, deps.clock.now().toISOString());
    report.posted++;
  }
  if (report.posted) deps.telemetry.event('CardsPosted', { count: report.posted, source: tracked.request.source });
  return report;
}

/**
 * Only a post that Teams said it did not take is tried again; after a timeout the card may well be in
 * the chat, and a second copy is worse than a missing one, so the claim stays and the log says so.
 */
async function unclaimIfUnsent(deps: Deps, requestKey: string, userId: string, error: unknown): Promise<void> {
  const unsent = error instanceof DeliveryFailed && error.delivered === 'no';
  if (unsent) await deps.store.releaseCard(requestKey, userId);
  if (unsent && error.status !== undefined && GONE.has(error.status)) {
    // Blocked, uninstalled or deleted: the chat is gone until the person opens the bot again.
    await deps.store.removeConversation(userId);
    deps.logger.warn('The bot can no longer post to this person; forgot their chat until they open the bot again', { requestKey, userId, error: String(error) });
  } else if (unsent) {
    deps.logger.warn('Could not post a request card; will try again next poll', { requestKey, userId, error: String(error) });
  } else {
    deps.logger.error('Posting a request card may or may not have worked; not posting again, to avoid a duplicate', { requestKey, userId, error: String(error) });
  }
}
