import assert from 'node:assert/strict';
import { requestKey } from '../../src/domain/request';
import { recordDecision } from '../../src/domain/usecases/decide';
import { sendQueued } from '../../src/domain/usecases/deliver';
import { pollOnce } from '../../src/domain/usecases/poll';
import { coreWithFakes, deliverQueued, TENANT } from '../support/core';
import { conversationOf, pendingRequest } from '../support/fakes';

describe('the delivery queue', () => {
  let core: ReturnType<typeof coreWithFakes>;

  beforeEach(async () => {
    core = coreWithFakes();
    core.directory.approvers = new Set(['alex', 'megan']);
    await core.store.saveConversation(conversationOf('alex'));
    await core.store.saveConversation(conversationOf('megan'));
  });

  it('lets a watcher cycle detect and audit a request without waiting for a single post', async () => {
    core.messenger.postRequestCard = () => new Promise(() => undefined);
    const request = pendingRequest();
    core.source.add(request);
    const report = await pollOnce(core.deps);
    assert.equal(report.detected, 1);
    assert.equal(report.queued, 2);
    assert.equal((await core.store.listAudit({ requestKey: requestKey(request), limit: 10 }))[0]?.kind, 'request.detected');
    assert.equal(await core.store.countDeliveries(), 2);
  });

  it('sends the first cards of the request that expires soonest first, whatever order they were found in', async () => {
    const late = pendingRequest({ requestId: 'late', expiresAt: '2026-12-02T08:00:00.000Z' });
    const soon = pendingRequest({ requestId: 'soon', expiresAt: '2026-11-28T12:00:00.000Z' });
    core.source.add(late);
    await pollOnce(core.deps);
    core.source.add(soon);
    await pollOnce(core.deps);
    await deliverQueued(core.deps);
    assert.deepEqual(core.messenger.posts.map((p) => p.key.split(':').at(-1)), ['soon', 'soon', 'late', 'late']);
  });

  it('does not post a queued card once the request was decided meanwhile, and lets the claim go', async () => {
    const request = pendingRequest();
    core.source.add(request);
    await pollOnce(core.deps);
    const key = requestKey(request);
    await recordDecision(core.deps, { requestKey: key, verdict: 'reject', comment: '', actor: { aadObjectId: 'alex', tenantId: TENANT } });
    await deliverQueued(core.deps);
    assert.deepEqual(core.messenger.posts, []);
    assert.deepEqual(await core.store.listCards(key), []);
    assert.equal(await core.store.countDeliveries(), 0);
  });

  it('never sends twice an item a worker was sending when it stopped (the card may be in the chat)', async () => {
    core.source.add(pendingRequest());
    await pollOnce(core.deps);
    const [item] = await core.store.nextDeliveries(core.clock.now(), 1);
    await core.store.replaceDelivery({ ...item!.value, state: 'sending', availableAt: core.clock.now().toISOString() }, item!.etag);
    const [stale] = await core.store.nextDeliveries(core.clock.now(), 1);
    await sendQueued(core.deps, stale!);
    await deliverQueued(core.deps);
    assert.equal(core.messenger.posts.length, 1, 'only the other approver');
    assert.equal(await core.store.countDeliveries(), 0);
  });

  it('lets only one of two workers send an item read by both', async () => {
    core.directory.approvers = new Set(['alex']);
    core.source.add(pendingRequest());
    await pollOnce(core.deps);
    const [item] = await core.store.nextDeliveries(core.clock.now(), 1);
    await Promise.all([sendQueued(core.deps, item!), sendQueued(core.deps, item!)]);
    assert.equal(core.messenger.posts.length, 1);
  });

  it('follows open requests a budget at a time, each cycle carrying on where the last stopped, while every cycle detects', async () => {
    core.directory.approvers = new Set(['alex']);
    for (const id of ['a', 'b', 'c']) core.source.add(pendingRequest({ requestId: id }));
    const queuedFor: string[][] = [];
    let startAfter: string | undefined;
    for (let cycle = 0; cycle < 4; cycle++) {
      if (cycle === 2) core.source.add(pendingRequest({ requestId: 'd' }));
      const report = await pollOnce(core.deps, { followUpBudgetMs: 0, startAfter });
      startAfter = report.followedUpTo;
      const items = await core.store.nextDeliveries(core.clock.now(), 100);
      queuedFor.push(items.map((i) => i.value.requestKey.split(':').at(-1)!).filter((id) => !queuedFor.flat().includes(id)));
      if (cycle === 2) assert.equal(report.detected, 1, 'a new request is detected whatever is left to follow');
    }
    assert.deepEqual(queuedFor, [['a'], ['b'], ['c'], ['d']]);
  });
});
