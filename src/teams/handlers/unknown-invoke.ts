import { ActivityTypes, type TurnContext } from 'botbuilder';
import { noticeCard } from '../cards/render';
import type { TeamsDeps } from '../deps';
import { t } from '../i18n';

const ADAPTIVE_CARD_ACTION = 'adaptiveCard/action';

/** An Action.Execute click with exactly this verb: anything else shaped like it is an out-of-date or tampered card. */
export function executeVerb(verb: string) {
  return async (context: TurnContext): Promise<boolean> => {
    const a = context.activity;
    const action = (a.value as { action?: { type?: unknown; verb?: unknown } } | undefined)?.action;
    return a.type === ActivityTypes.Invoke && a.name === ADAPTIVE_CARD_ACTION && action?.type === 'Action.Execute' && action.verb === verb;
  };
}

export function isInvoke(context: TurnContext): Promise<boolean> {
  return Promise.resolve(context.activity.type === ActivityTypes.Invoke);
}

/**
 * Any invoke no route took: a card from before an upgrade, or a tampered one. Without this the adapter
 * answers 501 and Teams shows a bare error; a card replaces the clicked one and says what to do instead.
 */
export function unknownInvoke(deps: TeamsDeps) {
  return async (context: TurnContext): Promise<void> => {
    const a = context.activity;
    const verb = (a.value as { action?: { verb?: unknown } } | undefined)?.action?.verb;
    deps.logger.warn('Answered an invoke the bot has no handler for', { name: String(a.name ?? '').slice(0, 100), verb: typeof verb === 'string' ? verb.slice(0, 100) : undefined });
    const card = noticeCard(t(a.locale, 'refusal.outOfDate.title'), t(a.locale, 'refusal.outOfDate.text'), 'warning');
    await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card } } });
  };
}
