import type { Application, TurnState } from '@microsoft/teams-ai';
import type { TeamsDeps } from '../deps';
import { registerCommands } from './commands';
import { CHOOSE_VERB, chooseProductHandler } from './choose-product';
import { confirmSwitchHandler, SWITCH_VERBS } from './confirm-switch';
import { decideHandler, VERBS } from './decide';
import { helpMessage } from './help-message';
import { saveConversation } from './save-conversation';
import { acceptOnlyTeams } from './trusted-channel';
import { uninstall } from './uninstall';
import { executeVerb, isInvoke, unknownInvoke } from './unknown-invoke';
import { welcome } from './welcome';

/**
 * Every route the bot answers, in one place. teams-ai runs the first route that matches,
 * so the order below is the order of precedence.
 */
export function registerHandlers(app: Application<TurnState>, deps: TeamsDeps): { verbs: string[] } {
  app.turn('beforeTurn', acceptOnlyTeams(deps));
  app.turn('beforeTurn', saveConversation(deps));

  app.adaptiveCards.actionExecute(executeVerb(VERBS.approve), decideHandler(deps, 'approve'));
  app.adaptiveCards.actionExecute(executeVerb(VERBS.reject), decideHandler(deps, 'reject'));
  app.adaptiveCards.actionExecute(executeVerb(CHOOSE_VERB), chooseProductHandler(deps));
  app.adaptiveCards.actionExecute(executeVerb(SWITCH_VERBS.confirm), confirmSwitchHandler(deps, 'confirm'));
  app.adaptiveCards.actionExecute(executeVerb(SWITCH_VERBS.cancel), confirmSwitchHandler(deps, 'cancel'));
  // Last of the invoke routes: whatever the ones above did not take.
  app.addRoute(isInvoke, unknownInvoke(deps), true);

  app.conversationUpdate('membersAdded', welcome(deps));
  app.activity('installationUpdate', uninstall(deps));
  app.conversationUpdate('membersRemoved', uninstall(deps));
  registerCommands(app, deps);
  app.message(/.*/s, helpMessage(deps));

  return { verbs: [...Object.values(VERBS), CHOOSE_VERB, ...Object.values(SWITCH_VERBS)] };
}
