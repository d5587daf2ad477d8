import assert from 'node:assert/strict';
import { installUpdate, message, type TeamsUser } from '../support/activities';
import { injectFault } from '../support/clients';
import { cardOf } from '../support/fake-connector';
import { startHarness, SUBSCRIPTION_ID, TENANT_ID, USERS, type Harness } from '../support/harness';
import { DEFAULT_SEED } from '../../src/simulator';

type Fact = { title: string; value: string };
const OTHER = '00000000-0000-4000-8000-00000000b0b1';

/** Subscriptions by the names people gave them, read from ARM's subscription listing over HTTP. */
describe('subscriptions by name, end to end', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({
      simulator: { seed: { ...DEFAULT_SEED, subscriptions: [SUBSCRIPTION_ID, OTHER], subscriptionNames: { [SUBSCRIPTION_ID]: 'Payments-Prod', [OTHER]: 'Contoso Dev' } } },
      env: { LOCKBOX_SOURCES: 'azure', AZURE_SUBSCRIPTION_IDS: `${SUBSCRIPTION_ID},${OTHER}` },
    });
    await h.post(installUpdate(h.connector.url, TENANT_ID, USERS.alex));
  });
  afterEach(() => h.close());

  const chat = (user: TeamsUser) => `a:personal-${user.aadObjectId}`;
  const lastCard = (user: TeamsUser) => cardOf(h.connector.postedCards(chat(user)).at(-1)!.body);
  const factsOf = (card: unknown): Fact[] => {
    const found: Fact[] = [];
    JSON.stringify(card, (key, value) => (key === 'facts' && Array.isArray(value) ? (found.push(...value), value) : value));
    return found;
  };
  const status = async (locale = 'en-US') => {
    await h.post({ ...message(h.connector.url, TENANT_ID, USERS.alex, '/lockbox status'), locale });
    return lastCard(USERS.alex);
  };

  it('shows the subscription on the card by its name, with its id, under Details', async () => {
    h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID });
    await h.bot.watcher.runOnce();
    const card = lastCard(USERS.alex) as { body: { id?: string }[] };
    const details = card.body.find((b) => b.id === 'details');
    assert.ok(details, 'the card has Details');
    assert.deepEqual(factsOf(details).find((f) => f.title === 'Subscription'), { title: 'Subscription', value: `Payments-Prod (${SUBSCRIPTION_ID})` });
    const upFront = JSON.stringify(card.body.filter((b) => b !== details));
    assert.equal(upFront.includes(SUBSCRIPTION_ID), false, 'the id waits under Details');
  });

  it('/lockbox status names the subscriptions watched, and a failing one by its name', async () => {
    await h.bot.watcher.runOnce();
    assert.deepEqual(factsOf(await status()).find((f) => f.title === 'Subscriptions watched'), { title: 'Subscriptions watched', value: 'Payments-Prod, Contoso Dev' });

    await injectFault(h.simulator.url, { path: `^/subscriptions/${SUBSCRIPTION_ID}/providers/Microsoft.CustomerLockbox/requests$`, status: 403, times: 100 });
    await h.bot.watcher.runOnce();
    assert.match(JSON.stringify(await status()), new RegExp(`Subscription Payments-Prod \\(${SUBSCRIPTION_ID}\\): Listing lockbox requests`));
    const dutch = JSON.stringify(await status('nl-NL'));
    assert.match(dutch, /"title":"Bewaakte abonnementen","value":"Payments-Prod, Contoso Dev"/);
    assert.match(dutch, new RegExp(`Abonnement Payments-Prod \\(${SUBSCRIPTION_ID}\\): `));
  });
});
