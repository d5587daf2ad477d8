import type { CoreDeps } from './deps';

type Deps = Pick<CoreDeps, 'store' | 'messenger' | 'logger'>;

/** Per request, the sync under way: a new one waits for it, so copies never end on an older state. */
const inFlight = new Map<string, Promise<void>>();

/**
 * Brings every approver's copy of a request card up to date with the state stored when the update
 * is sent (not when it was asked for), one sync per request at a time.
 */
export function syncCards(deps: Deps, requestKey: string): Promise<void> {
  const previous = inFlight.get(requestKey) ?? Promise.resolve();
  const next = previous.then(() => updateCopies(deps, requestKey));
  inFlight.set(requestKey, next);
  void next.finally(() => {
    if (inFlight.get(requestKey) === next) inFlight.delete(requestKey);
  });
  return next;
}

async function updateCopies(deps: Deps, requestKey: string): Promise<void> {
  try {
    const tracked = (await deps.store.getRequest(requestKey))?.value;
    if (!tracked) return;
    const copies = (await deps.store.listCards(requestKey)).filter((c) => c.activityId);
    await Promise.all(
      copies.map(async (copy) => {
        const conversation = await deps.store.getConversation(copy.userId);
        if (!conversation) return;
        try {
          await deps.messenger.updateRequestCard(conversation, copy.activityId!, tracked);
        } catch (error) {
          deps.logger.warn('Could not update a card copy', { requestKey, userId: copy.userId, error: String(error) });
        }
      }),
    );
  } catch (error) {
    deps.logger.error('Could not update the cards of a request', { requestKey, error: String(error) });
  }
}
