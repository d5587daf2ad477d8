import assert from 'node:assert/strict';
import { cardAction, installUpdate } from '../support/activities';
import { injectFault } from '../support/clients';
import { cardOf } from '../support/fake-connector';
import { FixedClock } from '../support/fakes';
import { startHarness, SUBSCRIPTION_ID, TENANT_ID, USERS, type Harness } from '../support/harness';

describe('changes made outside Teams, and a flaky decision call', () => {
  let h: Harness;
  let clock: FixedClock;
  beforeEach(async () => {
    clock = new FixedClock(new Date());
    h = await startHarness({ bot: { clock }, env: { LOCKBOX_SOURCES: 'azure' } });
    await h.post(installUpdate(h.connector.url, TENANT_ID, USERS.alex));
    await h.post(installUpdate(h.connector.url, TENANT_ID, USERS.isaiah));
  });
  afterEach(() => h.close());

  const lastCardOf = (activityId: string) => JSON.stringify(cardOf(h.connector.updates(activityId).at(-1)!.body));
  const newRequest = async () => {
    const { requestId } = h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID });
    await h.bot.watcher.runOnce();
    return { requestId, key: `azure:${SUBSCRIPTION_ID}:${requestId}`, cards: h.connector.postedCards().map((c) => c.body.id as string) };
  };

  it('shows an approval made in the Azure portal on every copy, without buttons', async () => {
    const { requestId, cards } = await newRequest();
    h.simulator.tenant.setRequestStatus(requestId, 'Approved');
    await h.bot.watcher.runOnce();
    for (const card of cards) {
      assert.match(lastCardOf(card), /Microsoft can (read|access) \*\*/);
      assert.equal(lastCardOf(card).includes('lockbox.approve'), false);
    }
  });

  it('shows a duration and an expiry outside sane bounds as unknown, with what Microsoft sent', async () => {
    h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID, duration: '-8', expirationDateTime: '9999-12-31T00:00:00Z' });
    await h.bot.watcher.runOnce();
    const card = JSON.stringify(cardOf(h.connector.postedCards()[0]!.body));
    assert.match(card, /for \*\*an unclear time \(Microsoft sent \\"\u200B?-8\\"\)\*\*/);
    assert.match(card, /Time left unknown: the expiry Microsoft sent makes no sense \(see Details\)\./);
    assert.doesNotMatch(card, /Unknown \([^)]*\) left|in Unknown/);
    assert.match(card, /Unknown \(Microsoft sent \\"9999-12-31T00:00:00.000Z\\"\)/);
    assert.doesNotMatch(card, /-8 hours/);
    assert.doesNotMatch(card, /\d{5,} d/);
  });

  it('shows an expired request as expired on every copy, and refuses a late click', async () => {
    const { key, cards } = await newRequest();
    clock.advance(4 * 24 * 3600_000 + 60_000);
    h.simulator.tenant.setRequestStatus(key.split(':')[2]!, 'Expired');
    await h.bot.watcher.runOnce();
    for (const card of cards) assert.match(lastCardOf(card), /Status: Expired|Expired: nobody decided in time/);
    const late = await h.post(cardAction(h.connector.url, TENANT_ID, USERS.alex, 'lockbox.approve', { requestKey: key }));
    assert.match(JSON.stringify(late.body.value), /can no longer be decided/);
  });

  it('keeps a decision whose call to Microsoft failed, and finishes it on a later cycle', async () => {
    const { requestId, key, cards } = await newRequest();
    await injectFault(h.simulator.url, { path: 'updateApproval$', status: 500, times: 2 });
    const answer = await h.post(cardAction(h.connector.url, TENANT_ID, USERS.alex, 'lockbox.approve', { requestKey: key, comment: 'retry me' }));
    assert.match(JSON.stringify(answer.body.value), /Sending it to Microsoft/);
    await h.bot.watcher.runOnce();
    await h.bot.watcher.runOnce();
    const upstream = await h.admin(`/_simulator/lockbox/requests/${requestId}`);
    assert.equal(upstream.request.properties.status, 'Approved');
    assert.deepEqual(upstream.decisions.map((d: { reason: string }) => d.reason), ['retry me']);
    for (const card of cards) assert.match(lastCardOf(card), /Approved by \*\*Alex Wilber\*\*/);
  });
});
