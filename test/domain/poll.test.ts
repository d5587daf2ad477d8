import assert from 'node:assert/strict';
import type { Actor } from '../../src/domain/decision';
import { requestKey } from '../../src/domain/request';
import { recordDecision } from '../../src/domain/usecases/decide';
import { pollAndDeliver as pollOnce, coreWithFakes, TENANT } from '../support/core';
import { DeliveryFailed } from '../../src/domain/errors';
import { GONE_AFTER_CHECKS } from '../../src/domain/usecases/gone';
import { conversationOf, FakeInstaller, pendingRequest, transientFailure } from '../support/fakes';

const alex: Actor = { aadObjectId: 'alex', tenantId: TENANT, name: 'Alex' };

describe('one watcher cycle', () => {
  let core: ReturnType<typeof coreWithFakes>;
  const request = pendingRequest();
  const key = requestKey(request);

  beforeEach(async () => {
    core = coreWithFakes();
    core.directory.approvers = new Set(['alex', 'megan', 'isaiah']);
    await core.store.saveConversation(conversationOf('alex'));
    await core.store.saveConversation(conversationOf('megan'));
    await core.store.saveConversation(conversationOf('adele'));
  });

  it('stores a new Pending request, audits it, and posts one card to each reachable approver', async () => {
    core.source.add(request);
    const report = await pollOnce(core.deps);
    assert.equal(report.detected, 1);
    assert.equal(report.queued, 2);
    assert.deepEqual(core.messenger.posts.map((p) => p.userId).sort(), ['alex', 'megan']);
    assert.equal((await core.store.listAudit({ requestKey: key, limit: 10 }))[0]?.kind, 'request.detected');
    assert.deepEqual((await core.store.listCards(key)).map((c) => c.activityId).sort(), ['activity-1', 'activity-2']);
  });

  it('never posts the same request twice, however often it polls', async () => {
    core.source.add(request);
    for (let i = 0; i < 3; i++) await pollOnce(core.deps);
    assert.equal(core.messenger.posts.length, 2);
    assert.equal((await core.store.listAudit({ requestKey: key, limit: 10 })).filter((a) => a.kind === 'request.detected').length, 1);
  });

  it('tries a failed post again once its backoff has passed, and only that one', async () => {
    core.source.add(request);
    core.messenger.failPostsFor.add('megan');
    await pollOnce(core.deps);
    core.messenger.failPostsFor.clear();
    await pollOnce(core.deps);
    assert.deepEqual(core.messenger.posts.map((p) => p.userId), ['alex'], 'not before its backoff');
    core.clock.advance(2000);
    await pollOnce(core.deps);
    assert.deepEqual(core.messenger.posts.map((p) => p.userId).sort(), ['alex', 'megan']);
  });

  it('notices a request decided in the portal and updates every copy of its card', async () => {
    core.source.add(request);
    await pollOnce(core.deps);
    core.source.add({ ...request, status: 'Approved' });
    await pollOnce(core.deps);
    const stored = await core.store.getRequest(key);
    assert.equal(stored?.value.request.status, 'Approved');
    assert.equal(core.messenger.updates.length, 2);
    assert.ok(core.messenger.updates.every((u) => u.state.request.status === 'Approved'));
    assert.equal((await core.store.listOpenRequests()).length, 1, 'an approval still expires or gets revoked: it is followed');

    core.source.add({ ...request, status: 'Revoked' });
    await pollOnce(core.deps);
    assert.deepEqual(core.messenger.updates.map((u) => u.state.request.status), ['Approved', 'Approved', 'Revoked', 'Revoked']);
    assert.deepEqual(await core.store.listOpenRequests(), [], 'Revoked is final');
  });

  it('never takes a request back from Approving to Pending, and follows it on to Approved', async () => {
    core.source.add(request);
    await pollOnce(core.deps);
    core.source.add({ ...request, status: 'Approving' });
    await pollOnce(core.deps);
    core.source.listPending = async () => ({ requests: [request], failures: [] });
    await pollOnce(core.deps);
    assert.equal((await core.store.getRequest(key))?.value.request.status, 'Approving', 'a stale list page does not bring back the buttons');
    core.source.listPending = async () => ({ requests: [], failures: [] });
    core.source.add({ ...request, status: 'Approved' });
    await pollOnce(core.deps);
    assert.equal((await core.store.getRequest(key))?.value.request.status, 'Approved');
  });

  it('reports a failing source without losing what it already tracks, and recovers', async () => {
    core.source.add(request);
    await pollOnce(core.deps);
    core.source.listError = new Error('HTTP 503 from ARM');
    const failing = await pollOnce(core.deps);
    assert.equal(failing.ok, false);
    assert.match(failing.sources[0]?.error ?? '', /503/);
    assert.equal((await core.store.listOpenRequests()).length, 1);
    core.source.listError = undefined;
    assert.equal((await pollOnce(core.deps)).ok, true);
  });

  it('never moves a decided request back to Pending when a stale list still shows it', async () => {
    core.source.add(request);
    await pollOnce(core.deps);
    core.source.add({ ...request, status: 'Approved' });
    await pollOnce(core.deps);
    core.source.listPending = async () => ({ requests: [{ ...request, status: 'Pending' }], failures: [] });
    await pollOnce(core.deps);
    assert.equal((await core.store.getRequest(key))?.value.request.status, 'Approved');
  });

  it('keeps the subscription\'s name as last listed: a rename reaches the stored request, a listing without names forgets none', async () => {
    core.source.add(request);
    await pollOnce(core.deps);
    core.source.add({ ...request, subscriptionName: 'Payments-Prod' });
    await pollOnce(core.deps);
    assert.equal((await core.store.getRequest(key))?.value.request.subscriptionName, 'Payments-Prod', 'named once the listing names it');
    core.source.add({ ...request, status: 'Approved' });
    await pollOnce(core.deps);
    const stored = (await core.store.getRequest(key))?.value.request;
    assert.deepEqual([stored?.status, stored?.subscriptionName], ['Approved', 'Payments-Prod']);
  });

  it('concludes nothing about requests in a subscription that could not be listed', async () => {
    core.source.add(request);
    await pollOnce(core.deps);
    core.source.requests.clear();
    core.source.listPending = async () => ({ requests: [], failures: [{ scope: 'subscription sub-1', subscriptionId: 'sub-1', error: 'HTTP 503' }] });
    const report = await pollOnce(core.deps);
    assert.deepEqual(report.sources[0]?.failures, [{ scope: 'subscription sub-1', subscriptionId: 'sub-1', error: 'HTTP 503' }], 'the report keeps which subscription failed, for /lockbox status');
    assert.equal((await core.store.getRequest(key))?.value.request.status, 'Pending');
  });

  it('concludes nothing about a request of no subscription while the subscription that listed it could not be listed', async () => {
    const unscoped = pendingRequest({ subscriptionId: undefined, listedIn: 'sub-1', decideInPortal: true });
    core.source.add(unscoped);
    await pollOnce(core.deps);
    core.source.requests.clear();
    core.source.listPending = async () => ({ requests: [], failures: [{ scope: 'subscription sub-1', subscriptionId: 'sub-1', error: 'HTTP 503' }] });
    for (let cycle = 0; cycle <= GONE_AFTER_CHECKS; cycle++) await pollOnce(core.deps);
    const stored = (await core.store.getRequest(requestKey(unscoped)))?.value;
    assert.deepEqual([stored?.goneAt, stored?.missing], [undefined, undefined]);
  });

  it('keeps a request left to the portal there when a later read names a subscription for it, and shows its new status', async () => {
    const unscoped = pendingRequest({ subscriptionId: undefined, listedIn: 'sub-1', decideInPortal: true });
    core.source.add(unscoped);
    await pollOnce(core.deps);
    core.source.listPending = async () => ({ requests: [], failures: [] });
    core.source.add({ ...unscoped, subscriptionId: 'sub-1', decideInPortal: undefined, status: 'Approving' });
    await pollOnce(core.deps);
    const stored = (await core.store.getRequest(requestKey(unscoped)))?.value.request;
    assert.deepEqual([stored?.status, stored?.subscriptionId, stored?.decideInPortal], ['Approving', undefined, true]);
  });

  it('does not call a request expired just because upstream no longer knows it, until its expiry passes', async () => {
    core.source.add(request);
    await pollOnce(core.deps);
    core.source.requests.clear();
    await pollOnce(core.deps);
    assert.equal((await core.store.getRequest(key))?.value.request.status, 'Pending');
    core.clock.advance(5 * 24 * 3600_000);
    await pollOnce(core.deps);
    assert.equal((await core.store.getRequest(key))?.value.request.status, 'Expired');
  });

  it('does not post again to someone whose earlier post may have arrived (a timeout), but does after a clear refusal', async () => {
    core.source.add(request);
    const failures = new Map([
      ['alex', [new DeliveryFailed('socket hang up', 'unknown')]],
      ['megan', [new DeliveryFailed('HTTP 502', 'no', 502)]],
    ]);
    const post = core.messenger.postRequestCard.bind(core.messenger);
    core.messenger.postRequestCard = async (conversation, tracked) => {
      const failure = failures.get(conversation.userId)?.shift();
      if (failure) throw failure;
      return post(conversation, tracked);
    };
    await pollOnce(core.deps);
    core.clock.advance(60_000);
    await pollOnce(core.deps);
    assert.deepEqual(core.messenger.posts.map((p) => p.userId), ['megan']);
  });

  it('forgets a chat Teams says is gone (403/404) and posts there again only once the person comes back', async () => {
    core.source.add(request);
    const post = core.messenger.postRequestCard.bind(core.messenger);
    let blocked = true;
    core.messenger.postRequestCard = async (conversation, tracked) => {
      if (conversation.userId === 'megan' && blocked) throw new DeliveryFailed('403 ConversationBlockedByUser', 'no', 403);
      return post(conversation, tracked);
    };
    await pollOnce(core.deps);
    assert.equal(await core.store.getConversation('megan'), undefined);
    await pollOnce(core.deps);
    assert.deepEqual(core.messenger.posts.map((p) => p.userId), ['alex']);
    blocked = false;
    await core.store.saveConversation(conversationOf('megan'));
    await pollOnce(core.deps);
    assert.deepEqual(core.messenger.posts.map((p) => p.userId).sort(), ['alex', 'megan']);
  });

  it('asks Teams to install the bot for an approver who has no chat with it, and counts who could not be reached', async () => {
    const installer = new FakeInstaller();
    core.deps.installer = installer;
    core.source.add(request);
    await pollOnce(core.deps);
    assert.deepEqual(installer.installs, ['isaiah']);
    assert.deepEqual(core.messenger.posts.map((p) => p.userId).sort(), ['alex', 'megan']);
  });

  it('asks the directory for approvers once per cycle, however many requests are open', async () => {
    for (let i = 0; i < 5; i++) core.source.add(pendingRequest({ requestId: `b1f2c3d4-0000-4000-8000-00000000010${i}` }));
    let asked = 0;
    const list = core.directory.listApprovers.bind(core.directory);
    core.directory.listApprovers = async () => {
      asked++;
      return list();
    };
    await pollOnce(core.deps);
    assert.equal(asked, 1);
  });

  it('keeps trying to update card copies that missed a change, from the stored queue, then stops', async () => {
    core.source.add(request);
    await pollOnce(core.deps);
    core.source.add({ ...request, status: 'Denied' });
    const update = core.messenger.updateRequestCard.bind(core.messenger);
    let failing = true;
    core.messenger.updateRequestCard = async (conversation, activityId, tracked) => {
      if (failing) throw new DeliveryFailed('HTTP 502', 'no', 502);
      return update(conversation, activityId, tracked);
    };
    await pollOnce(core.deps);
    assert.equal(await core.store.countDeliveries(), 2, 'the updates Teams refused stay queued');
    assert.deepEqual(await core.store.listOpenRequests(), [], 'the queue holds them, so the request need not stay followed');

    failing = false;
    core.clock.advance(60_000);
    await pollOnce(core.deps);
    assert.deepEqual(core.messenger.updates.map((u) => u.state.request.status), ['Denied', 'Denied']);
    await pollOnce(core.deps);
    assert.equal(core.messenger.updates.length, 2, 'no more updates once every copy shows the state');
  });

  it('finishes a decision that did not reach upstream, exactly once', async () => {
    core.source.add(request);
    await pollOnce(core.deps);
    core.source.submitErrors.push(transientFailure());
    await recordDecision(core.deps, { requestKey: key, verdict: 'approve', comment: '', actor: alex });
    await pollOnce(core.deps);
    await pollOnce(core.deps);
    await pollOnce(core.deps);
    assert.equal(core.source.submissions.length, 1);
    assert.equal((await core.store.getRequest(key))?.value.decision?.submission.state, 'submitted');
  });
});
