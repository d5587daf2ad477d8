import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { cardAction, installUpdate } from '../support/activities';
import { cardOf } from '../support/fake-connector';
import { startHarness, SUBSCRIPTION_ID, TENANT_ID, USERS, type Harness } from '../support/harness';
import { waitFor, waitUntil } from '../support/wait';

describe('delivery apart from detection, over HTTP', function () {
  this.timeout(60_000);
  let h: Harness;
  afterEach(() => h.close());

  const health = async () => (await (await fetch(`${h.bot.url}/healthz`)).json()) as { deliveriesQueued: number };
  const detected = async (requestId: string) => (await h.audit()).some((e) => e.kind === 'request.detected' && e.requestKey?.endsWith(requestId));

  // Teams takes 60 cards per chat in 30 s: before the queue, the cycle posting 100 cards ran past this test's wait.
  it('detects and audits a new request within a poll interval while 100 cards are still being delivered', async () => {
    h = await startHarness({ env: { LOCKBOX_SOURCES: 'azure', POLL_INTERVAL_SECONDS: '1' }, bot: { autoPoll: true } });
    await h.post(installUpdate(h.connector.url, TENANT_ID, USERS.alex));
    const older = Array.from({ length: 100 }, () => h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID }).requestId);
    await waitFor(async () => (await Promise.all(older.map(detected))).every(Boolean), 'the older requests to be detected');
    // Their cards are queued once the cycle has looked up their support cases; detection must not wait for them.
    await waitFor(async () => (await health()).deliveriesQueued > 50, 'the older cards to be queued');
    const { requestId } = h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID });
    await waitFor(() => detected(requestId), 'the new request to be detected', 10_000);
    assert.ok((await health()).deliveriesQueued > 0, 'cards were still being delivered');
    assert.ok(h.connector.postedCards().length < 100);
  });

  it('resumes the queued cards after a restart, each sent once', async () => {
    h = await startHarness({ env: { LOCKBOX_SOURCES: 'azure' } });
    await h.post(installUpdate(h.connector.url, TENANT_ID, USERS.alex));
    await h.bot.deliveries.stop();
    h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID });
    h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID });
    await h.bot.watcher.runOnce();
    assert.equal(h.connector.postedCards().length, 0);
    assert.equal((await health()).deliveriesQueued, 2);

    await h.restartBot();
    await waitUntil(async () => (await health()).deliveriesQueued === 0);
    assert.equal(h.connector.postedCards(`a:personal-${USERS.alex.aadObjectId}`).length, 2);
    assert.equal(new Set(h.connector.postedCards().map((c) => JSON.stringify(c.body.attachments))).size, 2, 'two different cards');
  });

  it('brings every other copy of a decided card up to date from the stored queue, once, with the final state, also after a restart', async () => {
    h = await startHarness({ env: { LOCKBOX_SOURCES: 'azure' } });
    for (const user of [USERS.alex, USERS.isaiah]) await h.post(installUpdate(h.connector.url, TENANT_ID, user));
    const { requestId } = h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID });
    await h.bot.watcher.runOnce();
    const key = `azure:${SUBSCRIPTION_ID}:${requestId}`;
    const isaiahCopy = (await h.cards(key)).find((c) => c.userId === USERS.isaiah.aadObjectId)!.activityId!;
    assert.ok(isaiahCopy);
    await h.bot.deliveries.stop();

    const answer = await h.post(cardAction(h.connector.url, TENANT_ID, USERS.alex, 'lockbox.approve', { requestKey: key }));
    assert.match(JSON.stringify(answer.body.value), /Approved by \*\*Alex Wilber\*\*/);
    await waitUntil(async () => (await h.admin(`/_simulator/lockbox/requests/${requestId}`)).request.properties.status === 'Approved');
    assert.equal((await health()).deliveriesQueued, 2, "one update for each approver's copy, however often the request changed");
    assert.equal(h.connector.updates(isaiahCopy).length, 0);

    await h.restartBot();
    await waitUntil(async () => (await health()).deliveriesQueued === 0);
    const updates = h.connector.updates(isaiahCopy).map((u) => JSON.stringify(cardOf(u.body)));
    assert.equal(updates.length, 1);
    assert.match(updates[0]!, /Approved by \*\*Alex Wilber\*\*/);
    assert.match(updates[0]!, /Microsoft can (read|access) \*\*/, 'the final state, as Microsoft confirmed it');
    assert.doesNotMatch(updates[0]!, /lockbox\.approve/);
  });

  // Each new chat asks for a cycle; before kicks were spaced, 1,000 of them in 2 s made 63 polls in 5 s.
  it('turns a storm of 1,000 new chats in 2 s into a few polls', async () => {
    h = await startHarness({ env: { LOCKBOX_SOURCES: 'azure' } });
    const lists = async () => ((await h.admin('/_simulator/calls')) as { method: string; path: string }[]).filter((c) => c.method === 'GET' && /CustomerLockbox\/requests$/.test(c.path)).length;
    const before = await lists();
    const started = Date.now();
    for (let batch = 0; batch < 20; batch++) {
      await Promise.all(Array.from({ length: 50 }, () => h.post(installUpdate(h.connector.url, TENANT_ID, { aadObjectId: randomUUID() }))));
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + (batch + 1) * 100 - Date.now())));
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(1000, 5000 - (Date.now() - started))));
    const polls = (await lists()) - before;
    // Kicked cycles start at least 2 s apart, however long the storm took on a busy machine.
    const most = Math.ceil((Date.now() - started) / 2000) + 1;
    assert.ok(polls >= 1 && polls <= most, `${polls} polls in ${Date.now() - started} ms`);
  });
});

describe('a listing longer than the page limit, over HTTP', function () {
  this.timeout(60_000);
  let h: Harness;
  afterEach(() => h.close());

  it('stops at 100 pages with a warning shown in /healthz, and reads the rest next cycle', async () => {
    h = await startHarness({ simulator: { pageSize: 1 }, env: { LOCKBOX_SOURCES: 'azure' } });
    const ids = Array.from({ length: 101 }, () => h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID }).requestId);
    await h.bot.watcher.runOnce();
    const detected = async () => (await h.audit()).filter((e) => e.kind === 'request.detected').length;
    assert.equal(await detected(), 100);
    const health = (await (await fetch(`${h.bot.url}/healthz`)).json()) as { lastPoll: { sources: { failingScopes: number }[] } };
    assert.equal(health.lastPoll.sources[0]!.failingScopes, 1);

    await h.bot.watcher.runOnce();
    assert.equal(await detected(), 101);
    assert.ok(ids.every(Boolean));
  });
});
