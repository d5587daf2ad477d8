import assert from 'node:assert/strict';
import { AzureLockboxSource } from '../../src/lockbox/azure/source';
import { ArmSubscriptions, subscriptionIds } from '../../src/lockbox/azure/subscriptions';
import { silentLogger } from '../../src/runtime/logger';
import { DEFAULT_SEED, startSimulator, type RunningSimulator } from '../../src/simulator';
import { clientFor, injectFault } from '../support/clients';

const EXTRA = ['00000000-0000-4000-8000-00000000b0b1', '00000000-0000-4000-8000-00000000b0b2'];
const [SUBSCRIPTION] = DEFAULT_SEED.subscriptions as [string];
const NAMES = { [SUBSCRIPTION]: 'Payments-Prod', [EXTRA[0]!]: 'Contoso Dev' };

describe('finding the subscriptions to watch, and their names', () => {
  let sim: RunningSimulator;
  let now = 0;
  const clock = () => now;
  beforeEach(async () => {
    now = 0;
    sim = await startSimulator({ port: 0, pageSize: 2, seed: { ...DEFAULT_SEED, subscriptions: [SUBSCRIPTION, ...EXTRA], subscriptionNames: NAMES } });
  });
  afterEach(() => sim.close());

  it('lists every subscription the identity can see, across pages, each with its display name', async () => {
    const subscriptions = new ArmSubscriptions(clientFor(sim.url), 60_000, clock);
    assert.deepEqual((await subscriptions.list()).sort((a, b) => a.id.localeCompare(b.id)), [
      { id: SUBSCRIPTION, name: 'Payments-Prod' },
      { id: EXTRA[0], name: 'Contoso Dev' },
      { id: EXTRA[1], name: 'Simulated subscription b0b2' },
    ]);
  });

  it('reads ARM\'s own wire shape: a blank or odd display name is no name, a long one is cut', async () => {
    const { body } = await clientFor(sim.url).send({ method: 'GET', url: 'subscriptions', query: { 'api-version': '2022-12-01' } }) as { body: { value: Record<string, unknown>[] } };
    assert.deepEqual(Object.keys(body.value[0]!).sort(), ['authorizationSource', 'displayName', 'id', 'managedByTenants', 'state', 'subscriptionId', 'subscriptionPolicies', 'tenantId']);
    await injectFault(sim.url, {
      path: '^/subscriptions$',
      status: 200,
      body: { value: [
        { id: `/subscriptions/${EXTRA[0]}`, subscriptionId: EXTRA[0], displayName: '   ', state: 'Enabled' },
        { id: `/subscriptions/${EXTRA[1]}`, subscriptionId: EXTRA[1], displayName: 42, state: 'Enabled' },
        { id: `/subscriptions/${SUBSCRIPTION}`, subscriptionId: SUBSCRIPTION, displayName: 'x'.repeat(500), state: 'Enabled' },
      ] },
    });
    const listed = await new ArmSubscriptions(clientFor(sim.url), 60_000, clock).list();
    assert.deepEqual(listed.slice(0, 2), [{ id: EXTRA[0] }, { id: EXTRA[1] }]);
    assert.equal(listed[2]!.name!.length, 100);
  });

  it('asks again only after the refresh time, and keeps the last list when a refresh fails', async () => {
    const subscriptions = new ArmSubscriptions(clientFor(sim.url), 60_000, clock);
    const first = await subscriptions.list();
    await injectFault(sim.url, { path: '^/subscriptions$', status: 500, times: 10 });
    now += 30_000;
    assert.deepEqual(await subscriptions.list(), first, 'cached');
    now += 30_000;
    assert.deepEqual(await subscriptions.list(), first, 'refresh failed: last known list');
  });

  it('watches exactly the subscriptions named in AZURE_SUBSCRIPTION_IDS, named by the listing, and unnamed while it fails', async () => {
    const only = [EXTRA[0]!.toUpperCase(), '00000000-0000-4000-8000-0000000000ff'];
    await injectFault(sim.url, { path: '^/subscriptions$', status: 503, times: 10 });
    const subscriptions = new ArmSubscriptions(clientFor(sim.url), 30 * 60_000, clock, only);
    assert.deepEqual(await subscriptions.list(), only.map((id) => ({ id })), 'watched though unnamed');
    await fetch(`${sim.url}/_simulator/faults`, { method: 'DELETE' });
    now += 61_000;
    assert.deepEqual(await subscriptions.list(), [{ id: only[0], name: 'Contoso Dev' }, { id: only[1] }], 'named once the listing answers; one it does not list stays watched');
    assert.deepEqual(await subscriptionIds(subscriptions), only);
  });

  it('lets the Azure source watch requests in subscriptions nobody listed, each request carrying its subscription\'s name', async () => {
    const client = clientFor(sim.url);
    const source = new AzureLockboxSource({ client, subscriptions: new ArmSubscriptions(client, 60_000, clock), tenantId: DEFAULT_SEED.tenantId, logger: silentLogger });
    const { requestId } = sim.tenant.createRequest({ subscriptionId: EXTRA[0] });
    const listing = await source.listPending();
    assert.deepEqual(listing.requests.map((r) => [r.requestId, r.subscriptionName]), [[requestId, 'Contoso Dev']]);
    const again = await source.getRequest(listing.requests[0]!);
    assert.equal(again?.subscriptionName, 'Contoso Dev', 'reading the request back keeps the name');
  });

  it('names a subscription that could not be listed in the failure it reports', async () => {
    const client = clientFor(sim.url);
    const source = new AzureLockboxSource({ client, subscriptions: new ArmSubscriptions(client, 60_000, clock), tenantId: DEFAULT_SEED.tenantId, logger: silentLogger });
    await injectFault(sim.url, { path: `^/subscriptions/${EXTRA[0]}/providers/Microsoft.CustomerLockbox/requests$`, status: 403, times: 10 });
    const failure = (await source.listPending()).failures[0]!;
    assert.equal(failure.subscriptionName, 'Contoso Dev');
    assert.equal(failure.scope, `subscription Contoso Dev (${EXTRA[0]})`);
  });
});
