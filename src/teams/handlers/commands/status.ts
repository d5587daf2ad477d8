import { CardFactory, MessageFactory, type TurnContext } from 'botbuilder';
import { isActionable } from '../../../domain/tracked';
import { render } from '../../cards/render';
import { localTime, plain, productName } from '../../cards/text';
import type { TeamsDeps } from '../../deps';


/** Per source: on or off, how many requests wait, how the last poll went; then the bot's version. */
export async function status(context: TurnContext, deps: TeamsDeps): Promise<void> {
  const now = deps.clock.now();
  const open = (await deps.store.listOpenRequests()).map((v) => v.value).filter((t) => isActionable(t, now));
  const poll = deps.lastPoll();
  const sources = await Promise.all(
    [...deps.sources.values()].map(async (source) => {
      const enabled = await source.isEnabled().then((on) => (on ? 'On' : 'Off'), (error) => `Unknown (${plain(error instanceof Error ? error.message : String(error))})`);
      const report = poll?.sources.find((s) => s.source === source.kind);
      const problems = [report?.error, ...(report?.failures ?? []).map((f) => `${f.scope}: ${f.error}`)].filter(Boolean).map((p) => plain(String(p)));
      return {
        name: `${productName(source.kind)} Customer Lockbox`,
        facts: [
          { label: 'Customer Lockbox', value: enabled },
          { label: 'Waiting for a decision', value: String(open.filter((t) => t.request.source === source.kind).length) },
          { label: 'Last poll', value: poll ? `${localTime(poll.at)}, ${report?.ok && !report.failures.length ? 'all good' : 'with problems'}` : 'not yet' },
        ],
        problems: problems.join('\n\n'),
      };
    }),
  );
  const card = render('status', { sources, footer: `Lockbox Bot ${deps.version}` });
  await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
}
