import type { TurnContext } from 'botbuilder';
import type { TeamsDeps } from '../deps';
import { actorOf, isPersonalChat } from '../identity';

/**
 * Forgets a person's chat when they remove the bot from it, so nothing is sent into the void. A removal
 * from a team or group chat leaves their personal chat, where their cards go, alone.
 */
export function uninstall(deps: TeamsDeps) {
  return async (context: TurnContext): Promise<void> => {
    const action = (context.activity as { action?: string }).action ?? '';
    const actor = actorOf(context.activity);
    if (!action.startsWith('remove') || !actor) return;
    const known = await deps.store.getConversation(actor.aadObjectId);
    if (!isPersonalChat(context.activity) || known?.conversationId !== context.activity.conversation?.id) {
      deps.logger.info('The bot was removed from a shared conversation; the personal chat stays', { userId: actor.aadObjectId });
      return;
    }
    await deps.store.removeConversation(actor.aadObjectId);
    deps.logger.info('The bot was removed from a personal chat; forgot it', { userId: actor.aadObjectId });
  };
}
