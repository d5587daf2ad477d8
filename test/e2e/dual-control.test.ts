import assert from 'node:assert/strict';
import { cardAction, installUpdate } from '../support/activities';
import { cardOf } from '../support/fake-connector';
import { startHarness, SUBSCRIPTION_ID, TENANT_ID, USERS, type Harness } from '../support/harness';
import { waitUntil } from '../support/wait';


describe('dual control (REQUIRE_TWO_APPROVERS=true), end to end', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ env: { REQUIRE_TWO_APPROVERS: 'true' } });
    await h.post(installUpdate(h.connector.url, TENANT_ID, USERS.alex));
    await h.post(installUpdate(h.connector.url, TENANT_ID, USERS.isaiah));
  });
  afterEach(() => h.close());

  it('shows "1 of 2" on every copy after the first approval, and approves upstream only after a second person', async () => {
    const { requestId } = h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID });
    await h.bot.watcher.runOnce();
    const key = `azure:${SUBSCRIPTION_ID}:${requestId}`;
    const meganCard = h.connector.postedCards(`a:personal-${USERS.isaiah.aadObjectId}`)[0]!.body.id as string;

    const first = await h.post(cardAction(h.connector.url, TENANT_ID, USERS.alex, 'lockbox.approve', { requestKey: key }));
    assert.match(JSON.stringify(first.body.value), /1 of 2 approvals: \*\*Alex Wilber\*\* approved/);
    await waitUntil(() => h.connector.updates(meganCard).some((u) => /1 of 2 approvals/.test(JSON.stringify(cardOf(u.body)))));
    assert.equal((await h.admin(`/_simulator/lockbox/requests/${requestId}`)).request.properties.status, 'Pending');

    const again = await h.post(cardAction(h.connector.url, TENANT_ID, USERS.alex, 'lockbox.approve', { requestKey: key }));
    assert.match(JSON.stringify(again.body.value), /second, different approver/);

    const second = await h.post(cardAction(h.connector.url, TENANT_ID, USERS.isaiah, 'lockbox.approve', { requestKey: key }));
    assert.match(JSON.stringify(second.body.value), /Approved by \*\*Alex Wilber\*\* and \*\*Isaiah Langer\*\*/);
    const upstream = await h.admin(`/_simulator/lockbox/requests/${requestId}`);
    assert.equal(upstream.request.properties.status, 'Approved');
    assert.equal(upstream.decisions.length, 1);
  });
});
