import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import { LockboxError } from '../../domain/errors';
import { cancelSwitch, confirmSwitch } from '../../domain/usecases/switch-lockbox';
import { noticeCard, type AdaptiveCard } from '../cards/render';
import { productName } from '../cards/text';
import type { TeamsDeps } from '../deps';
import { textForError } from '../error-cards';
import { actorOf } from '../identity';

export const SWITCH_VERBS = { confirm: 'lockbox.switch.confirm', cancel: 'lockbox.switch.cancel' } as const;

const data = z.object({ confirmationId: z.string().min(1).max(100) });

/** Confirm or Cancel on the "turn Customer Lockbox on/off?" card; the store, not the card, says who asked and what. */
export function confirmSwitchHandler(deps: TeamsDeps, choice: 'confirm' | 'cancel') {
  return async (context: TurnContext, _state: unknown, raw: unknown): Promise<AdaptiveCard> => {
    const parsed = data.safeParse(raw);
    const actor = actorOf(context.activity);
    if (!parsed.success || !actor) return noticeCard('This card is damaged', 'Nothing was changed.');
    try {
      if (choice === 'cancel') {
        await cancelSwitch(deps, actor, parsed.data.confirmationId);
        return noticeCard('Cancelled', 'Nothing was changed.', 'accent');
      }
      const done = await confirmSwitch(deps, actor, parsed.data.confirmationId);
      const product = productName(done.source);
      return done.action === 'enable'
        ? noticeCard(`Customer Lockbox is on for ${product}`, 'From now on Microsoft engineers must ask before touching your data; requests will arrive here.', 'good')
        : noticeCard(`Customer Lockbox is off for ${product}`, 'Microsoft engineers no longer need approval to reach your data. Turn it back on with /lockbox enable.', 'warning');
    } catch (error) {
      if (!(error instanceof LockboxError)) deps.logger.error('Switching Customer Lockbox failed unexpectedly', { error: String(error) });
      return noticeCard(error instanceof LockboxError && error.code.startsWith('UPSTREAM') ? 'Microsoft said no' : 'Nothing was changed', textForError(error), 'attention');
    }
  };
}
