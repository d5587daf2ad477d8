import assert from 'node:assert/strict';
import { CachedDirectory } from '../../src/directory/cached-directory';
import { FakeDirectory, FixedClock, pendingRequest } from '../support/fakes';

describe('remembering role answers briefly', () => {
  const request = pendingRequest();
  let inner: FakeDirectory;
  let clock: FixedClock;
  let directory: CachedDirectory;

  beforeEach(() => {
    inner = new FakeDirectory();
    inner.approvers.add('alex');
    clock = new FixedClock();
    directory = new CachedDirectory(inner, 60_000, clock);
  });

  it('asks the directory once for a burst of clicks by the same person', async () => {
    for (let i = 0; i < 10; i++) assert.equal((await directory.checkApprover('alex', request)).allowed, true);
    assert.equal(inner.checks, 1);
  });

  it('stops honouring a revoked role once the cache time has passed', async () => {
    await directory.checkApprover('alex', request);
    inner.approvers.delete('alex');
    clock.advance(59_999);
    assert.equal((await directory.checkApprover('alex', request)).allowed, true, 'still within the bound');
    clock.advance(1);
    assert.equal((await directory.checkApprover('alex', request)).allowed, false);
  });

  it('keeps answers for different subscriptions apart', async () => {
    await directory.checkApprover('alex', request);
    await directory.checkApprover('alex', pendingRequest({ subscriptionId: 'sub-2' }));
    assert.equal(inner.checks, 2);
  });

  it('never remembers a failure: the next click asks again', async () => {
    inner.down = true;
    await assert.rejects(directory.checkApprover('alex', request));
    inner.down = false;
    assert.equal((await directory.checkApprover('alex', request)).allowed, true);
  });

  it('asks every time when the cache is switched off', async () => {
    const uncached = new CachedDirectory(inner, 0, clock);
    await uncached.checkApprover('alex', request);
    await uncached.checkApprover('alex', request);
    assert.equal(inner.checks, 2);
  });
});
