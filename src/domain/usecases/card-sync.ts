import { DeliveryFailed } from '../errors';
import type { CoreDeps } from './deps';

type Deps = Pick<CoreDeps, 'store' | 'messenger' | 'logger'>;

/** Per request, the sync under way: a new one waits for it, so copies never end on an older state. */
const inFlight = new Map<string, Promise<void>>();

/**
 * Brings every approver's copy of a request card up to date with the state stored when the update
 * is sent (not when it was asked for), one sync per request at a time. Once every copy took it, the
 * request's `cardsStale` mark is cleared; until then the watcher tries again, across restarts too.
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
    const found = await deps.store.getRequest(requestKey);
    if (!found) return;
    const tracked = found.value;
    const copies = (await deps.store.listCards(requestKey)).filter((c) => c.activityId);
    const results = await Promise.all(
      copies.map(async (copy) => {
        const conversation = await deps.store.getConversation(copy.userId);
        if (!conversation) return true;
        try {
          await deps.messenger.updateRequestCard(conversation, copy.activityId!, tracked);
          return true;
        } catch (error) {
          deps.logger.warn('Could not update a card copy', { requestKey, userId: copy.userId, error: String(error) });
          // A chat that is gone will never take the update: not a reason to keep trying.
          return error instanceof DeliveryFailed && error.delivered === 'no' && (error.status === 403 || error.status === 404);
        }
      }),
    );
    // Cleared only if nothing changed meanwhile: a newer state brings its own sync.
    if (tracked.cardsStale && results.every(Boolean)) await deps.store.replaceRequest({ ...tracked, cardsStale: false }, found.etag);
  } catch (error) {
    deps.logger.error('Could not update the cards of a request', { requestKey, error: String(error) });
  }
}
