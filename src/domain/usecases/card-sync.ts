import type { TrackedRequest } from '../tracked';
import type { CoreDeps } from './deps';
import { deliveryOf } from './delivery-queue';

type Deps = Pick<CoreDeps, 'store' | 'clock' | 'logger' | 'wakeDeliveries'>;

/**
 * Brings every posted copy of a request's card (each approver's, and the support case opener's information
 * card) up to date: an update per copy goes into the durable delivery queue, which sends it at Teams' pace
 * apart from clicks and polls, and renders the state stored when it is sent. A change while an update waits
 * costs nothing more; one while it is being sent sends it again. Once queued, `cardsStale` is cleared; until
 * then the watcher asks again.
 */
export async function syncCards(deps: Deps, requestKey: string): Promise<void> {
  try {
    const [found, cards] = await Promise.all([deps.store.getRequest(requestKey), deps.store.listCards(requestKey)]);
    if (!found) return;
    const tracked = found.value;
    const now = deps.clock.now();
    // A copy not posted yet is rendered from the latest state when its first card goes.
    const updates = cards.filter((copy) => copy.activityId).map((copy) => deliveryOf(now, tracked, 'card-update', copy.userId));
    const opener = tracked.caseOpener;
    if (opener?.state === 'posted' && opener.userId && opener.activityId) updates.push(deliveryOf(now, tracked, 'case-opener-update', opener.userId));
    // All of them in one store write; updates queued already pick up this state when they go: nothing new for the worker.
    const queued = updates.length > 0 && (await deps.store.enqueueDeliveries(updates)).includes(true);
    if (queued) deps.wakeDeliveries?.();
    // Cleared only if nothing changed meanwhile: a newer state brings its own sync.
    if (tracked.cardsStale) await deps.store.replaceRequest({ ...tracked, cardsStale: false }, found.etag);
  } catch (error) {
    deps.logger.error('Could not queue the card updates of a request; the watcher tries again', { requestKey, error: String(error) });
  }
}

/**
 * Queues a request's card updates once the clicks being answered have their answers: nobody waits for the
 * other copies, and the request stays `cardsStale` (which the watcher acts on) until they are queued.
 */
export async function syncCardsSoon(deps: Deps & Pick<CoreDeps, 'whenQuiet'>, requestKey: string): Promise<void> {
  await deps.whenQuiet?.();
  await syncCards(deps, requestKey);
}

/** What a card shows of a request: everything but the bot's own bookkeeping, which no card displays. */
export function shownState(tracked: TrackedRequest): string {
  const { notifications: _n, cardsStale: _c, updatedAt: _u, ...shown } = tracked;
  return JSON.stringify(shown);
}
