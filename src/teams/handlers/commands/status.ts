import { CardFactory, MessageFactory, type TurnContext } from 'botbuilder';
import type { Actor } from '../../../domain/decision';
import type { ScopeFailure } from '../../../domain/ports';
import { lockboxStatus } from '../../../domain/usecases/queries';
import { render } from '../../cards/render';
import { localTime, plain, productName } from '../../cards/text';
import type { TeamsDeps } from '../../deps';
import { t } from '../../i18n';

/** A status card lists this many problems per product and counts the rest, so it fits however many subscriptions fail. */
export const PROBLEMS_SHOWN = 5;
const PROBLEM_TEXT_MAX = 300;
/** Subscriptions named under "Watching" before the rest are counted. */
const SUBSCRIPTIONS_NAMED = 5;

/** Per source: on or off, how many requests wait, how the last poll went; then the bot's version. */
export async function status(context: TurnContext, deps: TeamsDeps, actor: Actor): Promise<void> {
  const locale = context.activity.locale;
  const poll = deps.lastPoll();
  const sources = await Promise.all(
    (await lockboxStatus(deps, actor)).map(async (source) => {
      const enabled = typeof source.enabled === 'boolean' ? t(locale, source.enabled ? 'botStatus.on' : 'botStatus.off') : t(locale, 'botStatus.unknown', { reason: plain(source.enabled.error) });
      const report = poll?.sources.find((s) => s.source === source.source);
      const all = [report?.error && plain(cut(report.error)), ...(report?.failures ?? []).map((f) => problemOf(f, locale))].filter((p): p is string => Boolean(p));
      const problems = all.slice(0, PROBLEMS_SHOWN);
      if (all.length > PROBLEMS_SHOWN) problems.push(t(locale, 'botStatus.moreProblems', { count: all.length - PROBLEMS_SHOWN }));
      return {
        name: t(locale, 'botStatus.product', { product: productName(source.source) }),
        facts: [
          { label: t(locale, 'botStatus.lockbox'), value: enabled },
          ...(report?.subscriptions ? [{ label: t(locale, 'botStatus.subscriptions', { count: report.subscriptions.length }), value: watched(report.subscriptions, locale) }] : []),
          { label: t(locale, 'botStatus.waiting'), value: String(source.waiting) },
          {
            label: t(locale, 'botStatus.lastPoll'),
            value: poll ? t(locale, report?.ok && !report.failures.length ? 'botStatus.pollGood' : 'botStatus.pollProblems', { time: localTime(poll.at) }) : t(locale, 'botStatus.notYet'),
          },
        ],
        problems: problems.join('\n\n'),
      };
    }),
  );
  const card = render('status', { sources, footer: t(locale, 'botStatus.footer', { version: deps.version }), words: { title: t(locale, 'botStatus.title') } });
  await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
}

const cut = (text: string) => (text.length > PROBLEM_TEXT_MAX ? `${text.slice(0, PROBLEM_TEXT_MAX)}…` : text);

/** A subscription that failed is named as people know it, its id beside the name for whoever fixes it. */
function problemOf(failure: ScopeFailure, locale: string | undefined): string {
  if (!failure.subscriptionId) return plain(cut(`${failure.scope}: ${failure.error}`));
  const subscription = failure.subscriptionName ? `${plain(failure.subscriptionName)} (${plain(failure.subscriptionId)})` : plain(failure.subscriptionId);
  return t(locale, 'botStatus.subscriptionProblem', { subscription, error: plain(cut(failure.error)) });
}

/** "Payments-Prod, Contoso Dev (+3)": the subscriptions watched, by name where ARM gave one. */
function watched(subscriptions: { id: string; name?: string }[], locale: string | undefined): string {
  if (!subscriptions.length) return t(locale, 'botStatus.noSubscriptions');
  const named = subscriptions.slice(0, SUBSCRIPTIONS_NAMED).map((s) => plain(s.name ?? s.id)).join(', ');
  const rest = subscriptions.length - SUBSCRIPTIONS_NAMED;
  return rest > 0 ? t(locale, 'botStatus.moreSubscriptions', { names: named, count: rest }) : named;
}
