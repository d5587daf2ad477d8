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
