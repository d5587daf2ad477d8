import { isActionable, type TrackedRequest } from '../tracked';
import type { CoreDeps } from './deps';

type Deps = Pick<CoreDeps, 'store' | 'directory' | 'messenger' | 'clock' | 'logger' | 'telemetry'>;

export interface DeliveryReport {
  posted: number;
  /** Approvers the bot cannot reach yet because they never opened a chat with it. */
  unreachable: number;
}

/**
 * Posts the request card to every approver who has a chat with the bot and has no copy yet.
 * A create-if-absent claim per (request, approver) makes the post happen once, across restarts and instances.
 */
export async function deliverCards(deps: Deps, tracked: TrackedRequest): Promise<DeliveryReport> {
  const report: DeliveryReport = { posted: 0, unreachable: 0 };
  if (!isActionable(tracked, deps.clock.now())) return report;
  const approvers = await deps.directory.listApprovers(tracked.request);
  for (const userId of new Set(approvers)) {
    const conversation = await deps.store.getConversation(userId);
    if (!conversation) {
      report.unreachable++;
      continue;
    }
    const claimed = await deps.store.claimCard({ requestKey: tracked.key, userId, conversationId: conversation.conversationId });
    if (!claimed) continue;
    try {
      const activityId = await deps.messenger.postRequestCard(conversation, tracked);
      await deps.store.completeCard(tracked.key, userId, activityId, deps.clock.now().toISOString());
      report.posted++;
    } catch (error) {
      await deps.store.releaseCard(tracked.key, userId);
      deps.logger.warn('Could not post a request card; will try again next poll', { requestKey: tracked.key, userId, error: String(error) });
    }
  }
  if (report.posted) deps.telemetry.event('CardsPosted', { count: report.posted, source: tracked.request.source });
  return report;
}
