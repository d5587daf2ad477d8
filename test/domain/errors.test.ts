import { strict as assert } from 'node:assert';
import { AlreadyDecided, LockboxError, NotAnApprover, StoreUnavailable } from '../../src/domain/errors';
import type { Decision } from '../../src/domain/decision';

const decision: Decision = {
  verdict: 'approve',
  actor: { aadObjectId: '00000000-0000-4000-8000-000000000020', tenantId: 't', name: 'Alex Wilber' },
  comment: '',
  decidedAt: '2026-11-30T10:00:00.000Z',
  roles: [],
  submission: { state: 'submitted', attempts: 1 },
};

const frames = (error: Error) => (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line)).length;

describe('typed errors', () => {
  it('an expected answer to a person (already decided, not an approver) is a typed error without a captured stack', () => {
    const already = new AlreadyDecided(decision);
    assert.ok(already instanceof LockboxError);
    assert.equal(already.code, 'REQUEST.ALREADY_DECIDED');
    assert.equal(already.message, 'Already approved by Alex Wilber.');
    assert.equal(frames(already), 0);
    assert.equal(frames(new NotAnApprover(['Owner'], 'no-role')), 0);
  });

  it('a fault keeps its stack, and the stack limit is left as it was', () => {
    const limit = Error.stackTraceLimit;
    new AlreadyDecided(decision);
    assert.equal(Error.stackTraceLimit, limit);
    assert.ok(frames(new StoreUnavailable('getRequest', 'timeout')) > 0);
    assert.ok(frames(new Error('plain')) > 0);
  });
});
