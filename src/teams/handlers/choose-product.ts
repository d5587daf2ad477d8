import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import { AlreadySwitched, LockboxError } from '../../domain/errors';
import { requestSwitch } from '../../domain/usecases/switch-lockbox';
import { noticeCard, type AdaptiveCard } from '../cards/render';
import { confirmSwitchCard } from '../cards/switch-cards';
import type { TeamsDeps } from '../deps';
import { textForError } from '../error-cards';
import { t } from '../i18n';
import { actorOf } from '../identity';

export const CHOOSE_VERB = 'lockbox.switch.choose';

const data = z.object({ action: z.enum(['enable', 'disable']), source: z.enum(['azure', 'm365']) });

/** A product button on the "which product?" card: the usual role check, then the usual confirmation in its place. */
export function chooseProductHandler(deps: TeamsDeps) {
  return async (context: TurnContext, _state: unknown, raw: unknown): Promise<AdaptiveCard> => {
    const parsed = data.safeParse(raw);
    const actor = actorOf(context.activity);
    const locale = context.activity.locale;
    if (!parsed.success || !actor) return noticeCard(t(locale, 'switch.damaged'), t(locale, 'switch.nothingChanged'));
    try {
      return confirmSwitchCard(await requestSwitch(deps, { actor, ...parsed.data }, deps.newId()), locale);
    } catch (error) {
      if (!(error instanceof LockboxError)) deps.logger.error('Asking to switch Customer Lockbox failed unexpectedly', { error: String(error) });
      const already = error instanceof AlreadySwitched;
      return noticeCard(t(locale, already ? 'switch.nothingToDo' : 'switch.nothingChanged'), textForError(error, locale), already ? 'good' : 'attention');
    }
  };
}
