import type { TurnContext } from 'botbuilder';
import type { TeamsDeps } from '../deps';
import { t } from '../i18n';

/** Any message the bot has no command for gets a short explanation, never silence. */
export function helpMessage(deps: TeamsDeps) {
  return async (context: TurnContext): Promise<void> => {
    deps.logger.debug('Answered a message with help', { length: context.activity.text?.length ?? 0 });
    await context.sendActivity(t(context.activity.locale, 'chat.help'));
  };
}
