import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import { LockboxError, UpstreamError } from '../../domain/errors';
import { cancelSwitch, confirmSwitch } from '../../domain/usecases/switch-lockbox';
import { noticeCard, type AdaptiveCard } from '../cards/render';
import { productName } from '../cards/text';
import type { TeamsDeps } from '../deps';
import { textForError } from '../error-cards';
import { t } from '../i18n';
import { actorOf } from '../identity';

export const SWITCH_VERBS = { confirm: 'lockbox.switch.confirm', cancel: 'lockbox.switch.cancel' } as const;

const data = z.object({ confirmationId: z.string().min(1).max(100) });

/** Confirm or Cancel on the "turn Customer Lockbox on/off?" card; the store, not the card, says who asked and what. */
export function confirmSwitchHandler(deps: TeamsDeps, choice: 'confirm' | 'cancel') {
  return async (context: TurnContext, _state: unknown, raw: unknown): Promise<AdaptiveCard> => {
    const parsed = data.safeParse(raw);
    const actor = actorOf(context.activity);
    const locale = context.activity.locale;
    if (!parsed.success || !actor) return noticeCard(t(locale, 'switch.damaged'), t(locale, 'switch.nothingChanged'));
    try {
      if (choice === 'cancel') {
        await cancelSwitch(deps, actor, parsed.data.confirmationId);
        return noticeCard(t(locale, 'switch.cancelled'), t(locale, 'switch.nothingChanged'), 'accent');
      }
      const done = await confirmSwitch(deps, actor, parsed.data.confirmationId);
      const product = productName(done.source);
      return done.action === 'enable'
        ? noticeCard(t(locale, 'switch.isOn', { product }), t(locale, 'switch.isOnText'), 'good')
        : noticeCard(t(locale, 'switch.isOff', { product }), t(locale, 'switch.isOffText', { source: done.source }), 'warning');
    } catch (error) {
      if (!(error instanceof LockboxError)) deps.logger.error('Switching Customer Lockbox failed unexpectedly', { error: String(error) });
      return noticeCard(t(locale, error instanceof UpstreamError ? 'switch.microsoftSaidNo' : 'switch.nothingChanged'), textForError(error, locale), 'attention');
    }
  };
}
