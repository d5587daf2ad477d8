import assert from 'node:assert/strict';
import sinon from 'sinon';
import type { PollReport } from '../../src/domain/usecases/poll';
import { WatcherLoop } from '../../src/runtime/watcher-loop';
import { silentLogger } from '../../src/runtime/logger';

const report = (ok = true): PollReport => ({ at: new Date().toISOString(), ok, sources: [], detected: 0, queued: 0 });

describe('the watcher loop', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => (clock = sinon.useFakeTimers()));
  afterEach(() => clock.restore());

  it('polls at once on start, then once per interval', async () => {
    const poll = sinon.stub().resolves(report());
    const loop = new WatcherLoop(poll, 30_000, silentLogger);
    loop.start();
    await clock.tickAsync(0);
    assert.equal(poll.callCount, 1);
    await clock.tickAsync(29_999);
    assert.equal(poll.callCount, 1);
    await clock.tickAsync(1);
    assert.equal(poll.callCount, 2);
    await loop.stop();
  });

  it('logs a failed cycle and tries again at the next interval', async () => {
    const errors: string[] = [];
    const poll = sinon.stub().onFirstCall().rejects(new Error('store is locked')).resolves(report());
    const loop = new WatcherLoop(poll, 30_000, { ...silentLogger, error: (message) => errors.push(message) });
    loop.start();
    await clock.tickAsync(0);
    assert.equal(errors.length, 1);
    await clock.tickAsync(30_000);
    assert.equal(poll.callCount, 2);
    assert.equal(loop.lastReport?.ok, true);
    await loop.stop();
  });

  it('never runs two polls at once, and a kick during a poll runs one more soon after', async () => {
    let running = 0;
    let most = 0;
    const poll = sinon.stub().callsFake(async () => {
      most = Math.max(most, ++running);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      running--;
      return report();
    });
    const loop = new WatcherLoop(poll, 30_000, silentLogger);
    loop.start();
    await clock.tickAsync(10);
    loop.kick();
    loop.kick();
    await clock.tickAsync(3500);
    assert.equal(most, 1);
    assert.equal(poll.callCount, 2);
    await loop.stop();
  });

  it('turns a storm of kicks into a few spaced cycles, one extra at a time', async () => {
    const poll = sinon.stub().callsFake(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return report();
    });
    const loop = new WatcherLoop(poll, 30_000, silentLogger);
    loop.start();
    await clock.tickAsync(10);
    // 1,000 new chats in 2 s.
    for (let i = 0; i < 1000; i++) {
      loop.kick();
      await clock.tickAsync(2);
    }
    await clock.tickAsync(3000);
    assert.ok(poll.callCount <= 4, `${poll.callCount} polls`);
    assert.ok(poll.callCount >= 2, 'the storm still brings a poll');
    await loop.stop();
  });

  it('stops polling once stopped', async () => {
    const poll = sinon.stub().resolves(report());
    const loop = new WatcherLoop(poll, 1000, silentLogger);
    loop.start();
    await clock.tickAsync(0);
    await loop.stop();
    await clock.tickAsync(10_000);
    assert.equal(poll.callCount, 1);
  });
});
