import { CardFactory, MessageFactory, type TurnContext } from 'botbuilder';
import { actorName, type Actor, type Verdict } from '../../../domain/decision';
import { decisionHistory } from '../../../domain/usecases/queries';
import type { AuditEntry } from '../../../domain/ports';
import type { TrackedRequest } from '../../../domain/tracked';
import { render } from '../../cards/render';
import { fitsBudget, shorten } from '../../cards/size';
import { resourceName } from '../../cards/resource';
import { localTime, plain, productName } from '../../cards/text';
import type { TeamsDeps } from '../../deps';
import { t } from '../../i18n';

const COMMENT_MAX = 280;
const NAME_MAX = 120;

/** The last decisions from the bot's own audit trail: who, what, when, why, and what Microsoft shows now. Admins only: it names people. */
export async function history(context: TurnContext, deps: TeamsDeps, actor: Actor, count: number): Promise<void> {
  const entries = await decisionHistory(deps, actor, count);
  const locale = context.activity.locale;

  const frame = (shown: number) => ({
    // The title counts what is shown, not what was asked for.
    title: shown ? t(locale, 'history.title', { count: shown }) : t(locale, 'history.titleEmpty'),
    words: { none: t(locale, 'history.none') },
  });
  const more = (count: number) => ({ line: t(locale, 'history.more', { count }), detail: t(locale, 'history.moreHint') });
  const view: { line: string; detail: string }[] = [];
  for (const { entry, tracked } of entries) {
    const next = [...view, line(entry, tracked, locale)];
    const rest = entries.length - next.length;
    // Long comments must not make a card Teams refuses: stop adding while the line saying how many were left out still fits.
    if (!fitsBudget(render('history', { ...frame(next.length), entries: rest ? [...next, more(rest)] : next }))) break;
    view.push(next.at(-1)!);
  }
  const left = entries.length - view.length;
  if (left > 0) view.push(more(left));
  const card = render('history', { ...frame(entries.length - left), entries: view });
  await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
}

function line(entry: AuditEntry, tracked: TrackedRequest | undefined, locale: string | undefined): { line: string; detail: string } {
  const verdict = entry.detail.verdict as Verdict;
  const said = typeof entry.detail.comment === 'string' ? entry.detail.comment : '';
  const comment = said ? ` · "${plain(shorten(said, COMMENT_MAX))}"` : '';
  return {
    line: t(locale, verdict === 'approve' ? 'history.approvedBy' : 'history.rejectedBy', { name: entry.actor ? plain(shorten(actorName(entry.actor), NAME_MAX)) : t(locale, 'history.someone'), time: localTime(entry.at) }),
    detail: `${whatWasDecided(entry, tracked, locale)}${comment} · ${microsoftShows(entry, tracked, locale)}`,
  };
}

/** The product and the resource by name ("Azure · VM-WEB-02"), not the bot's internal key. */
function whatWasDecided(entry: AuditEntry, tracked: TrackedRequest | undefined, locale: string | undefined): string {
  if (!tracked) return plain(entry.requestKey?.split(':').at(-1) ?? '');
  const r = tracked.request;
  return `${productName(r.source)} · ${plain(shorten(r.resourceIds[0] ? resourceName(r.resourceIds[0], locale) : r.requestId, 100))}`;
}

/** What Microsoft's own record shows for the request now: that is what counts, not what was clicked. */
function microsoftShows(entry: AuditEntry, tracked: TrackedRequest | undefined, locale: string | undefined): string {
  if (!tracked) return t(locale, 'history.untracked');
  // Its clicker was told nothing was decided, and the write that landed anyway was withdrawn unsent.
  if (typeof entry.detail.attemptId === 'string' && tracked.withdrawnAttempts?.includes(entry.detail.attemptId)) return t(locale, 'history.withdrawn');
  const decision = tracked.decision;
  const status = plain(tracked.request.status);
  if (!decision || decision.decidedAt !== entry.at) return t(locale, 'history.replaced', { status });
  switch (decision.submission.state) {
    case 'pending':
      return t(locale, 'history.sending');
    case 'sent':
      return tracked.request.status === 'Pending' ? t(locale, 'history.sent') : t(locale, 'history.microsoft', { status });
    case 'failed':
      return decision.submission.problem === 'gone' ? t(locale, 'history.gone') : t(locale, 'history.notTaken', { status });
    default:
      return t(locale, 'history.microsoft', { status });
  }
}
