import assert from 'node:assert/strict';
import { UpstreamError } from '../../src/domain/errors';
import { pageAwaitsResolve, severityFor, type Pager, type Severity } from '../../src/domain/paging';
import { requestKey } from '../../src/domain/request';
import { isOpen, track, type TrackedRequest } from '../../src/domain/tracked';
import { recordDecision } from '../../src/domain/usecases/decide';
import { pageOnCall } from '../../src/domain/usecases/page';
import { coreWithFakes, TENANT } from '../support/core';
import { pendingRequest } from '../support/fakes';

const HOUR = 3_600_000;

class RecordingPager implements Pager {
  events: string[] = [];
  failures: Error[] = [];
  async trigger(_tracked: TrackedRequest, severity: Severity): Promise<void> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.events.push(`trigger ${severity}`);
  }
  async resolve(): Promise<void> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.events.push('resolve');
  }
}

describe('paging the on-call rotation', () => {
  const request = pendingRequest({ createdAt: '2026-11-28T09:00:00.000Z', expiresAt: '2026-12-02T09:00:00.000Z' });
  const key = requestKey(request);
  let core: ReturnType<typeof coreWithFakes>;
  let pager: RecordingPager;

  beforeEach(async () => {
    core = coreWithFakes();
    pager = new RecordingPager();
    core.deps.pager = pager;
    core.directory.approvers = new Set(['alex']);
    await core.store.insertRequest(track(request, core.clock.now()));
  });

  it('rates a request warning, error from half its life, critical in its last fifth or hour', () => {
    const m365 = { createdAt: '2026-11-28T00:00:00Z', expiresAt: '2026-11-28T12:00:00Z' };
    const at = (iso: string) => severityFor(m365, new Date(iso));
    assert.deepEqual([at('2026-11-28T01:00:00Z'), at('2026-11-28T06:30:00Z'), at('2026-11-28T10:00:00Z'), at('2026-11-28T11:30:00Z')], ['warning', 'error', 'critical', 'critical']);
  });

  it('triggers once however many instances race, and raises the severity once per step', async () => {
    await Promise.all(Array.from({ length: 10 }, () => pageOnCall(core.deps, key)));
    core.clock.advance(50 * HOUR);
    await Promise.all(Array.from({ length: 10 }, () => pageOnCall(core.deps, key)));
    await pageOnCall(core.deps, key);
    assert.deepEqual(pager.events, ['trigger warning', 'trigger error']);
  });

  it('keeps a decided request watched while its alert awaits the resolve', () => {
    const decided = { ...track({ ...request, status: 'Denied' }, core.clock.now()), notifications: { 'page/warning': { state: 'sent' as const, at: '2026-11-28T09:00:00.000Z' } } };
    assert.equal(isOpen(decided), true);
    assert.equal(isOpen({ ...decided, notifications: { ...decided.notifications, 'page/resolve': { state: 'sent' as const, at: '2026-11-28T10:00:00.000Z' } } }), false);
  });

  it('resolves once after a decision, trying again after a failure', async () => {
    await pageOnCall(core.deps, key);
    await recordDecision(core.deps, { requestKey: key, verdict: 'approve', comment: '', actor: { aadObjectId: 'alex', tenantId: TENANT } });
    assert.equal(pageAwaitsResolve((await core.store.getRequest(key))!.value), true, 'the request stays open until the alert is resolved');
    pager.failures.push(new UpstreamError('PagerDuty answered HTTP 503', true, 503));
    await pageOnCall(core.deps, key);
    await pageOnCall(core.deps, key);
    await pageOnCall(core.deps, key);
    assert.deepEqual(pager.events, ['trigger warning', 'resolve']);
    assert.equal(pageAwaitsResolve((await core.store.getRequest(key))!.value), false);
  });

  it('does not send again an event PagerDuty refused', async () => {
    pager.failures.push(new UpstreamError('PagerDuty answered HTTP 400: Event object is invalid', false, 400));
    await pageOnCall(core.deps, key);
    await pageOnCall(core.deps, key);
    assert.deepEqual(pager.events, []);
  });

  it('stops waiting for a resolve once paging is turned off', async () => {
    await pageOnCall(core.deps, key);
    core.clock.advance(5 * 24 * HOUR);
    delete core.deps.pager;
    await pageOnCall(core.deps, key);
    const stored = (await core.store.getRequest(key))!.value;
    assert.equal(stored.notifications?.['page/resolve']?.state, 'skipped');
  });
});
