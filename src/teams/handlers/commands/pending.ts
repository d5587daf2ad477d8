import { CardFactory, MessageFactory, type TurnContext } from 'botbuilder';
import type { Actor } from '../../../domain/decision';
import { adoptRepostedCard, pendingFor } from '../../../domain/usecases/queries';
import { requestCard } from '../../cards/render';
import type { TeamsDeps } from '../../deps';
import { t } from '../../i18n';
import { isPersonalChat } from '../../identity';

/**
 * Re-posts the card of every request waiting for a decision that this person may make; the new copy
 * becomes the one the bot keeps up to date. Requests they cannot decide are not shown.
 */
export async function pending(context: TurnContext, deps: TeamsDeps, actor: Actor): Promise<void> {
  const now = deps.clock.now();
  const locale = context.activity.locale;
  // Cards with buttons never go into a shared conversation, where everyone would see the request.
  if (!isPersonalChat(context.activity)) {
    await context.sendActivity(t(locale, 'pending.personalChatOnly'));
    return;
  }
  // Most urgent first: the request that expires soonest is the one to decide now.
  const mine = (await pendingFor(deps, actor)).sort((a, b) => Date.parse(a.request.expiresAt) - Date.parse(b.request.expiresAt));
  if (!mine.length) {
    await context.sendActivity(t(locale, 'pending.none'));
    return;
  }
  // The lead line is a courtesy: Teams refusing it must not keep the cards themselves back.
  await context.sendActivity(t(locale, 'pending.lead', { count: mine.length })).catch((error: unknown) => {
    deps.logger.warn('Could not send the line leading /lockbox pending', { userId: actor.aadObjectId, error: String(error) });
  });
  // Each card on its own: one Teams refuses (too large, throttled) does not keep the others from the person.
  let failed = 0;
  for (const tracked of mine) {
    try {
      const sent = await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(requestCard(tracked, now, undefined, { locale, userId: actor.aadObjectId }))));
      if (sent?.id) {
        await adoptRepostedCard(deps, { requestKey: tracked.key, userId: actor.aadObjectId, conversationId: context.activity.conversation.id, activityId: sent.id, postedAt: now.toISOString() });
      }
    } catch (error) {
      failed++;
      deps.logger.warn('Could not re-post a request card for /lockbox pending', { requestKey: tracked.key, userId: actor.aadObjectId, error: String(error) });
    }
  }
  if (failed) await context.sendActivity(t(locale, 'pending.someFailed', { count: failed }));
}
