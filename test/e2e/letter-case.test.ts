import assert from 'node:assert/strict';
import { cardAction, installUpdate } from '../support/activities';
import { injectFault } from '../support/clients';
import { startHarness, SUBSCRIPTION_ID, TENANT_ID, USERS, type Harness } from '../support/harness';

/** Microsoft compares ids without regard to letter case: a listing may spell the same request another way. */
describe('the same request in another letter case, over HTTP', () => {
  let h: Harness;
  const alexChat = `a:personal-${USERS.alex.aadObjectId}`;
  beforeEach(async () => {
    h = await startHarness({ env: { LOCKBOX_SOURCES: 'azure,m365' } });
    await h.post(installUpdate(h.connector.url, TENANT_ID, USERS.alex));
  });
  afterEach(() => h.close());

  const detections = async () => (await h.audit()).filter((e) => e.kind === 'request.detected').length;

  it('is one Azure request: no second card or detection, and a click on a key in any case decides it', async () => {
    const requestId = 'ABCDEF01-2345-4678-89AB-CDEF01234567';
    h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID, requestId });
    await h.bot.watcher.runOnce();
    assert.equal(h.connector.postedCards(alexChat).length, 1);

    const { request: upper } = await h.admin(`/_simulator/lockbox/requests/${requestId}`);
    const lower = JSON.parse(JSON.stringify(upper).replaceAll(requestId, requestId.toLowerCase()).replaceAll(SUBSCRIPTION_ID, SUBSCRIPTION_ID.toUpperCase()));
    await injectFault(h.simulator.url, { path: 'Microsoft.CustomerLockbox/requests$', status: 200, times: 1, body: { value: [lower, upper] } });
    await h.bot.watcher.runOnce();
    assert.equal(h.connector.postedCards(alexChat).length, 1, 'no second card');
    assert.equal(await detections(), 1, 'detected once');

    const key = `azure:${SUBSCRIPTION_ID.toUpperCase()}:${requestId.toLowerCase()}`;
    const answer = await h.post(cardAction(h.connector.url, TENANT_ID, USERS.alex, 'lockbox.approve', { requestKey: key }));
    assert.match(JSON.stringify(answer.body.value), /Approved by \*\*Alex Wilber\*\*/);
    assert.equal((await h.admin(`/_simulator/lockbox/requests/${requestId}`)).request.properties.status, 'Approved');
  });

  it('is one Microsoft 365 request: no second card or detection, and a click on a key in any case decides it', async () => {
    const record = h.simulator.tenant.createM365Request({ requestId: 'EXSR4455667AB' });
    await h.bot.watcher.runOnce();
    assert.equal(h.connector.postedCards(alexChat).length, 1);

    const { request: upper } = await h.admin(`/_simulator/m365/requests/${record.requestId}`);
    const lower = JSON.parse(JSON.stringify(upper).replaceAll(record.requestId, record.requestId.toLowerCase()));
    await injectFault(h.simulator.url, { path: 'InvokeCommand', cmdlet: 'Get-AccessToCustomerDataRequest', status: 200, times: 1, body: { value: [lower, upper] } });
    await h.bot.watcher.runOnce();
    assert.equal(h.connector.postedCards(alexChat).length, 1, 'no second card');
    assert.equal(await detections(), 1, 'detected once');

    const answer = await h.post(cardAction(h.connector.url, TENANT_ID, USERS.alex, 'lockbox.reject', { requestKey: `m365:TENANT:${record.requestId.toLowerCase()}` }));
    assert.match(JSON.stringify(answer.body.value), /Rejected by \*\*Alex Wilber\*\*/);
    assert.equal(h.simulator.tenant.getM365Request(record.requestId)!.approvalStatus, 'Denied');
  });
});
