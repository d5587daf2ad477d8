import { randomUUID } from 'node:crypto';

export interface TeamsUser {
  aadObjectId: string;
  name?: string;
}

export const BOT = { id: '28:lockbox-bot', name: 'Lockbox Bot' };

/** Real Teams activity shapes for a personal chat, as the Bot Connector delivers them. */
export function personalActivity(serviceUrl: string, tenantId: string, user: TeamsUser, fields: Record<string, unknown>) {
  return {
    id: randomUUID(),
    channelId: 'msteams',
    serviceUrl,
    timestamp: new Date().toISOString(),
    from: { id: `29:${user.aadObjectId}`, aadObjectId: user.aadObjectId, ...(user.name ? { name: user.name } : {}) },
    recipient: { ...BOT },
    conversation: { id: `a:personal-${user.aadObjectId}`, conversationType: 'personal', tenantId },
    channelData: { tenant: { id: tenantId } },
    ...fields,
  };
}

export function installUpdate(serviceUrl: string, tenantId: string, user: TeamsUser) {
  return personalActivity(serviceUrl, tenantId, user, { type: 'conversationUpdate', membersAdded: [{ ...BOT }] });
}

export function uninstallUpdate(serviceUrl: string, tenantId: string, user: TeamsUser) {
  return personalActivity(serviceUrl, tenantId, user, { type: 'installationUpdate', action: 'remove' });
}

export function message(serviceUrl: string, tenantId: string, user: TeamsUser, text: string) {
  return personalActivity(serviceUrl, tenantId, user, { type: 'message', text });
}

export function cardAction(serviceUrl: string, tenantId: string, user: TeamsUser, verb: string, data: unknown, replyToId?: string) {
  return personalActivity(serviceUrl, tenantId, user, {
    type: 'invoke',
    name: 'adaptiveCard/action',
    replyToId,
    value: { action: { type: 'Action.Execute', id: verb, verb, data }, trigger: 'manual' },
  });
}
