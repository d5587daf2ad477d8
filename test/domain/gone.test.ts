import assert from 'node:assert/strict';
import type { Actor } from '../../src/domain/decision';
import { RequestClosed } from '../../src/domain/errors';
import type { Logger } from '../../src/domain/ports';
import { requestKey } from '../../src/domain/request';
import { isActionable } from '../../src/domain/tracked';
import { recordDecision } from '../../src/domain/usecases/decide';
import { GONE_AFTER_CHECKS } from '../../src/domain/usecases/gone';
import { requestView } from '../../src/teams/cards/request-view';
import { pollAndDeliver as pollOnce, coreWithFakes, TENANT } from '../support/core';
import { conversationOf, pendingRequest } from '../support/fakes';

const alex: Actor = { aadObjectId: 'alex', tenantId: TENANT, name: 'Alex' };

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const ignore = (): void => undefined;
  return { warnings, debug: ignore, info: ignore, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) };
}

describe('a request upstream stops knowing', () => {
  let core: ReturnType<typeof coreWithFakes>;
  let logger: ReturnType<typeof recordingLogger>;
  const request = pendingRequest();
  const key = requestKey(request);
  const polls = async (n: number) => {
    for (let i = 0; i < n; i++) await pollOnce(core.deps);
  };

  beforeEach(async () => {
    core = coreWithFakes();
    logger = recordingLogger();
    core.deps.logger = logger;
    core.directory.approvers = new Set(['alex', 'megan']);
    await core.store.saveConversation(conversationOf('alex'));
    await core.store.saveConversation(conversationOf('megan'));
    core.source.add(request);
    await pollOnce(core.deps);
    assert.equal(core.messenger.posts.length, 2);
  });

  it(`stays as it was for ${GONE_AFTER_CHECKS - 1} "not found" answers in a row, quietly`, async () => {
    core.source.requests.delete(request.requestId);
    await polls(GONE_AFTER_CHECKS - 1);
    const stored = (await core.store.getRequest(key))!.value;
    assert.equal(stored.goneAt, undefined);
    assert.ok(isActionable(stored, core.clock.now()));
    assert.deepEqual(core.messenger.updates, []);
    assert.deepEqual(logger.warnings, []);
  });

  it('is closed as gone after that: every copy of its card says so without buttons, audited, warned about once', async () => {
    core.source.requests.delete(request.requestId);
    await polls(GONE_AFTER_CHECKS + 5);
    const stored = (await core.store.getRequest(key))!.value;
    assert.ok(stored.goneAt);
    assert.equal(isActionable(stored, core.clock.now()), false);
    assert.deepEqual(core.messenger.updates.map((u) => u.userId).sort(), ['alex', 'megan'], 'each copy updated once');
    for (const update of core.messenger.updates) {
      const view = requestView(update.state, core.clock.now());
      assert.equal(view.actionable, false, 'no buttons');
      assert.match(view.headline, /^\*\*Gone: Microsoft stopped knowing this request/);
    }
    assert.deepEqual(logger.warnings, ['A lockbox request is no longer known upstream; closed as gone']);
    const audit = (await core.store.listAudit({ requestKey: key, limit: 10 })).filter((a) => a.kind === 'request.gone');
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.detail.checks, GONE_AFTER_CHECKS);
    assert.deepEqual(await core.store.listOpenRequests(), [], 'no longer followed, counted or offered by /lockbox pending');
  });

  it('starts counting again when upstream knows it again in between', async () => {
    core.source.requests.delete(request.requestId);
    await polls(GONE_AFTER_CHECKS - 1);
    core.source.add(request);
    await polls(1);
    assert.equal((await core.store.getRequest(key))!.value.missing, undefined);
    core.source.requests.delete(request.requestId);
    await polls(GONE_AFTER_CHECKS - 1);
    assert.equal((await core.store.getRequest(key))!.value.goneAt, undefined);
  });

  it('cannot be decided once gone', async () => {
    core.source.requests.delete(request.requestId);
    await polls(GONE_AFTER_CHECKS);
    const error = await recordDecision(core.deps, { requestKey: key, verdict: 'approve', comment: '', actor: alex }).catch((e) => e);
    assert.ok(error instanceof RequestClosed);
    assert.equal(error.status, 'gone');
    assert.deepEqual(core.source.submissions, []);
  });

  it('is not concluded gone while its source cannot be listed', async () => {
    core.source.requests.delete(request.requestId);
    core.source.listError = new Error('HTTP 503 from ARM');
    await polls(GONE_AFTER_CHECKS + 1);
    assert.equal((await core.store.getRequest(key))!.value.missing, undefined);
  });
});
