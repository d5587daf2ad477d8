import assert from 'node:assert/strict';
import { settleWithLimit } from '../../src/lockbox/concurrency';

describe('running many upstream calls with bounded concurrency', () => {
  it('never runs more than the limit at once, and runs them side by side up to it', async () => {
    let running = 0;
    let most = 0;
    await settleWithLimit(Array.from({ length: 50 }, (_, i) => i), 8, async () => {
      most = Math.max(most, ++running);
      await new Promise((resolve) => setTimeout(resolve, 2));
      running--;
    });
    assert.equal(most, 8);
  });

  it('settles every item in order, a failure hiding none of the others', async () => {
    const results = await settleWithLimit([1, 2, 3, 4], 2, async (n) => {
      if (n === 2) throw new Error('subscription 2 is forbidden');
      return n * 10;
    });
    assert.deepEqual(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)), [10, 'subscription 2 is forbidden', 30, 40]);
  });

  it('copes with nothing to do', async () => {
    assert.deepEqual(await settleWithLimit([], 4, async () => 1), []);
  });
});
