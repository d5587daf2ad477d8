import assert from 'node:assert/strict';
import { CallRecorder } from '../../src/simulator/calls';

describe('the simulated tenant call log', () => {
  const call = (i: number) => ({ method: 'GET', path: `/p/${i}`, query: { i: String(i) }, at: '2026-12-01T00:00:00.000Z', status: 200 });

  it('keeps the newest calls up to its limit, oldest first, however many came before', () => {
    const log = new CallRecorder(3);
    for (let n = 1; n <= 10; n++) {
      log.record(call(n));
      const paths = log.list().map((c) => c.path);
      assert.deepEqual(paths, Array.from({ length: Math.min(n, 3) }, (_, k) => `/p/${n - Math.min(n, 3) + 1 + k}`));
    }
  });

  it('hands out copies, and forgets everything when cleared', () => {
    const log = new CallRecorder(2);
    log.record(call(1));
    log.list()[0]!.query.i = 'changed';
    assert.equal(log.list()[0]!.query.i, '1');
    log.clear();
    assert.deepEqual(log.list(), []);
  });
});
