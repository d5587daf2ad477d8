import assert from 'node:assert/strict';
import { LeaderElection } from '../../src/runtime/leader-election';
import { silentLogger } from '../../src/runtime/logger';
import { FixedClock } from '../support/fakes';

describe('the leader lease in /healthz', () => {
  it('reports a lease the store does not answer in time, instead of every instance idling while health says ok', async () => {
    const never = new Promise<boolean>(() => undefined);
    const election = new LeaderElection({
      store: { acquireLease: () => never, releaseLease: async () => undefined },
      name: 'watcher', holder: 'a', ttlMs: 150, clock: new FixedClock(new Date('2026-11-30T10:00:00Z')), logger: silentLogger,
      onGain: () => undefined, onLoss: () => undefined,
    });
    await election.start();
    assert.deepEqual(election.health(), { ok: false, leading: false, lastProblem: { problem: 'timeout', at: '2026-11-30T10:00:00.000Z' } });
    await election.stop();
  });

  it('is ok once the lease answers', async () => {
    const election = new LeaderElection({
      store: { acquireLease: async () => true, releaseLease: async () => undefined },
      name: 'watcher', holder: 'a', ttlMs: 150, clock: new FixedClock(new Date('2026-11-30T10:00:00Z')), logger: silentLogger,
      onGain: () => undefined, onLoss: () => undefined,
    });
    await election.start();
    assert.deepEqual(election.health(), { ok: true, leading: true, lastProblem: null });
    await election.stop();
  });
});
