import assert from 'node:assert/strict';
import { installUpdate } from '../support/activities';
import { injectFault } from '../support/clients';
import { startHarness, SUBSCRIPTION_ID, TENANT_ID, type Harness } from '../support/harness';
import { DEFAULT_SEED } from '../../src/simulator';
import type { TenantSeed } from '../../src/simulator/seed';

const GROUP = '00000000-0000-4000-8000-00000000a000';
const userId = (n: number) => `00000000-0000-4000-9000-${String(n).padStart(12, '0')}`;

/** The seeded tenant plus a group of `size` people of its own. */
function seedWithGroup(size: number): TenantSeed {
  const people = Array.from({ length: size }, (_, i) => ({ id: userId(i), displayName: `Person ${i}`, userPrincipalName: `person${i}@contoso.example`, directoryRoles: [] }));
  return { ...DEFAULT_SEED, users: [...DEFAULT_SEED.users, ...people], groups: [...(DEFAULT_SEED.groups ?? []), { id: GROUP, displayName: 'Everyone on call', members: people.map((p) => p.id) }] };
}

describe('never stop reading early without saying so, over HTTP', function () {
  this.timeout(120_000);
  let h: Harness;
  afterEach(() => h?.close());

  const health = async () => (await (await fetch(`${h.bot.url}/healthz`)).json()) as { directoryPaging: { complete: boolean; limitReached?: { what: string; pages: number; items: number } } };
  const memberCalls = async () => ((await h.admin('/_simulator/calls')) as { path: string; query: Record<string, string> }[]).filter((c) => c.path.includes(`/groups/${GROUP}/transitiveMembers`));

  it('reaches the last of 20,000 people in NOTIFY_GROUP_ID, reading 999 at a time', async () => {
    h = await startHarness({ simulator: { seed: seedWithGroup(20_000) }, env: { LOCKBOX_SOURCES: 'azure', NOTIFY_GROUP_ID: GROUP } });
    const last = { aadObjectId: userId(19_999), name: 'Person 19999' };
    await h.post(installUpdate(h.connector.url, TENANT_ID, last));
    h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID });
    await h.bot.watcher.runOnce();

    const cards = h.connector.postedCards(`a:personal-${last.aadObjectId}`);
    assert.equal(cards.length, 1, 'the 20,000th member hears of it');
    assert.match(JSON.stringify(cards[0]!.body), /You are informed, not asked/, 'an information card: they hold no role');
    const calls = await memberCalls();
    assert.equal(calls.length, Math.ceil(20_000 / 999));
    assert.equal(calls[0]!.query.$top, '999');
    assert.deepEqual((await health()).directoryPaging, { complete: true });
  });

  it('says in /healthz when a listing stopped at the safety limit', async () => {
    h = await startHarness({ simulator: { seed: seedWithGroup(2_500) }, env: { LOCKBOX_SOURCES: 'azure', NOTIFY_GROUP_ID: GROUP }, bot: { directoryMaxPages: 2 } });
    h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID });
    await h.bot.watcher.runOnce();
    const { directoryPaging } = await health();
    assert.equal(directoryPaging.complete, false);
    assert.deepEqual({ ...directoryPaging.limitReached, at: undefined }, { what: 'group members', pages: 2, items: 1998, at: undefined });
  });

  it('sends each activity-feed batch once: a failed batch is sent again next cycle, the ones that went out are not', async () => {
    h = await startHarness({ simulator: { seed: seedWithGroup(250) }, env: { LOCKBOX_SOURCES: 'azure', ONCALL_GROUP_ID: GROUP } });
    // The second call fails, with every retry the client makes: batch 2 of 3 is left for the next cycle.
    await injectFault(h.simulator.url, { path: 'sendActivityNotificationToRecipients$', status: 500, skip: 1, times: 4 });
    h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID });
    await h.bot.watcher.runOnce();
    const afterFirst = (await h.admin('/_simulator/teams/notifications')).value as { userId: string }[];
    assert.equal(afterFirst.length, 150, 'batches 1 and 3 went out');

    await h.bot.watcher.runOnce();
    await h.bot.watcher.runOnce();
    const received = ((await h.admin('/_simulator/teams/notifications')).value as { userId: string }[]).map((n) => n.userId);
    assert.equal(received.length, 250, 'nobody twice');
    assert.equal(new Set(received).size, 250, 'everybody once');
  });
});
