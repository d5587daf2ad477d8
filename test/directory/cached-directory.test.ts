import assert from 'node:assert/strict';
import { CachedDirectory } from '../../src/directory/cached-directory';
import { FakeDirectory, FixedClock, pendingRequest } from '../support/fakes';

describe('remembering role answers briefly, for views only', () => {
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

  it('asks the directory once for a burst of views by the same person', async () => {
    for (let i = 0; i < 10; i++) assert.equal((await directory.checkApprover('alex', request, 'cached')).allowed, true);
    assert.equal(inner.checks, 1);
  });

  it('stops honouring a revoked role once the cache time has passed', async () => {
    await directory.checkApprover('alex', request, 'cached');
    inner.approvers.delete('alex');
    clock.advance(59_999);
    assert.equal((await directory.checkApprover('alex', request, 'cached')).allowed, true, 'still within the bound');
    clock.advance(1);
    assert.equal((await directory.checkApprover('alex', request, 'cached')).allowed, false);
  });

  it('keeps answers for different subscriptions apart', async () => {
    await directory.checkApprover('alex', request, 'cached');
    await directory.checkApprover('alex', pendingRequest({ subscriptionId: 'sub-2' }), 'cached');
    assert.equal(inner.checks, 2);
  });

  it('never remembers a failure: the next click asks again', async () => {
    inner.down = true;
    await assert.rejects(directory.checkApprover('alex', request, 'cached'));
    inner.down = false;
    assert.equal((await directory.checkApprover('alex', request, 'cached')).allowed, true);
  });

  it('asks every time when the cache is switched off', async () => {
    const uncached = new CachedDirectory(inner, 0, clock);
    await uncached.checkApprover('alex', request, 'cached');
    await uncached.checkApprover('alex', request, 'cached');
    assert.equal(inner.checks, 2);
  });

  it('always asks afresh for a check that lets a decision be recorded, and refreshes the views with it', async () => {
    await directory.checkApprover('alex', request, 'cached');
    inner.approvers.delete('alex');
    assert.equal((await directory.checkApprover('alex', request, 'live')).allowed, false);
    assert.equal(inner.checks, 2);
    assert.equal((await directory.checkApprover('alex', request, 'cached')).allowed, false, 'the view learns the revocation too');
  });

  it('keeps answers for different requests apart, since a role may predate one and not the other', async () => {
    await directory.checkApprover('alex', request, 'cached');
    await directory.checkApprover('alex', pendingRequest({ requestId: 'another' }), 'cached');
    assert.equal(inner.checks, 2);
  });

  it('stays within its bound when a burst leaves nothing expired, forgetting the oldest answers first', async () => {
    const small = new CachedDirectory(inner, 60_000, clock, 4);
    const requests = Array.from({ length: 10 }, (_, i) => pendingRequest({ requestId: `r${i}` }));
    for (const r of requests) await small.checkApprover('alex', r, 'cached');
    assert.equal(inner.checks, 10);
    await small.checkApprover('alex', requests[9]!, 'cached');
    assert.equal(inner.checks, 10, 'the newest answer is still remembered');
    await small.checkApprover('alex', requests[0]!, 'cached');
    assert.equal(inner.checks, 11, 'the oldest was forgotten');
  });
});
