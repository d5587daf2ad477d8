import assert from 'node:assert/strict';
import type { Actor } from '../../src/domain/decision';
import { AlreadyDecided, ConcurrentUpdate, StoreUnavailable } from '../../src/domain/errors';
import { requestKey } from '../../src/domain/request';
import { track } from '../../src/domain/tracked';
import type { CoreDeps } from '../../src/domain/usecases/deps';
import { recordDecision } from '../../src/domain/usecases/decide';
import { pollOnce } from '../../src/domain/usecases/poll';
import { submitDecision } from '../../src/domain/usecases/submit';
import { releaseApproval, withdrawAttempt } from '../../src/domain/usecases/withdraw';
import { coreWithFakes, TENANT } from '../support/core';
import { pendingRequest } from '../support/fakes';
import { HeldWrites } from '../support/held-writes';
import { waitUntil } from '../support/wait';

const alex: Actor = { aadObjectId: 'alex', tenantId: TENANT, name: 'Alex' };
const megan: Actor = { aadObjectId: 'megan', tenantId: TENANT, name: 'Megan' };
const HOLD_MS = 15_000;
const ANSWERED_MS = 5000;

describe('a decision its clicker was told was not made is never sent (SQLite, writes held in flight)', () => {
  let core: ReturnType<typeof coreWithFakes>;
  let held: HeldWrites;
  let deps: CoreDeps;
  const key = requestKey(pendingRequest());
  const click = (attemptId: string, actor = alex, verdict: 'approve' | 'reject' = 'approve') =>
    recordDecision(deps, { requestKey: key, verdict, comment: 'case 7', actor, hold: { attemptId, ms: HOLD_MS, answeredMs: ANSWERED_MS } });
  const stored = async () => (await core.store.getRequest(key))!.value;
  /** The leader's cycles from now until long after any hold: what it would ever send. */
  const leaderForAWhile = async () => {
    for (const step of [0, HOLD_MS + 1000, 10 * 60_000]) {
      core.clock.advance(step);
      await pollOnce(deps);
    }
  };
  const withdrawals = async () => (await core.store.listAudit({ requestKey: key, kinds: ['decision.withdrawn'], limit: 10 })).map((a) => a.detail.reason);

  beforeEach(async () => {
    core = coreWithFakes();
    core.directory.approvers = new Set(['alex', 'megan']);
    core.source.add(pendingRequest());
    await core.store.insertRequest(track(pendingRequest(), core.clock.now()));
    held = new HeldWrites(core.store);
    deps = { ...core.deps, store: held.store };
  });

  it('when the withdrawal lands before the late write, the write fails against it: nothing is recorded or ever sent', async () => {
    held.hold();
    const recording = click('attempt-1');
    await waitUntil(() => held.inFlight === 1);
    const withdrawing = withdrawAttempt(deps, key, 'attempt-1', 'store-too-slow');
    await waitUntil(() => held.inFlight === 2);
    held.land([1, 0]);

    assert.equal(await withdrawing, true);
    await assert.rejects(recording, StoreUnavailable);
    assert.equal((await stored()).decision, undefined);
    assert.deepEqual((await stored()).withdrawnAttempts, ['attempt-1']);
    await leaderForAWhile();
    assert.deepEqual(core.source.submissions, []);
  });

  it('when the late write lands before the withdrawal, the withdrawal removes it and audits why: it is never sent', async () => {
    held.hold();
    const recording = click('attempt-1');
    await waitUntil(() => held.inFlight === 1);
    const withdrawing = withdrawAttempt(deps, key, 'attempt-1', 'store-too-slow');
    await waitUntil(() => held.inFlight === 2);
    held.land([0, 1]);

    assert.equal((await recording).decision?.submission.heldBy, 'attempt-1', 'the late write did land');
    assert.equal(await withdrawing, true);
    assert.equal((await stored()).decision, undefined);
    assert.equal((await stored()).cardsStale, true, 'the cards that showed it are corrected');
    assert.deepEqual(await withdrawals(), ['store-too-slow']);
    await leaderForAWhile();
    assert.deepEqual(core.source.submissions, []);
  });

  it('when the process that answered died before withdrawing it, nobody sends it, and the leader withdraws it once its hold runs out', async () => {
    await click('attempt-1');
    await pollOnce(deps);
    assert.deepEqual(core.source.submissions, [], 'held for its click, which never released it');
    assert.equal((await stored()).decision?.submission.heldBy, 'attempt-1');

    await leaderForAWhile();
    assert.deepEqual(core.source.submissions, []);
    assert.equal((await stored()).decision, undefined);
    assert.deepEqual((await stored()).withdrawnAttempts, ['attempt-1']);
    assert.deepEqual(await withdrawals(), ['never-released']);
  });

  it('when the store stays frozen far longer than the hold and the process is gone, the write that finally lands is still never sent', async () => {
    held.hold();
    const recording = click('attempt-1');
    await waitUntil(() => held.inFlight === 1);
    core.clock.advance(10 * 60_000);
    held.land();
    assert.equal((await recording).decision?.submission.heldBy, 'attempt-1', 'the late write did land');

    await leaderForAWhile();
    assert.deepEqual(core.source.submissions, []);
    assert.equal((await stored()).decision, undefined);
    assert.deepEqual(await withdrawals(), ['never-released']);
  });

  it('a click whose write was confirmed in time releases it, and only then is it sent, once', async () => {
    await click('attempt-1');
    await pollOnce(deps);
    assert.deepEqual(core.source.submissions, [], 'not before its click releases it');

    await submitDecision(deps, key, { releasedBy: 'attempt-1' });
    await leaderForAWhile();
    assert.equal(core.source.submissions.length, 1);
    assert.equal((await stored()).decision?.submission.state, 'submitted');
    assert.deepEqual(await withdrawals(), []);
  });

  it('only the click that recorded a decision can release it', async () => {
    await click('attempt-1');
    await submitDecision(deps, key, { releasedBy: 'attempt-2' });
    await submitDecision(deps, key);
    assert.deepEqual(core.source.submissions, []);
  });

  it('the releasing click tries again when someone else wrote the request between its read and its write', async () => {
    await click('attempt-1');
    held.hold();
    const releasing = submitDecision(deps, key, { releasedBy: 'attempt-1' });
    await waitUntil(() => held.inFlight === 1);
    const current = await core.store.getRequest(key);
    await core.store.replaceRequest({ ...current!.value, updatedAt: core.clock.now().toISOString() }, current!.etag);
    held.land();

    assert.equal((await releasing)?.decision?.submission.state, 'submitted');
    assert.equal(core.source.submissions.length, 1);
  });

  it('a decision nobody released stands in no one\'s way once its hold ran out: the next click replaces it, and the old click can no longer send it', async () => {
    await click('attempt-1');
    await assert.rejects(click('attempt-2', megan, 'reject'), AlreadyDecided, 'within its hold its click may still release it');

    core.clock.advance(HOLD_MS + 1000);
    const replaced = await click('attempt-3', megan, 'reject');
    assert.equal(replaced.decision?.actor.aadObjectId, 'megan');
    assert.deepEqual(await withdrawals(), ['superseded']);
    await submitDecision(deps, key, { releasedBy: 'attempt-1' });
    assert.equal(core.source.submissions.length, 0, 'the first click, released late, finds its decision gone');

    await submitDecision(deps, key, { releasedBy: 'attempt-3' });
    assert.deepEqual(core.source.submissions.map((s) => s.verdict), ['reject']);
  });

  it('the person told nothing was decided who clicks again is not told they decided: once their first click has answered, the new click replaces the late write', async () => {
    await click('attempt-1');
    await assert.rejects(click('attempt-2', alex, 'reject'), AlreadyDecided, 'while the first click may still be answering, a second is told it changed nothing');
    core.clock.advance(ANSWERED_MS);
    await assert.rejects(click('attempt-3', megan, 'reject'), AlreadyDecided, 'someone else waits for the hold');

    const again = await click('attempt-4', alex, 'reject');
    assert.equal(again.decision?.verdict, 'reject');
    assert.deepEqual(await withdrawals(), ['superseded']);
    await submitDecision(deps, key, { releasedBy: 'attempt-4' });
    assert.deepEqual(core.source.submissions.map((s) => s.verdict), ['reject']);
  });

  describe('under dual control', () => {
    beforeEach(() => {
      deps = { ...deps, requireTwoApprovers: true };
    });

    it('a first approval whose write landed after its clicker was told nothing was decided never counts towards a decision, and the leader withdraws it', async () => {
      held.hold();
      const recording = click('attempt-1');
      await waitUntil(() => held.inFlight === 1);
      held.land();
      assert.equal((await recording).firstApproval?.heldBy, 'attempt-1', 'the late write did land');

      await assert.rejects(click('attempt-2', megan), ConcurrentUpdate, 'not while its own click might still release it');
      core.clock.advance(HOLD_MS + 1000);
      await pollOnce(deps);
      assert.equal((await stored()).firstApproval, undefined);
      assert.deepEqual(await withdrawals(), ['never-released']);

      const second = await click('attempt-3', megan);
      assert.equal(second.decision, undefined, "Megan's approval is the first one now, not the second");
      assert.equal(second.firstApproval?.actor.aadObjectId, 'megan');
      await leaderForAWhile();
      assert.deepEqual(core.source.submissions, []);
    });

    it('a first approval nobody released gives way to the next approver once its hold ran out, without the leader', async () => {
      await click('attempt-1');
      core.clock.advance(HOLD_MS + 1000);
      const next = await click('attempt-2', megan);
      assert.equal(next.firstApproval?.actor.aadObjectId, 'megan');
      assert.equal(next.decision, undefined);
      assert.deepEqual(await withdrawals(), ['superseded']);
    });

    it('the approver told nothing was decided who approves again is not told to wait for a second approver: their new approval replaces the late one', async () => {
      await click('attempt-1');
      core.clock.advance(ANSWERED_MS);
      const again = await click('attempt-2');
      assert.equal(again.firstApproval?.heldBy, 'attempt-2');
      assert.deepEqual(await withdrawals(), ['superseded']);
    });

    it('a first approval its click released counts: the second approver\'s decision names both and is sent once', async () => {
      await click('attempt-1');
      await releaseApproval(deps, key, 'attempt-1');
      const decided = await click('attempt-2', megan);
      assert.equal(decided.decision?.firstApproval?.actor.aadObjectId, 'alex');
      await submitDecision(deps, key, { releasedBy: 'attempt-2' });
      assert.equal(core.source.submissions.length, 1);
    });
  });
});
