import { CardFactory, MessageFactory, type TurnContext } from 'botbuilder';
import { isActionable } from '../../../domain/tracked';
import { render } from '../../cards/render';
import { localTime, plain, productName } from '../../cards/text';
import type { TeamsDeps } from '../../deps';
import { t } from '../../i18n';

/** A status card lists this many problems per product and counts the rest, so it fits however many subscriptions fail. */
export const PROBLEMS_SHOWN = 5;
const PROBLEM_TEXT_MAX = 300;

/** Per source: on or off, how many requests wait, how the last poll went; then the bot's version. */
export async function status(context: TurnContext, deps: TeamsDeps): Promise<void> {
  const now = deps.clock.now();
  const locale = context.activity.locale;
  const open = (await deps.store.listOpenRequests()).map((v) => v.value).filter((t) => isActionable(t, now));
  const poll = deps.lastPoll();
  const sources = await Promise.all(
    [...deps.sources.values()].map(async (source) => {
      const enabled = await source.isEnabled().then((on) => (on ? t(locale, 'botStatus.on') : t(locale, 'botStatus.off')), (error) => t(locale, 'botStatus.unknown', { reason: plain(error instanceof Error ? error.message : String(error)) }));
      const report = poll?.sources.find((s) => s.source === source.kind);
      const all = [report?.error, ...(report?.failures ?? []).map((f) => `${f.scope}: ${f.error}`)].filter(Boolean).map((p) => String(p));
      const problems = all.slice(0, PROBLEMS_SHOWN).map((p) => plain(p.length > PROBLEM_TEXT_MAX ? `${p.slice(0, PROBLEM_TEXT_MAX)}…` : p));
      if (all.length > PROBLEMS_SHOWN) problems.push(t(locale, 'botStatus.moreProblems', { count: all.length - PROBLEMS_SHOWN }));
      return {
        name: t(locale, 'botStatus.product', { product: productName(source.kind) }),
        facts: [
          { label: t(locale, 'botStatus.lockbox'), value: enabled },
          { label: t(locale, 'botStatus.waiting'), value: String(open.filter((o) => o.request.source === source.kind).length) },
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
