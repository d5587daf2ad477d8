import { strict as assert } from 'node:assert';
import type { Delivery, Versioned } from '../../src/domain/ports';
import { DeliveryWorker } from '../../src/runtime/delivery-worker';
import { systemClock } from '../../src/runtime/clock';
import { silentLogger } from '../../src/runtime/logger';

const item = (userId: string): Versioned<Delivery> => ({
  etag: '1',
  value: { id: `card-update|k|${userId}`, kind: 'card-update', requestKey: 'k', userId, priority: 1, dueBy: '9999-12-31T23:59:59.999Z', availableAt: new Date(0).toISOString(), state: 'queued', attempts: 0, enqueuedAt: new Date(0).toISOString() },
});

describe('DeliveryWorker', () => {
  it('sends what it found only once what it yields to lets it (the clicks being answered), and then sends everything', async () => {
    let queue = [item('u1'), item('u2')];
    let looks = 0;
    const sent: string[] = [];
    let letGo!: () => void;
    let yielding = new Promise<void>((resolve) => (letGo = resolve));
    const worker = new DeliveryWorker({
      store: { nextDeliveries: async () => (looks++, queue) },
      clock: systemClock,
      logger: silentLogger,
      send: async (d) => {
        sent.push(d.value.userId);
        queue = queue.filter((q) => q.value.id !== d.value.id);
      },
      yieldTo: () => yielding,
    });
    worker.start();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(looks, 1);
    assert.deepEqual(sent, []);
    yielding = Promise.resolve();
    letGo();
    await worker.settled();
    await worker.stop();
    assert.ok(looks > 0);
    assert.deepEqual(sent.sort(), ['u1', 'u2']);
  });

  it('stops while it yields, without waiting for the yield or sending what it found', async () => {
    let looks = 0;
    const sent: string[] = [];
    const worker = new DeliveryWorker({ store: { nextDeliveries: async () => (looks++, [item('u1')]) }, clock: systemClock, logger: silentLogger, send: async (d) => void sent.push(d.value.userId), yieldTo: () => new Promise(() => undefined) });
    worker.start();
    await new Promise((resolve) => setImmediate(resolve));
    await worker.stop();
    assert.equal(looks, 1);
    assert.deepEqual(sent, []);
  });

  it('does not yield when the queue has nothing to send', async () => {
    let yields = 0;
    const worker = new DeliveryWorker({ store: { nextDeliveries: async () => [] }, clock: systemClock, logger: silentLogger, send: async () => undefined, yieldTo: async () => void yields++ });
    worker.start();
    await worker.settled();
    await worker.stop();
    assert.equal(yields, 0);
  });
});
