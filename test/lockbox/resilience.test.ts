import assert from 'node:assert/strict';
import { SimulatorCredential } from '../../src/http/credentials';
import { JsonClient } from '../../src/http/json-client';
import { AzureLockboxSource } from '../../src/lockbox/azure/source';
import { fixedSubscriptions } from '../../src/lockbox/azure/subscriptions';
import { silentLogger } from '../../src/runtime/logger';
import { DEFAULT_SEED, startSimulator, type RunningSimulator } from '../../src/simulator';
import { injectFault } from '../support/clients';

const SUBSCRIPTION = DEFAULT_SEED.subscriptions[0]!;
const LIST = 'Microsoft.CustomerLockbox/requests$';

describe('riding out what the cloud throws, over real HTTP', () => {
  let sim: RunningSimulator;
  const sourceWith = (tuning: { timeoutMs?: number; maxRetries?: number } = {}) =>
    new AzureLockboxSource({
      client: new JsonClient({ baseUrl: sim.url, credential: new SimulatorCredential(), scope: 'https://management.azure.com/.default', allowLoopbackHttp: true, retryDelayMs: 20, ...tuning }),
      subscriptions: fixedSubscriptions([SUBSCRIPTION]),
      tenantId: DEFAULT_SEED.tenantId,
      logger: silentLogger,
    });
  const listCalls = async () => ((await (await fetch(`${sim.url}/_simulator/calls`)).json()) as { path: string; at: string; status: number }[]).filter((c) => c.path.endsWith('/requests'));

  beforeEach(async () => {
    sim = await startSimulator({ port: 0 });
    sim.tenant.createRequest({ subscriptionId: SUBSCRIPTION });
  });
  afterEach(() => sim.close());

  const recoverable: [string, Record<string, unknown>][] = [
    ['a 408', { status: 408 }],
    ['a 502', { status: 502 }],
    ['a 503', { status: 503 }],
    ['a dropped connection', { reset: true }],
  ];
  for (const [what, fault] of recoverable) {
    it(`tries again after ${what} and gets the requests`, async () => {
      await injectFault(sim.url, { path: LIST, ...fault });
      const listing = await sourceWith().listPending();
      assert.equal(listing.requests.length, 1);
      assert.deepEqual(listing.failures, []);
    });
  }

  it('waits as long as Retry-After says before trying again', async () => {
    await injectFault(sim.url, { path: LIST, status: 429, retryAfterSeconds: 1 });
    await sourceWith().listPending();
    const [throttled, retried] = await listCalls();
    assert.equal(throttled?.status, 429);
    assert.ok(Date.parse(retried!.at) - Date.parse(throttled!.at) >= 950, 'the retry came no sooner than Retry-After allowed');
  });

  it('does not retry a 403, which cannot succeed, and says which permission is missing', async () => {
    await injectFault(sim.url, { path: LIST, status: 403, times: 5 });
    await assert.rejects(sourceWith().listPending(), /Azure Customer Lockbox Approver for Subscription/);
    assert.equal((await listCalls()).length, 1);
  });

  it('gives up after a bounded number of tries when the service keeps failing', async () => {
    await injectFault(sim.url, { path: LIST, status: 500, times: 50 });
    await assert.rejects(sourceWith({ maxRetries: 3 }).listPending(), /HTTP 500/);
    assert.equal((await listCalls()).length, 4);
  });

  it('times out a call that stalls, rather than hanging the poll', async () => {
    await injectFault(sim.url, { path: LIST, delayMs: 5000, times: 50 });
    await assert.rejects(sourceWith({ timeoutMs: 200, maxRetries: 0 }).listPending());
  });
});
