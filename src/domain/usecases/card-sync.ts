import { DeliveryFailed } from '../errors';
import type { CoreDeps } from './deps';
import { updateCaseOpenerCard } from './inform-case-opener';

type Deps = Pick<CoreDeps, 'store' | 'messenger' | 'logger' | 'caseOpenerCards'>;

type Syncs = Map<string, { tail: Promise<void>; notStarted?: Promise<void> }>;

/**
 * Per bot (its store), per request: the last sync queued, and the one not yet started (which later asks
 * can share). Keyed by the store so two bots in one process never share or block each other's syncs.
 */
const syncsByStore = new WeakMap<object, Syncs>();

function syncsOf(store: object): Syncs {
  let syncs = syncsByStore.get(store);
  if (!syncs) syncsByStore.set(store, (syncs = new Map()));
  return syncs;
}

/**
 * Brings every approver's copy of a request card up to date with the state stored when the update
 * is sent (not when it was asked for), one sync per request at a time. Asks that arrive while one
 * is still waiting share it: it reads the latest state anyway, so a burst costs one update per copy,
 * not one per change. Once every copy took it, `cardsStale` is cleared; until then the watcher retries.
 */
export function syncCards(deps: Deps, requestKey: string): Promise<void> {
  const syncs = syncsOf(deps.store);
  const state = syncs.get(requestKey) ?? { tail: Promise.resolve() };
  if (state.notStarted) return state.notStarted;
  const next = state.tail.then(() => {
    state.notStarted = undefined;
    return updateCopies(deps, requestKey);
  });
  state.notStarted = next;
  state.tail = next;
  syncs.set(requestKey, state);
  void next.finally(() => {
    if (state.tail === next) syncs.delete(requestKey);
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
    await updateCaseOpenerCard(deps, tracked);
    // Cleared only if nothing changed meanwhile: a newer state brings its own sync.
    if (tracked.cardsStale && results.every(Boolean)) await deps.store.replaceRequest({ ...tracked, cardsStale: false }, found.etag);
  } catch (error) {
    deps.logger.error('Could not update the cards of a request', { requestKey, error: String(error) });
  }
}
