import assert from 'node:assert/strict';
import type { Actor } from '../../src/domain/decision';
import { AlreadyDecided, DirectoryUnavailable, NotAnApprover, RequestClosed, RequestNotFound, SecondApproverNeeded } from '../../src/domain/errors';
import { requestKey } from '../../src/domain/request';
import { track } from '../../src/domain/tracked';
import { recordDecision } from '../../src/domain/usecases/decide';
import { coreWithFakes, TENANT } from '../support/core';
import { pendingRequest } from '../support/fakes';

const alex: Actor = { aadObjectId: 'alex', tenantId: TENANT, name: 'Alex' };
const megan: Actor = { aadObjectId: 'megan', tenantId: TENANT, name: 'Megan' };

describe('recording a decision', () => {
  let core: ReturnType<typeof coreWithFakes>;
  const key = requestKey(pendingRequest());

  beforeEach(async () => {
    core = coreWithFakes();
    core.directory.approvers = new Set(['alex', 'megan']);
    await core.store.insertRequest(track(pendingRequest(), core.clock.now()));
  });

  it('records who decided what, when and why, with the roles that allowed it, and audits it', async () => {
    const tracked = await recordDecision(core.deps, { requestKey: key, verdict: 'approve', comment: 'case 123', actor: alex });
    assert.equal(tracked.decision?.verdict, 'approve');
    assert.equal(tracked.decision?.actor.aadObjectId, 'alex');
    assert.equal(tracked.decision?.comment, 'case 123');
    assert.equal(tracked.decision?.decidedAt, core.clock.now().toISOString());
    assert.deepEqual(tracked.decision?.roles, ['Global Administrator']);
    assert.equal(tracked.decision?.submission.state, 'pending');
    assert.deepEqual((await core.store.getRequest(key))?.value, tracked);
    const [audit] = await core.store.listAudit({ limit: 1 });
    assert.equal(audit?.kind, 'decision.recorded');
    assert.equal(audit?.actor?.aadObjectId, 'alex');
  });

  const refusals: [string, () => void, Actor, new (...args: never[]) => Error, string][] = [
    ['a person without an approver role', () => core.directory.approvers.delete('alex'), alex, NotAnApprover, 'no-role'],
    ['a person from another tenant', () => undefined, { ...alex, tenantId: 'elsewhere' }, NotAnApprover, 'wrong-tenant'],
    ['anyone while the directory cannot answer (fail closed)', () => (core.directory.down = true), alex, DirectoryUnavailable, 'directory-unavailable'],
  ];
  for (const [who, arrange, actor, errorType, reason] of refusals) {
    it(`refuses ${who}, audits the refusal, and records nothing`, async () => {
      arrange();
      await assert.rejects(recordDecision(core.deps, { requestKey: key, verdict: 'approve', comment: '', actor }), errorType);
      assert.equal((await core.store.getRequest(key))?.value.decision, undefined);
      const [audit] = await core.store.listAudit({ limit: 1 });
      assert.equal(audit?.kind, 'decision.refused');
      assert.equal(audit?.detail.reason, reason);
    });
  }

  it('checks the role on every click, never remembering an earlier yes', async () => {
    const second = pendingRequest({ requestId: 'b1f2c3d4-0000-4000-8000-000000000002' });
    await core.store.insertRequest(track(second, core.clock.now()));
    await recordDecision(core.deps, { requestKey: key, verdict: 'approve', comment: '', actor: alex });
    core.directory.approvers.delete('alex');
    await assert.rejects(recordDecision(core.deps, { requestKey: requestKey(second), verdict: 'approve', comment: '', actor: alex }), NotAnApprover);
    assert.equal(core.directory.checks, 2);
  });

  it('refuses a request the bot does not know', async () => {
    await assert.rejects(recordDecision(core.deps, { requestKey: 'azure:sub-1:unknown', verdict: 'approve', comment: '', actor: alex }), RequestNotFound);
  });

  it('says who decided first when the request is already decided', async () => {
    await recordDecision(core.deps, { requestKey: key, verdict: 'reject', comment: '', actor: megan });
    const error = await recordDecision(core.deps, { requestKey: key, verdict: 'approve', comment: '', actor: alex }).catch((e) => e);
    assert.ok(error instanceof AlreadyDecided);
    assert.equal(error.decision.actor.name, 'Megan');
    assert.equal(error.decision.verdict, 'reject');
    // The answer card is drawn from this, not from a second read of the store (bench:clicks: 150 of 200 clicks).
    const stored = await core.store.getRequest(key);
    assert.deepEqual(error.tracked, stored?.value);
  });

  it('refuses an expired request, even before upstream has noticed', async () => {
    core.clock.advance(5 * 24 * 3600_000);
    await assert.rejects(recordDecision(core.deps, { requestKey: key, verdict: 'approve', comment: '', actor: alex }), RequestClosed);
  });

  it('lets exactly one of 50 simultaneous clicks decide', async () => {
    const clicks = Array.from({ length: 50 }, (_, i) =>
      recordDecision(core.deps, { requestKey: key, verdict: i % 2 ? 'approve' : 'reject', comment: '', actor: i % 3 ? alex : megan }).then(() => 'won', (e) => e),
    );
    const results = await Promise.all(clicks);
    assert.equal(results.filter((r) => r === 'won').length, 1);
    assert.ok(results.filter((r) => r !== 'won').every((e) => e instanceof AlreadyDecided));
    const audit = await core.store.listAudit({ limit: 100 });
    assert.equal(audit.filter((a) => a.kind === 'decision.recorded').length, 1);
  });
});

describe('dual control', () => {
  let core: ReturnType<typeof coreWithFakes>;
  const key = requestKey(pendingRequest());
  const isaiah: Actor = { aadObjectId: 'isaiah', tenantId: TENANT, name: 'Isaiah' };

  beforeEach(async () => {
    core = coreWithFakes();
    core.deps.requireTwoApprovers = true;
    core.directory.approvers = new Set(['alex', 'megan', 'isaiah']);
    await core.store.insertRequest(track(pendingRequest(), core.clock.now()));
  });

  it('records the first approval without deciding, and decides on the second approver\'s', async () => {
    const first = await recordDecision(core.deps, { requestKey: key, verdict: 'approve', comment: 'ok by me', actor: alex });
    assert.equal(first.decision, undefined);
    assert.equal(first.firstApproval?.actor.aadObjectId, 'alex');
    const second = await recordDecision(core.deps, { requestKey: key, verdict: 'approve', comment: 'and me', actor: megan });
    assert.equal(second.decision?.verdict, 'approve');
    assert.equal(second.decision?.actor.aadObjectId, 'megan');
    assert.equal(second.decision?.firstApproval?.actor.aadObjectId, 'alex');
    const kinds = (await core.store.listAudit({ requestKey: key, limit: 10 })).map((a) => a.kind);
    assert.deepEqual(kinds, ['decision.recorded', 'decision.first-approval']);
  });

  it('needs two different people: the first approver approving again decides nothing', async () => {
    await recordDecision(core.deps, { requestKey: key, verdict: 'approve', comment: '', actor: alex });
    await assert.rejects(recordDecision(core.deps, { requestKey: key, verdict: 'approve', comment: '', actor: alex }), SecondApproverNeeded);
    assert.equal((await core.store.getRequest(key))?.value.decision, undefined);
  });

  it('ends the request with a single rejection, before or after a first approval', async () => {
    await recordDecision(core.deps, { requestKey: key, verdict: 'approve', comment: '', actor: alex });
    const rejected = await recordDecision(core.deps, { requestKey: key, verdict: 'reject', comment: 'no', actor: isaiah });
    assert.equal(rejected.decision?.verdict, 'reject');
    assert.equal(rejected.decision?.firstApproval, undefined);
  });

  it('does not count a first approval whose approver has since lost the role: the next approval becomes the first', async () => {
    await recordDecision(core.deps, { requestKey: key, verdict: 'approve', comment: '', actor: alex });
    core.directory.approvers.delete('alex');
    const after = await recordDecision(core.deps, { requestKey: key, verdict: 'approve', comment: '', actor: megan });
    assert.equal(after.decision, undefined, 'one current approver is not two');
    assert.equal(after.firstApproval?.actor.aadObjectId, 'megan');
    const final = await recordDecision(core.deps, { requestKey: key, verdict: 'approve', comment: '', actor: isaiah });
    assert.equal(final.decision?.firstApproval?.actor.aadObjectId, 'megan');
  });

  it('lets only one of many simultaneous second approvals decide', async () => {
    await recordDecision(core.deps, { requestKey: key, verdict: 'approve', comment: '', actor: alex });
    const results = await Promise.all([megan, isaiah, megan, isaiah].map((actor) => recordDecision(core.deps, { requestKey: key, verdict: 'approve', comment: '', actor }).then(() => 'won', (e) => e)));
    assert.equal(results.filter((r) => r === 'won').length, 1);
  });
});
