import { CardFactory, MessageFactory, type TurnContext } from 'botbuilder';
import type { SwitchAction } from '../../../domain/admin';
import type { Actor } from '../../../domain/decision';
import type { SourceKind } from '../../../domain/request';
import { requestSwitch, CONFIRMATION_TTL_MS } from '../../../domain/usecases/switch-lockbox';
import { render } from '../../cards/render';
import { productName } from '../../cards/text';
import type { TeamsDeps } from '../../deps';


/** `/lockbox enable|disable [azure|m365]`: checks the role, then asks the same person to confirm. */
export async function switchLockbox(context: TurnContext, deps: TeamsDeps, actor: Actor, action: SwitchAction, source: SourceKind | undefined): Promise<void> {
  const chosen = source ?? onlySource(deps);
  if (!chosen) {
    await context.sendActivity(`This bot watches more than one product: say which, e.g. /lockbox ${action} azure or /lockbox ${action} m365.`);
    return;
  }
  const confirmation = await requestSwitch(deps, { actor, action, source: chosen }, deps.newId());
  const off = action === 'disable';
  const card = render('confirm', {
    id: confirmation.id,
    title: off ? `Turn Customer Lockbox off for ${productName(chosen)}?` : `Turn Customer Lockbox on for ${productName(chosen)}?`,
    text: off
      ? 'Microsoft engineers will then reach your data without asking anyone first, and no new lockbox requests will arrive here. Requests already waiting may no longer be enforced.'
      : 'Microsoft engineers will then have to ask before touching your data, and each request will arrive here for approvers to decide.',
    style: off ? 'attention' : 'accent',
    confirmLabel: off ? 'Turn it off' : 'Turn it on',
    confirmStyle: off ? 'destructive' : 'positive',
    expiry: `Only you can confirm this, within ${CONFIRMATION_TTL_MS / 60_000} minutes.`,
  });
  await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
}

function onlySource(deps: TeamsDeps): SourceKind | undefined {
  const kinds = [...deps.sources.keys()];
  return kinds.length === 1 ? kinds[0] : undefined;
}
