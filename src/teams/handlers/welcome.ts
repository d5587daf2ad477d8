import type { TurnContext } from 'botbuilder';
import type { TeamsDeps } from '../deps';
import { t } from '../i18n';

/** Greets a user once, when the bot is installed in their personal scope. */
export function welcome(_deps: TeamsDeps) {
  return async (context: TurnContext): Promise<void> => {
    const botId = context.activity.recipient?.id;
    if (!(context.activity.membersAdded ?? []).some((m) => m.id === botId)) return;
    await context.sendActivity(t(context.activity.locale, 'chat.welcome'));
  };
}
