import type { TurnContext } from 'botbuilder';
import type { TeamsDeps } from '../deps';

export const HELP_TEXT =
  'I post each new Customer Lockbox request here as a card with Approve and Reject buttons. ' +
  'Open the card to see who is asking, for which resource, and how long the request has left.';

/** Any message the bot has no command for gets a short explanation, never silence. */
export function helpMessage(deps: TeamsDeps) {
  return async (context: TurnContext): Promise<void> => {
    deps.logger.debug('Answered a message with help', { length: context.activity.text?.length ?? 0 });
    await context.sendActivity(HELP_TEXT);
  };
}
