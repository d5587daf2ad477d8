import assert from 'node:assert/strict';
import { ActivityTypes, CardFactory, MessageFactory, TestAdapter } from 'botbuilder';
import type { Conversation } from '../../src/domain/ports';
import { createLogger } from '../../src/runtime/logger';
import { createAdapter } from '../../src/teams/bot';
import { CardBudget } from '../../src/teams/card-budget';
import { CARD_BUDGET_BYTES, cardBytes } from '../../src/teams/cards/size';
import { TeamsMessenger } from '../../src/teams/messenger';
import { Pacer } from '../../src/teams/pacer';
import { startFakeConnector, type FakeConnector } from '../support/fake-connector';
import { FixedClock } from '../support/fakes';

const ADAPTIVE = 'application/vnd.microsoft.card.adaptive';

/** A card of any size the bot might draw: one text block of `chars` characters. */
function cardOf(chars: number) {
  return { type: 'AdaptiveCard' as const, version: '1.5', body: [{ type: 'TextBlock', text: 'x'.repeat(chars), wrap: true }] };
}

function recordingLogger() {
  const lines: string[] = [];
  return { lines, logger: createLogger('warn', (line) => void lines.push(line), new FixedClock()) };
}

describe('the card budget: every card is measured before Teams sees it', () => {
  let connector: FakeConnector | undefined;
  afterEach(async () => connector?.close());

  it('replaces a proactive card over the budget with a short notice, logs it and counts it; a card within it goes as it is', async () => {
    connector = await startFakeConnector();
    const { lines, logger } = recordingLogger();
    const budget = new CardBudget(logger, new FixedClock());
    const adapter = createAdapter({ id: '', password: '', tenantId: '', type: '' }, logger);
    adapter.use(budget);
    const messenger = new TeamsMessenger(adapter, '', new FixedClock(), { pacer: new Pacer({ tenant: [], conversation: [] }) });
    const conversationId = 'a:personal-user-1';
    const chat: Conversation = {
      userId: 'user-1', tenantId: 'tenant-1', conversationId, updatedAt: '2026-11-28T08:00:00.000Z',
      reference: { serviceUrl: connector.url, channelId: 'msteams', conversation: { id: conversationId }, bot: { id: '28:lockbox-bot' }, user: { id: '29:user-1' } },
    };

    await messenger.postCard(chat, cardOf(1000), 'fits');
    await messenger.postCard(chat, cardOf(CARD_BUDGET_BYTES), 'too large');

    const [fits, replaced] = connector.postedCards(conversationId).map((call) => (call.body.attachments as { content: { body: { text: string }[] } }[])[0]!.content);
    assert.equal(fits!.body[0]!.text, 'x'.repeat(1000));
    assert.ok(cardBytes(replaced) <= CARD_BUDGET_BYTES);
    assert.match(JSON.stringify(replaced), /This answer was too large to show/);
    assert.doesNotMatch(JSON.stringify(replaced), /xxxxxxxxxx/);
    assert.equal(budget.health().replacedBeforeSending, 1);
    assert.equal(budget.health().lastReplacedAt, new FixedClock().now().toISOString());
    assert.equal(lines.filter((l) => /too large for Teams and was replaced/.test(l)).length, 1);
  });

  it('replaces a too-large card in an answer and in an invoke response, in the reader\'s language', async () => {
    const { logger } = recordingLogger();
    const budget = new CardBudget(logger, new FixedClock());
    const adapter = new TestAdapter(async (context) => {
      await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(cardOf(CARD_BUDGET_BYTES))));
      await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200, body: { statusCode: 200, type: ADAPTIVE, value: cardOf(CARD_BUDGET_BYTES * 2) } } });
    }).use(budget);

    await adapter.send({ type: ActivityTypes.Message, text: '/lockbox history', locale: 'nl-NL' });

    const sent = adapter.activeQueue.splice(0);
    const answer = sent.find((a) => a.type === ActivityTypes.Message)!;
    assert.match(JSON.stringify(answer.attachments![0]!.content), /Dit antwoord was te groot om te tonen/);
    const invoke = sent.find((a) => a.type === ActivityTypes.InvokeResponse)!;
    assert.match(JSON.stringify((invoke.value as { body: { value: unknown } }).body.value), /Dit antwoord was te groot om te tonen/);
    assert.equal(budget.health().replacedBeforeSending, 2);
  });
});
