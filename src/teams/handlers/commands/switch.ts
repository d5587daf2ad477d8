import { CardFactory, MessageFactory, type TurnContext } from 'botbuilder';
import type { SwitchAction } from '../../../domain/admin';
import type { Actor } from '../../../domain/decision';
import type { SourceKind } from '../../../domain/request';
import { requestSwitch, CONFIRMATION_TTL_MS } from '../../../domain/usecases/switch-lockbox';
import { render } from '../../cards/render';
import { productName } from '../../cards/text';
import type { TeamsDeps } from '../../deps';
import { t } from '../../i18n';


/** `/lockbox enable|disable [azure|m365]`: checks the role, then asks the same person to confirm. */
export async function switchLockbox(context: TurnContext, deps: TeamsDeps, actor: Actor, action: SwitchAction, source: SourceKind | undefined): Promise<void> {
  const locale = context.activity.locale;
  const chosen = source ?? onlySource(deps);
  if (!chosen) {
    await context.sendActivity(t(locale, 'switch.whichProduct', { action }));
    return;
  }
  const confirmation = await requestSwitch(deps, { actor, action, source: chosen }, deps.newId());
  const off = action === 'disable';
  const card = render('confirm', {
    id: confirmation.id,
    title: t(locale, off ? 'switch.askOff' : 'switch.askOn', { product: productName(chosen) }),
    text: t(locale, off ? 'switch.explainOff' : 'switch.explainOn'),
    style: off ? 'attention' : 'accent',
    confirmLabel: t(locale, off ? 'switch.turnOff' : 'switch.turnOn'),
    confirmStyle: off ? 'destructive' : 'positive',
    cancelLabel: t(locale, 'switch.cancel'),
    expiry: t(locale, 'switch.onlyYou', { minutes: CONFIRMATION_TTL_MS / 60_000 }),
  });
  await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
}

function onlySource(deps: TeamsDeps): SourceKind | undefined {
  const kinds = [...deps.sources.keys()];
  return kinds.length === 1 ? kinds[0] : undefined;
}
