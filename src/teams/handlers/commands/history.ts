import { CardFactory, MessageFactory, type TurnContext } from 'botbuilder';
import { actorName, type Actor, type Verdict } from '../../../domain/decision';
import { NotAnAdmin } from '../../../domain/errors';
import { render } from '../../cards/render';
import { localTime, plain } from '../../cards/text';
import type { TeamsDeps } from '../../deps';
import { t } from '../../i18n';

/** The last decisions from the bot's own audit trail: who, what, when, why. Admins only: it names people. */
export async function history(context: TurnContext, deps: TeamsDeps, actor: Actor, count: number): Promise<void> {
  const checks = await Promise.all([...deps.sources.keys()].map((source) => deps.directory.checkAdmin(actor.aadObjectId, source)));
  if (!checks.some((c) => c.allowed)) throw new NotAnAdmin([...new Set(checks.flatMap((c) => c.requiredRoles))]);
  const locale = context.activity.locale;
  const entries = await deps.store.listAudit({ kinds: ['decision.recorded'], limit: count });
  const view = entries.map((e) => {
    const verdict = e.detail.verdict as Verdict;
    const comment = typeof e.detail.comment === 'string' && e.detail.comment ? ` · "${plain(e.detail.comment)}"` : '';
    return {
      line: t(locale, verdict === 'approve' ? 'history.approvedBy' : 'history.rejectedBy', { name: e.actor ? plain(actorName(e.actor)) : t(locale, 'history.someone'), time: localTime(e.at) }),
      detail: `${plain(e.requestKey ?? '')}${comment}`,
    };
  });
  const card = render('history', { title: t(locale, 'history.title', { count }), entries: view, words: { none: t(locale, 'history.none') } });
  await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
}
