import { ActivityTypes, type ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import { Application, TeamsAdapter, type TurnState } from '@microsoft/teams-ai';
import type { Logger } from '../domain/ports';
import type { TeamsDeps } from './deps';
import { registerHandlers } from './handlers';

export interface BotIdentity {
  id: string;
  password: string;
  tenantId: string;
  type: string;
}

/** Without an app id (local mode) the adapter accepts unsigned activities; with one, every activity must carry a valid Bot Framework token. */
export function createAdapter(bot: BotIdentity, logger: Logger): TeamsAdapter {
  const auth: Partial<ConfigurationBotFrameworkAuthenticationOptions> = bot.id
    ? { MicrosoftAppId: bot.id, MicrosoftAppPassword: bot.password, MicrosoftAppType: bot.type, MicrosoftAppTenantId: bot.tenantId }
    : {};
  const adapter = new TeamsAdapter(auth as ConfigurationBotFrameworkAuthenticationOptions);
  adapter.onTurnError = async (context, error) => {
    logger.error('A turn failed', { activityType: context.activity.type, name: context.activity.name, error: String(error) });
    if (context.activity.type === ActivityTypes.Message) {
      await context.sendActivity('Sorry, something went wrong on my side. Please try again.').catch(() => undefined);
    }
  };
  return adapter;
}

export function createBot(adapter: TeamsAdapter, botAppId: string, deps: TeamsDeps) {
  const app = new Application<TurnState>({ adapter, botAppId, removeRecipientMention: true, startTypingTimer: false, longRunningMessages: false });
  const { verbs } = registerHandlers(app, deps);
  return { app, verbs };
}
