import type { Logger, Store } from '../ports';
import type { NotificationRecord } from '../tracked';

/**
 * Records the outcome of a claimed notification, page or part of one (undefined: release the claim, so
 * it is tried again), retrying over concurrent writes to the request.
 */
export async function recordNotification(deps: { store: Store; logger: Logger }, requestKey: string, id: string, state: NotificationRecord | undefined): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const found = await deps.store.getRequest(requestKey);
    if (!found) return;
    const notifications = { ...found.value.notifications };
    // A message's id, once known (the delivery worker posted it), is kept by a later record of the same part.
    const known = notifications[id]?.activityId;
    if (state) notifications[id] = known && !state.activityId && state.state === 'sent' ? { ...state, activityId: known } : state;
    else delete notifications[id];
    if (await deps.store.replaceRequest({ ...found.value, notifications }, found.etag)) return;
  }
  deps.logger.error('Could not record a notification outcome', { requestKey, notification: id });
}
