import assert from 'node:assert/strict';
import { StoreUnavailable } from '../../src/domain/errors';
import type { Store } from '../../src/domain/ports';
import { silentLogger } from '../../src/runtime/logger';
import { withDeadlines } from '../../src/store/timed-store';
import { FixedClock } from '../support/fakes';

/** Every call of the Store port that could hang on a frozen service, with arguments it accepts: the type makes the list complete. */
const CALLS: Record<Exclude<keyof Store, 'close' | 'exportAudit'>, unknown[]> = {
  getRequest: ['k'], insertRequest: [{}], replaceRequest: [{}, 'e'], listOpenRequests: [],
  saveConversation: [{}], getConversation: ['u'], listConversations: [], removeConversation: ['u'],
  claimCard: [{}], completeCard: ['k', 'u', 'a', 't'], releaseCard: ['k', 'u'], listCards: ['k'], recordCard: [{}],
  saveConfirmation: [{}, new Date()], takeConfirmation: ['c'],
  appendAudit: [{}], listAudit: [{ limit: 1 }],
  enqueueDelivery: [{}], enqueueDeliveries: [[{}]], nextDeliveries: [new Date(), 1], replaceDelivery: [{}, 'e'], removeDelivery: ['d'], countDeliveries: [],
  acquireLease: ['n', 'h', 1, new Date()], releaseLease: ['n', 'h'], ping: [],
};

describe('every store call has a deadline', () => {
  const frozen = new Proxy({} as Store, { get: (_, property) => (property === 'close' ? async () => undefined : () => new Promise(() => undefined)) });

  for (const [method, args] of Object.entries(CALLS) as [keyof typeof CALLS, unknown[]][]) {
    it(`${method} on a store that never answers fails with StoreUnavailable (timeout) instead of hanging, and /healthz counts it`, async () => {
      const { store, timings } = withDeadlines(frozen, { timeoutMs: 20, clock: new FixedClock(), logger: silentLogger });
      const call = (store[method] as (...a: unknown[]) => Promise<unknown>)(...args);
      await assert.rejects(call, (error: unknown) => error instanceof StoreUnavailable && error.reason === 'timeout' && error.operation === method);
      assert.equal(timings().timeouts, 1);
      assert.equal(timings().lastOperation, method);
    });
  }
});

describe('a store that answers in time', () => {
  const options = { timeoutMs: 1000, clock: new FixedClock(), logger: silentLogger };

  it("hands back each call's answer and failure as the store gave them, and counts no timeout", async () => {
    const failure = new Error('disk full');
    const store = { getRequest: async (key: string) => ({ value: key, etag: 'e' }), appendAudit: async () => { throw failure; }, ping: () => 'not a promise' } as unknown as Store;
    const { store: timed, timings } = withDeadlines(store, options);
    assert.deepEqual(await timed.getRequest('k'), { value: 'k', etag: 'e' });
    assert.deepEqual(await timed.getRequest('other'), { value: 'other', etag: 'e' }, 'the same method again, with its own arguments');
    await assert.rejects(timed.appendAudit({} as never), (error) => error === failure);
    assert.equal(timed.ping() as unknown, 'not a promise');
    assert.equal(timings().timeouts, 0);
  });

  it('calls the method the store has now, on the store itself', async () => {
    const store = { name: 'first', async ping(this: { name: string }) { return this.name; } };
    const { store: timed } = withDeadlines(store as unknown as Store, options);
    assert.equal(await timed.ping(), 'first' as never);
    store.ping = async function (this: { name: string }) { return `${this.name}, replaced`; };
    assert.equal(await timed.ping(), 'first, replaced' as never);
  });

  it('ignores an answer that comes after the deadline, failing or not', async () => {
    let fail!: (error: Error) => void;
    const store = { ping: () => new Promise<void>((_, reject) => (fail = reject)) } as unknown as Store;
    const { store: timed, timings } = withDeadlines(store, { ...options, timeoutMs: 10 });
    await assert.rejects(timed.ping(), (error: unknown) => error instanceof StoreUnavailable);
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', listener);
    try {
      fail(new Error('too late'));
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('unhandledRejection', listener);
    }
    assert.deepEqual(unhandled, []);
    assert.equal(timings().timeouts, 1);
  });
});
