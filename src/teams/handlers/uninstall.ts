import type { Activity, TurnContext } from 'botbuilder';
import type { TeamsDeps } from '../deps';
import { actorOf, isPersonalChat } from '../identity';

/**
 * Forgets a person's chat when they remove the bot from it, so nothing is sent into the void. A removal
 * from a team or group chat leaves their personal chat, where their cards go, alone.
 */
export function uninstall(deps: TeamsDeps) {
  return async (context: TurnContext): Promise<void> => {
    const actor = actorOf(context.activity);
    if (!isBotRemoval(context.activity) || !actor) return;
    const known = await deps.store.getConversation(actor.aadObjectId);
    if (!isPersonalChat(context.activity) || known?.conversationId !== context.activity.conversation?.id) {
      deps.logger.info('The bot was removed from a shared conversation; the personal chat stays', { userId: actor.aadObjectId });
      return;
    }
    await deps.store.removeConversation(actor.aadObjectId);
    deps.logger.info('The bot was removed from a personal chat; forgot it', { userId: actor.aadObjectId });
  };
}

/**
 * The bot taken out of a conversation: an installationUpdate "remove…", or a conversationUpdate whose
 * membersRemoved names the bot itself (what a personal chat gets when the app is removed there).
 */
export function isBotRemoval(activity: Activity): boolean {
  if (activity.type === 'installationUpdate') return String((activity as { action?: string }).action ?? '').startsWith('remove');
  if (activity.type !== 'conversationUpdate') return false;
  const botId = activity.recipient?.id;
  return Boolean(botId) && (activity.membersRemoved ?? []).some((member) => member?.id === botId);
}
