import assert from 'node:assert/strict';
import { installUpdate } from '../support/activities';
import { injectFault } from '../support/clients';
import { startHarness, SUBSCRIPTION_ID, TENANT_ID, USERS, type Harness } from '../support/harness';

describe('watching a flaky source', () => {
  let h: Harness;
  beforeEach(async () => (h = await startHarness()));
  afterEach(() => h.close());

  it('posts every request exactly once to every approver while the Lockbox API fails, throttles, stalls and garbles', async () => {
    await h.post(installUpdate(h.connector.url, TENANT_ID, USERS.alex));
    await h.post(installUpdate(h.connector.url, TENANT_ID, USERS.isaiah));
    const faults = [
      { path: 'Microsoft.CustomerLockbox/requests$', status: 500, times: 4 },
      { path: 'Microsoft.CustomerLockbox/requests$', status: 429, retryAfterSeconds: 0, times: 2 },
      { path: 'Microsoft.CustomerLockbox/requests$', status: 200, body: '<html>gateway page</html>', times: 1 },
      { path: 'Microsoft.CustomerLockbox/requests$', status: 200, body: { value: 'not a list' }, times: 1 },
      { path: 'Microsoft.CustomerLockbox/requests$', status: 403, times: 1 },
      { path: 'Microsoft.CustomerLockbox/requests$', delayMs: 300, times: 2 },
    ];
    const created: string[] = [];
    for (const fault of faults) {
      created.push(h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID }).requestId);
      await injectFault(h.simulator.url, fault);
      await h.bot.watcher.runOnce();
    }
    await h.bot.watcher.runOnce();
    await h.bot.watcher.runOnce();

    for (const user of [USERS.alex, USERS.isaiah]) {
      const cards = h.connector.postedCards(`a:personal-${user.aadObjectId}`).map((c) => JSON.stringify(c.body));
      for (const requestId of created) assert.equal(cards.filter((c) => c.includes(requestId)).length, 1, `${user.name}: request ${requestId}`);
      assert.equal(cards.length, created.length);
    }
  });
});
