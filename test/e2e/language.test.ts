import assert from 'node:assert/strict';
import { cardAction, installUpdate, message } from '../support/activities';
import { cardOf } from '../support/fake-connector';
import { startHarness, SUBSCRIPTION_ID, TENANT_ID, USERS, type Harness } from '../support/harness';

/** Each reader gets cards and answers in their Teams locale, remembered with their chat for cards nobody asked for. */
describe('the reader\'s language, end to end', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness()));
  afterEach(async () => h.close());

  const chat = (user: { aadObjectId: string }) => `a:personal-${user.aadObjectId}`;
  const lastCard = (user: { aadObjectId: string }) => JSON.stringify(cardOf(h.connector.postedCards(chat(user)).at(-1)!.body));
  const newRequest = async () => {
    const record = h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID, justification: 'Case 123' });
    await h.bot.watcher.runOnce();
    return `azure:${SUBSCRIPTION_ID}:${record.requestId}`;
  };

  it('posts a new request to each approver in the language their Teams speaks, English for any other', async () => {
    await h.post({ ...installUpdate(h.connector.url, TENANT_ID, USERS.alex), locale: 'nl-NL' });
    await h.post({ ...installUpdate(h.connector.url, TENANT_ID, USERS.isaiah), locale: 'fr-FR' });
    await newRequest();
    assert.match(lastCard(USERS.alex), /"title":"Goedkeuren"/);
    assert.match(lastCard(USERS.alex), /"title":"Afwijzen"/);
    assert.match(lastCard(USERS.isaiah), /"title":"Approve"/);
  });

  it('follows a reader who changes their Teams language: the next card nobody asked for is in the new one', async () => {
    await h.post({ ...installUpdate(h.connector.url, TENANT_ID, USERS.alex), locale: 'en-US' });
    await h.post({ ...message(h.connector.url, TENANT_ID, USERS.alex, 'hallo'), locale: 'de-DE' });
    await newRequest();
    assert.match(lastCard(USERS.alex), /"title":"Genehmigen"/);
  });

  it('keeps the remembered language when an activity carries none', async () => {
    await h.post({ ...installUpdate(h.connector.url, TENANT_ID, USERS.alex), locale: 'de-DE' });
    await h.post(message(h.connector.url, TENANT_ID, USERS.alex, 'hi'));
    await newRequest();
    assert.match(lastCard(USERS.alex), /"title":"Genehmigen"/);
  });

  it('answers a click and a command in the clicker\'s language', async () => {
    await h.post({ ...installUpdate(h.connector.url, TENANT_ID, USERS.alex), locale: 'nl-NL' });
    const requestKey = await newRequest();
    const answer = await h.post({ ...cardAction(h.connector.url, TENANT_ID, USERS.alex, 'lockbox.reject', { requestKey, comment: 'Geen case' }), locale: 'de-DE' });
    assert.match(JSON.stringify(answer.body.value), /Abgelehnt von \*\*Alex Wilber\*\*/);

    await h.post({ ...message(h.connector.url, TENANT_ID, USERS.alex, '/lockbox pending'), locale: 'nl-NL' });
    const replies = h.connector.calls.filter((c) => c.method === 'POST' && c.conversationId === chat(USERS.alex) && typeof c.body.text === 'string');
    assert.equal(replies.at(-1)!.body.text, 'Er wachten geen lockbox-verzoeken op een besluit van jou.');
  });

  const answers = [
    { locale: 'en-US', lines: ['"/lockbox status now": /lockbox status takes nothing after it.', '"/lockbox history 99": /lockbox history takes a number from 1 to 50.', '"/lockbox enable everything": /lockbox enable takes azure or m365, or nothing to choose.'] },
    { locale: 'nl-NL', lines: ['"/lockbox status now": na /lockbox status hoort niets meer te staan.', '"/lockbox history 99": na /lockbox history hoort een getal van 1 tot en met 50.', '"/lockbox enable everything": na /lockbox enable hoort azure of m365, of niets om te kiezen.'] },
    { locale: 'de-DE', lines: ['"/lockbox status now": nach /lockbox status folgt nichts weiter.', '"/lockbox history 99": nach /lockbox history folgt eine Zahl von 1 bis 50.', '"/lockbox enable everything": nach /lockbox enable folgt azure oder m365, oder nichts, um auszuwählen.'] },
  ];
  for (const { locale, lines } of answers) {
    it(`says what is wrong with a command's arguments in the reader's language (${locale})`, async () => {
      await h.post({ ...installUpdate(h.connector.url, TENANT_ID, USERS.alex), locale });
      for (const [i, command] of ['/lockbox status now', '/lockbox history 99', '/lockbox enable everything'].entries()) {
        await h.post({ ...message(h.connector.url, TENANT_ID, USERS.alex, command), locale });
        assert.ok(lastCard(USERS.alex).includes(JSON.stringify(lines[i]).slice(1, -1)), `${command} in ${locale}: ${lastCard(USERS.alex)}`);
      }
    });
  }
});
