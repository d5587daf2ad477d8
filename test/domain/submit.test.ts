import assert from 'node:assert/strict';
import type { Actor } from '../../src/domain/decision';
import { requestKey } from '../../src/domain/request';
import { track } from '../../src/domain/tracked';
import { recordDecision } from '../../src/domain/usecases/decide';
import { submitDecision } from '../../src/domain/usecases/submit';
import { coreWithFakes, deliverQueued, TENANT } from '../support/core';
import { conversationOf, pendingRequest, permanentFailure, transientFailure } from '../support/fakes';
import { waitFor } from '../support/wait';

const alex: Actor = { aadObjectId: 'alex', tenantId: TENANT, name: 'Alex' };

describe('submitting a recorded decision upstream', () => {
  let core: ReturnType<typeof coreWithFakes>;
  const request = pendingRequest();
  const key = requestKey(request);

  beforeEach(async () => {
    core = coreWithFakes();
    core.directory.approvers = new Set(['alex', 'megan']);
    core.source.add(request);
    await core.store.insertRequest(track(request, core.clock.now()));
    for (const user of ['alex', 'megan']) {
      await core.store.saveConversation(conversationOf(user));
      await core.store.claimCard({ requestKey: key, userId: user, conversationId: `a:${user}` });
      await core.store.completeCard(key, user, `card-${user}`, core.clock.now().toISOString());
    }
    await recordDecision(core.deps, { requestKey: key, verdict: 'approve', comment: 'case 123', actor: alex });
  });

  it('sends the decision with its comment, stores the outcome, audits it and updates every card', async () => {
    const after = await submitDecision(core.deps, key);
    assert.deepEqual(core.source.submissions, [{ requestId: request.requestId, verdict: 'approve', reason: 'case 123' }]);
    assert.equal(after?.decision?.submission.state, 'submitted');
    assert.equal(after?.request.status, 'Approved');
    await deliverQueued(core.deps);
    assert.deepEqual(core.messenger.updates.map((u) => u.activityId).sort(), ['card-alex', 'card-megan']);
    const kinds = (await core.store.listAudit({ limit: 5 })).map((a) => a.kind);
    assert.equal(kinds[0], 'decision.submitted');
  });

  it('says who decided in Teams when the approver left no comment', async () => {
    const blank = pendingRequest({ requestId: 'b1f2c3d4-0000-4000-8000-000000000009' });
    core.source.add(blank);
    await core.store.insertRequest(track(blank, core.clock.now()));
    await recordDecision(core.deps, { requestKey: requestKey(blank), verdict: 'reject', comment: '', actor: alex });
    await submitDecision(core.deps, requestKey(blank));
    assert.equal(core.source.submissions[0]?.reason, 'Rejected in Teams by Alex');
  });

  it('keeps a decision pending after a transient failure, then asks upstream before trying again', async () => {
    core.source.submitErrors.push(transientFailure());
    const failed = await submitDecision(core.deps, key);
    assert.equal(failed?.decision?.submission.state, 'pending');
    assert.equal(failed?.decision?.submission.attempts, 1);
    assert.match(failed?.decision?.submission.lastError ?? '', /500/);
    await deliverQueued(core.deps);
    assert.equal(core.messenger.updates.length, 0, 'cards keep showing "sending" while it is pending');

    const done = await submitDecision(core.deps, key);
    assert.equal(done?.decision?.submission.state, 'submitted');
    assert.equal(core.source.submissions.length, 1);
  });

  it('does not submit again when upstream already shows our decision after a crash mid-call', async () => {
    core.source.add({ ...request, status: 'Approved' });
    core.source.submitErrors.push(transientFailure());
    await submitDecision(core.deps, key);
    const after = await submitDecision(core.deps, key);
    assert.equal(core.source.submissions.length, 0);
    assert.equal(after?.decision?.submission.state, 'submitted');
  });

  it('adopts the upstream outcome when the request was decided elsewhere first', async () => {
    core.source.add({ ...request, status: 'Denied' });
    const after = await submitDecision(core.deps, key);
    assert.equal(after?.decision?.submission.state, 'adopted');
    assert.equal(after?.request.status, 'Denied');
    await deliverQueued(core.deps);
    assert.equal(core.messenger.updates.length, 2);
  });

  it('marks the decision failed for good when upstream refuses it for good, and shows that on every card', async () => {
    core.source.submitErrors.push(permanentFailure());
    const after = await submitDecision(core.deps, key);
    assert.equal(after?.decision?.submission.state, 'failed');
    await deliverQueued(core.deps);
    assert.equal(core.messenger.updates.length, 2);
    assert.equal((await core.store.listAudit({ limit: 1 }))[0]?.kind, 'decision.failed');
  });

  it('counts an upstream "Approving" as our own approval on its way, not as a decision made elsewhere', async () => {
    core.source.add({ ...request, status: 'Approving' });
    core.source.submitErrors.push(transientFailure());
    await submitDecision(core.deps, key);
    const after = await submitDecision(core.deps, key);
    assert.equal(after?.decision?.submission.state, 'submitted');
  });

  it('lets an approver decide again once Microsoft refused the first decision for good', async () => {
    core.source.submitErrors.push(permanentFailure());
    await submitDecision(core.deps, key);
    const again = await recordDecision(core.deps, { requestKey: key, verdict: 'reject', comment: 'second try', actor: alex });
    assert.equal(again.decision?.verdict, 'reject');
    assert.equal(again.decision?.submission.state, 'pending');
    const after = await submitDecision(core.deps, key);
    assert.equal(after?.decision?.submission.state, 'submitted');
    assert.deepEqual(core.source.submissions.map((s) => s.verdict), ['reject']);
  });

  it('lets only one of several workers call upstream at a time', async () => {
    let release!: () => void;
    core.source.submitGate = new Promise((resolve) => (release = resolve));
    const workers = [submitDecision(core.deps, key), submitDecision(core.deps, key), submitDecision(core.deps, key)];
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    await Promise.all(workers);
    assert.equal(core.source.submissions.length, 1);
  });
  it('a click that does not wait for the cards queues their updates once the clicks being answered have their answers; until then the request stays cardsStale', async () => {
    let letGo!: () => void;
    const quiet = new Promise<void>((resolve) => (letGo = resolve));
    const deps = { ...core.deps, whenQuiet: () => quiet };
    const after = await submitDecision(deps, key, { awaitCards: false });
    assert.equal(after?.decision?.submission.state, 'submitted');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(await core.store.countDeliveries(), 0, 'nothing queued while clicks are being answered');
    assert.equal((await core.store.getRequest(key))?.value.cardsStale, true, 'the watcher would still sync it if the process stopped now');
    letGo();
    await waitFor(async () => (await core.store.countDeliveries()) === 2, 'the card updates to be queued');
    await waitFor(async () => (await core.store.getRequest(key))?.value.cardsStale === false, 'cardsStale to be cleared');
    await deliverQueued(core.deps);
    assert.deepEqual(core.messenger.updates.map((u) => u.activityId).sort(), ['card-alex', 'card-megan']);
  });
});
