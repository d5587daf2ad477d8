import assert from 'node:assert/strict';
import { DeliveryFailed } from '../../src/domain/errors';
import { requestKey } from '../../src/domain/request';
import { syncCards } from '../../src/domain/usecases/card-sync';
import { requeueUpdatesInFlight, sendQueued } from '../../src/domain/usecases/deliver';
import { pollOnce } from '../../src/domain/usecases/poll';
import { coreWithFakes, deliverQueued, pollAndDeliver } from '../support/core';
import { conversationOf, pendingRequest } from '../support/fakes';

describe('card syncs through the delivery queue', () => {
  let core: ReturnType<typeof coreWithFakes>;
  const request = pendingRequest();
  const key = requestKey(request);
  const setStatus = async (status: string) => {
    const found = (await core.store.getRequest(key))!;
    await core.store.replaceRequest({ ...found.value, request: { ...found.value.request, status }, cardsStale: true }, found.etag);
  };

  beforeEach(async () => {
    core = coreWithFakes();
    core.directory.approvers = new Set(['alex', 'megan']);
    for (const userId of ['alex', 'megan']) await core.store.saveConversation(conversationOf(userId));
    core.source.add(request);
    await pollAndDeliver(core.deps);
  });

  it('queues an update per posted copy and sends nothing itself; the update shows the state stored when it is sent', async () => {
    await syncCards(core.deps, key);
    assert.equal(core.messenger.updates.length, 0, 'a sync only queues');
    assert.equal(await core.store.countDeliveries(), 2);
    await setStatus('Denied');
    await deliverQueued(core.deps);
    assert.deepEqual(core.messenger.updates.map((u) => [u.userId, u.state.request.status]).sort(), [['alex', 'Denied'], ['megan', 'Denied']]);
  });

  it("queues all of a request's updates in one store write, and wakes the worker only when something new was queued", async () => {
    const writes: string[][] = [];
    const enqueueDeliveries = core.store.enqueueDeliveries.bind(core.store);
    core.store.enqueueDeliveries = async (items) => (writes.push(items.map((d) => d.userId)), enqueueDeliveries(items));
    core.store.enqueueDelivery = async () => assert.fail('one write for all the copies, not one per copy');
    let wakes = 0;
    const deps = { ...core.deps, wakeDeliveries: () => void wakes++ };
    await syncCards(deps, key);
    assert.deepEqual(writes.map((w) => w.sort()), [['alex', 'megan']]);
    assert.equal(wakes, 1);
    await syncCards(deps, key);
    assert.equal(writes.length, 2);
    assert.equal(wakes, 1, 'both updates were waiting already');
    assert.equal(await core.store.countDeliveries(), 2);
  });

  it('costs one update per copy for a burst of changes while the updates wait', async () => {
    for (let i = 0; i < 5; i++) await syncCards(core.deps, key);
    await deliverQueued(core.deps);
    assert.equal(core.messenger.updates.length, 2);
  });

  it('sends a copy again when the request changed while its update was under way', async () => {
    await syncCards(core.deps, key);
    const update = core.messenger.updateRequestCard.bind(core.messenger);
    let first = true;
    core.messenger.updateRequestCard = async (conversation, activityId, tracked) => {
      await update(conversation, activityId, tracked);
      if (first) {
        first = false;
        // A decision lands mid-send: its sync finds the item taken, so the sender must notice.
        await setStatus('Approved');
        await syncCards(core.deps, key);
      }
    };
    await deliverQueued(core.deps);
    const alex = core.messenger.updates.filter((u) => u.userId === core.messenger.updates[0]!.userId).map((u) => u.state.request.status);
    assert.deepEqual(alex, ['Pending', 'Approved']);
    assert.equal(await core.store.countDeliveries(), 0);
  });

  it('keeps an update Teams refused for now in the queue, tried again after a backoff, across restarts (the queue is stored)', async () => {
    await setStatus('Denied');
    await syncCards(core.deps, key);
    core.messenger.updateRequestCard = async () => {
      throw new DeliveryFailed('HTTP 502', 'no', 502);
    };
    await deliverQueued(core.deps);
    assert.equal(await core.store.countDeliveries(), 2, 'still queued');
    assert.equal((await core.store.getRequest(key))?.value.cardsStale, false, 'queued durably, so the watcher need not ask again');
    const fresh = coreWithFakes();
    Object.assign(core.deps, { messenger: fresh.messenger });
    core.clock.advance(60_000);
    await deliverQueued(core.deps);
    assert.equal(fresh.messenger.updates.length, 2);
    assert.equal(await core.store.countDeliveries(), 0);
  });

  it('sends again, after a restart, an update a stopped worker had taken (an update twice does no harm; a card left behind does)', async () => {
    await setStatus('Denied');
    await syncCards(core.deps, key);
    const [item] = await core.store.nextDeliveries(core.clock.now(), 1);
    await core.store.replaceDelivery({ ...item!.value, state: 'sending', availableAt: new Date(core.clock.now().getTime() + 5 * 60_000).toISOString() }, item!.etag);
    assert.equal(await requeueUpdatesInFlight(core.deps), 1);
    await deliverQueued(core.deps);
    assert.deepEqual(core.messenger.updates.map((u) => u.state.request.status), ['Denied', 'Denied']);
  });

  it('sends first cards of a new request ahead of updates of an older one', async () => {
    const newer = pendingRequest({ requestId: 'newer' });
    core.source.add({ ...request, status: 'Denied' });
    core.source.add(newer);
    await pollOnce(core.deps);
    const order: string[] = [];
    for (let items = await core.store.nextDeliveries(core.clock.now(), 100); items.length; items = await core.store.nextDeliveries(core.clock.now(), 100)) {
      for (const item of items) {
        order.push(item.value.kind);
        await sendQueued(core.deps, item);
      }
    }
    assert.deepEqual(order, ['request-card', 'request-card', 'card-update', 'card-update']);
  });
});
