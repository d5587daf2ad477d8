import { ActivityTypes, type TurnContext } from 'botbuilder';
import { noticeCard } from '../cards/render';
import type { TeamsDeps } from '../deps';
import { t } from '../i18n';
import { untrusted } from '../identity';

/**
 * Runs before anything else: the bot acts only on what Teams vouches for. Any other channel of the
 * Azure Bot resource (Web Chat, Direct Line) lets a client claim an approver's identity, and a
 * conversation whose tenant channelData contradicts is not one Teams sent. Returning false ends the turn.
 */
export function acceptOnlyTeams(deps: TeamsDeps) {
  return async (context: TurnContext): Promise<boolean> => {
    const activity = context.activity;
    const reason = untrusted(activity);
    if (!reason) return true;
    const claimed = { channelId: String(activity.channelId ?? '').slice(0, 50), type: String(activity.type ?? '').slice(0, 50), claimedUserId: String(activity.from?.aadObjectId ?? '').slice(0, 100) };
    deps.logger.warn('Refused an activity Teams did not vouch for', { reason, ...claimed });
    if (activity.type !== ActivityTypes.Invoke) return false;
    const requestKey = (activity.value as { action?: { data?: { requestKey?: unknown } } } | undefined)?.action?.data?.requestKey;
    await deps.store.appendAudit({
      at: deps.clock.now().toISOString(),
      kind: 'decision.refused',
      ...(typeof requestKey === 'string' ? { requestKey: requestKey.slice(0, 300) } : {}),
      detail: { reason, ...claimed },
    });
    const card = noticeCard(t(activity.locale, 'refusal.title'), t(activity.locale, 'refusal.untrustedChannel'), 'attention');
    await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card } } });
    return false;
  };
}
