import type { TrackedRequest } from '../tracked';
import type { CoreDeps } from './deps';

/** Brings every approver's copy of a request card up to date with the stored state. */
export async function syncCards(deps: Pick<CoreDeps, 'store' | 'messenger' | 'logger'>, tracked: TrackedRequest): Promise<void> {
  const copies = await deps.store.listCards(tracked.key);
  await Promise.all(
    copies
      .filter((c) => c.activityId)
      .map(async (copy) => {
        const conversation = await deps.store.getConversation(copy.userId);
        if (!conversation) return;
        try {
          await deps.messenger.updateRequestCard(conversation, copy.activityId!, tracked);
        } catch (error) {
          deps.logger.warn('Could not update a card copy', { requestKey: tracked.key, userId: copy.userId, error: String(error) });
        }
      }),
  );
}
