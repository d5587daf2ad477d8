import { CardFactory, MessageFactory, type TurnContext } from 'botbuilder';
import type { SwitchAction } from '../../../domain/admin';
import type { Actor } from '../../../domain/decision';
import type { SourceKind } from '../../../domain/request';
import { requestSwitch } from '../../../domain/usecases/switch-lockbox';
import { chooseProductCard, confirmSwitchCard } from '../../cards/switch-cards';
import type { TeamsDeps } from '../../deps';

/**
 * `/lockbox enable|disable [azure|m365]`: checks the role, then asks the same person to confirm.
 * Without a product while several are watched, offers them as buttons first.
 */
export async function switchLockbox(context: TurnContext, deps: TeamsDeps, actor: Actor, action: SwitchAction, source: SourceKind | undefined): Promise<void> {
  const locale = context.activity.locale;
  const watched = [...deps.sources.keys()];
  const chosen = source ?? (watched.length === 1 ? watched[0] : undefined);
  const card = chosen
    ? confirmSwitchCard(await requestSwitch(deps, { actor, action, source: chosen }, deps.newId()), locale)
    : chooseProductCard(action, watched, locale);
  await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
}
