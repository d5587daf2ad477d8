import type { Activity } from 'botbuilder';
import type { Actor } from '../domain/decision';

/** The only channel whose identities the bot trusts: Web Chat and Direct Line let a client say who it is. */
export const TEAMS_CHANNEL = 'msteams';

/** Who sent an activity, as Teams says: the Entra object id and the conversation's tenant, never anything a card carried. */
export function actorOf(activity: Partial<Activity>): Actor | undefined {
  const aadObjectId = activity.from?.aadObjectId;
  const tenantId = activity.conversation?.tenantId;
  if (typeof aadObjectId !== 'string' || !aadObjectId || typeof tenantId !== 'string' || !tenantId) return undefined;
  const name = activity.from?.name;
  return { aadObjectId, tenantId, ...(typeof name === 'string' && name ? { name } : {}) };
}

/** Why the bot must not act on an activity, or undefined when Teams vouches for it. */
export function untrusted(activity: Partial<Activity>): 'not-teams' | 'tenant-mismatch' | undefined {
  if (activity.channelId !== TEAMS_CHANNEL) return 'not-teams';
  const conversationTenant = activity.conversation?.tenantId;
  const channelTenant = (activity.channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id;
  if (conversationTenant !== undefined && channelTenant !== undefined && String(conversationTenant).toLowerCase() !== String(channelTenant).toLowerCase()) return 'tenant-mismatch';
  return undefined;
}

/** A one-to-one chat with the bot; Teams (and the Agents Playground) may leave conversationType out there. */
export function isPersonalChat(activity: Partial<Activity>): boolean {
  const type = activity.conversation?.conversationType;
  return type === undefined || type === 'personal';
}
