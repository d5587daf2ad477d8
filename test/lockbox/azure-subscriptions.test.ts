import assert from 'node:assert/strict';
import { AzureLockboxSource } from '../../src/lockbox/azure/source';
import { DiscoveredSubscriptions } from '../../src/lockbox/azure/subscriptions';
import { silentLogger } from '../../src/runtime/logger';
import { DEFAULT_SEED, startSimulator, type RunningSimulator } from '../../src/simulator';
import { clientFor, injectFault } from '../support/clients';

const EXTRA = ['00000000-0000-4000-8000-00000000b0b1', '00000000-0000-4000-8000-00000000b0b2'];

describe('finding the subscriptions to watch when none are named', () => {
  let sim: RunningSimulator;
  let now = 0;
  beforeEach(async () => {
    sim = await startSimulator({ port: 0, pageSize: 2, seed: { ...DEFAULT_SEED, subscriptions: [...DEFAULT_SEED.subscriptions, ...EXTRA] } });
  });
  afterEach(() => sim.close());

  it('lists every subscription the identity can see, across pages', async () => {
    const subscriptions = new DiscoveredSubscriptions(clientFor(sim.url), 60_000, () => now);
    assert.deepEqual((await subscriptions.ids()).sort(), [...DEFAULT_SEED.subscriptions, ...EXTRA].sort());
  });

  it('asks again only after the refresh time, and keeps the last list when a refresh fails', async () => {
    const subscriptions = new DiscoveredSubscriptions(clientFor(sim.url), 60_000, () => now);
    const first = await subscriptions.ids();
    await injectFault(sim.url, { path: '^/subscriptions$', status: 500, times: 10 });
    now += 30_000;
    assert.deepEqual(await subscriptions.ids(), first, 'cached');
    now += 30_000;
    assert.deepEqual(await subscriptions.ids(), first, 'refresh failed: last known list');
  });

  it('lets the Azure source watch requests in subscriptions nobody listed', async () => {
    const client = clientFor(sim.url);
    const source = new AzureLockboxSource({ client, subscriptions: new DiscoveredSubscriptions(client, 60_000), tenantId: DEFAULT_SEED.tenantId, logger: silentLogger });
    const { requestId } = sim.tenant.createRequest({ subscriptionId: EXTRA[1] });
    assert.deepEqual((await source.listPending()).requests.map((r) => r.requestId), [requestId]);
  });
});
