import type { TurnContext } from 'botbuilder';
import type { TeamsDeps } from '../deps';

export const WELCOME_TEXT =
  "Hi! I'm Lockbox Bot. When a Microsoft engineer asks for access to your organisation's data through Customer Lockbox, " +
  "I'll post the request here so you can approve or reject it in one tap. Only people who currently hold an approver role can decide; " +
  'every decision is recorded with who made it.';

/** Greets a user once, when the bot is installed in their personal scope. */
export function welcome(_deps: TeamsDeps) {
  return async (context: TurnContext): Promise<void> => {
    const botId = context.activity.recipient?.id;
    if (!(context.activity.membersAdded ?? []).some((m) => m.id === botId)) return;
    await context.sendActivity(WELCOME_TEXT);
  };
}
