import { CardFactory, MessageFactory, type TurnContext } from 'botbuilder';
import { actorName, type Actor, type Verdict } from '../../../domain/decision';
import { NotAnAdmin } from '../../../domain/errors';
import { render } from '../../cards/render';
import { localTime, plain } from '../../cards/text';
import type { TeamsDeps } from '../../deps';

/** The last decisions from the bot's own audit trail: who, what, when, why. Admins only: it names people. */
export async function history(context: TurnContext, deps: TeamsDeps, actor: Actor, count: number): Promise<void> {
  const checks = await Promise.all([...deps.sources.keys()].map((source) => deps.directory.checkAdmin(actor.aadObjectId, source)));
  if (!checks.some((c) => c.allowed)) throw new NotAnAdmin([...new Set(checks.flatMap((c) => c.requiredRoles))]);
  const entries = await deps.store.listAudit({ kinds: ['decision.recorded'], limit: count });
  const view = entries.map((e) => {
    const verdict = e.detail.verdict as Verdict;
    const comment = typeof e.detail.comment === 'string' && e.detail.comment ? ` · "${plain(e.detail.comment)}"` : '';
    return {
      line: `${verdict === 'approve' ? 'Approved' : 'Rejected'} by **${plain(e.actor ? actorName(e.actor) : 'someone')}** on ${localTime(e.at)}`,
      detail: `${plain(e.requestKey ?? '')}${comment}`,
    };
  });
  const card = render('history', { title: `The last ${count === 1 ? 'decision' : `${count} decisions`}`, entries: view });
  await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
}
