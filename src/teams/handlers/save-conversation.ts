import { TurnContext } from 'botbuilder';
import { sameId } from '../../domain/decision';
import type { TeamsDeps } from '../deps';
import { actorOf, isPersonalChat } from '../identity';
import { isBotRemoval } from './uninstall';

/**
 * Runs before every turn, so no route can shadow it: remembers each user's personal chat with the
 * bot, which is where their cards go. Returning true lets the turn continue.
 */
export function saveConversation(deps: TeamsDeps) {
  return async (context: TurnContext): Promise<boolean> => {
    const activity = context.activity;
    const actor = actorOf(activity);
    if (!actor || !activity.conversation?.id || !isPersonalChat(activity)) return true;
    // Cards go only to people of the organisation this bot serves.
    if (!sameId(actor.tenantId, deps.tenantId)) return true;
    // A removal also arrives as an activity in the chat; it must not bring the chat back.
    if (isBotRemoval(activity)) return true;
    // A slow or failing store must not hold up (or fail) the turn itself, a click above all: remembering the chat can wait.
    const remembering = remember(deps, context, actor).catch((error) => deps.logger.warn('Could not remember a personal chat; will on the next message', { userId: actor.aadObjectId, error: String(error) }));
    await Promise.race([remembering, new Promise((resolve) => setTimeout(resolve, SAVE_BUDGET_MS).unref())]);
    return true;
  };
}

/** Most of a turn's time the chat's record may take before the turn goes on without waiting for it. */
const SAVE_BUDGET_MS = 1000;

async function remember(deps: TeamsDeps, context: TurnContext, actor: NonNullable<ReturnType<typeof actorOf>>): Promise<void> {
  const activity = context.activity;
  const known = await deps.store.getConversation(actor.aadObjectId);
  const locale = typeof activity.locale === 'string' && LOCALE.test(activity.locale) ? activity.locale : known?.locale;
  const same = known?.conversationId === activity.conversation!.id && known.reference && sameServiceUrl(known.reference, activity.serviceUrl);
  if (same && known.locale === locale) return;
  // Built only for a write: most turns find their chat as it was.
  const reference = TurnContext.getConversationReference(activity);
  await deps.store.saveConversation({
    userId: actor.aadObjectId,
    tenantId: actor.tenantId,
    conversationId: activity.conversation!.id,
    name: actor.name,
    ...(locale ? { locale } : {}),
    reference,
    updatedAt: deps.clock.now().toISOString(),
  });
  if (same) return;
  deps.logger.info('Saved a personal chat with the bot', { userId: actor.aadObjectId });
  deps.kickWatcher();
}

/** A BCP 47 tag as Teams sends it; anything else is not worth remembering. */
const LOCALE = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8}){0,4}$/;

function sameServiceUrl(reference: unknown, serviceUrl: string | undefined): boolean {
  return (reference as { serviceUrl?: string }).serviceUrl === serviceUrl;
}
