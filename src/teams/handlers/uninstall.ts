import type { TurnContext } from 'botbuilder';
import type { TeamsDeps } from '../deps';
import { actorOf } from '../identity';

/** Forgets a person's chat when they remove the bot, so nothing is sent into the void. */
export function uninstall(deps: TeamsDeps) {
  return async (context: TurnContext): Promise<void> => {
    const action = (context.activity as { action?: string }).action ?? '';
    const actor = actorOf(context.activity);
    if (!action.startsWith('remove') || !actor) return;
    await deps.store.removeConversation(actor.aadObjectId);
    deps.logger.info('The bot was removed from a personal chat; forgot it', { userId: actor.aadObjectId });
  };
}
