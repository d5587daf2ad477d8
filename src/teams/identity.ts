import type { Activity } from 'botbuilder';
import type { Actor } from '../domain/decision';

/** Who sent an activity, as Teams says: the Entra object id and tenant, never anything a card carried. */
export function actorOf(activity: Partial<Activity>): Actor | undefined {
  const aadObjectId = activity.from?.aadObjectId;
  const tenantId = activity.conversation?.tenantId ?? (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id;
  if (typeof aadObjectId !== 'string' || !aadObjectId || typeof tenantId !== 'string' || !tenantId) return undefined;
  const name = activity.from?.name;
  return { aadObjectId, tenantId, ...(typeof name === 'string' && name ? { name } : {}) };
}
