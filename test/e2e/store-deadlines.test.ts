import assert from 'node:assert/strict';
import { cardAction, installUpdate } from '../support/activities';
import { startAzurite, type RunningAzurite } from '../support/azurite';
import { startHarness, SUBSCRIPTION_ID, TENANT_ID, USERS, type Harness } from '../support/harness';

describe('nothing waits on a frozen Table store without a deadline, over HTTP against Azurite', function () {
  this.timeout(60_000);
  let azurite: RunningAzurite;
  let h: Harness;
  beforeEach(async () => {
    azurite = await startAzurite();
    h = await startHarness({ env: { LOCKBOX_SOURCES: 'azure', STATE_STORE: 'table', AZURE_TABLES_CONNECTION_STRING: azurite.connectionString } });
    await h.post(installUpdate(h.connector.url, TENANT_ID, USERS.alex));
  });
  afterEach(async () => {
    azurite.resume();
    await h.close();
    await azurite.stop();
  });

  it('answers /healthz, saying the store is slow, and answers a click with "nothing was decided", which stays so after the store comes back', async () => {
    const { requestId } = h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID });
    await h.bot.watcher.runOnce();
    const key = `azure:${SUBSCRIPTION_ID}:${requestId}`;

    azurite.pause();
    // A frozen Azurite never answers, so these answers can only come from the bot's own deadlines.
    const health = await fetch(`${h.bot.url}/healthz`);
    assert.equal(health.status, 503);
    assert.equal(((await health.json()) as { store: string }).store, 'slow');

    const click = await h.post(cardAction(h.connector.url, TENANT_ID, USERS.alex, 'lockbox.approve', { requestKey: key }));
    assert.equal(click.status, 200);
    assert.match(JSON.stringify(click.body.value), /storage did not answer in time, so nothing was decided/);

    azurite.resume();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await h.bot.watcher.runOnce();
    const upstream = await h.admin(`/_simulator/lockbox/requests/${requestId}`);
    assert.equal(upstream.request.properties.status, 'Pending', 'the write that landed late was not sent to Microsoft');
    assert.deepEqual(upstream.decisions, []);
    const health2 = (await (await fetch(`${h.bot.url}/healthz`)).json()) as { store: string; storeTimeouts: { timeouts: number } };
    assert.equal(health2.store, 'ok');
    assert.ok(health2.storeTimeouts.timeouts >= 1);
  });

  it('answers a click with a card, never an HTTP error, when the store fails outright (the Table service is gone)', async () => {
    const { requestId } = h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID });
    await h.bot.watcher.runOnce();
    await azurite.stop();

    const click = await h.post(cardAction(h.connector.url, TENANT_ID, USERS.alex, 'lockbox.approve', { requestKey: `azure:${SUBSCRIPTION_ID}:${requestId}` }));
    assert.equal(click.status, 200);
    assert.equal(click.body.statusCode, 200);
    assert.equal(click.body.type, 'application/vnd.microsoft.card.adaptive');
    assert.match(JSON.stringify(click.body.value), /nothing was decided/);
    assert.deepEqual((await h.admin(`/_simulator/lockbox/requests/${requestId}`)).decisions, []);
  });
});
