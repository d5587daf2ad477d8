import assert from 'node:assert/strict';
import type { Actor } from '../../src/domain/decision';
import { AlreadySwitched, ConfirmationInvalid, DirectoryUnavailable, NotAnAdmin, SourceNotConfigured, UpstreamError } from '../../src/domain/errors';
import { cancelSwitch, CONFIRMATION_TTL_MS, confirmSwitch, requestSwitch } from '../../src/domain/usecases/switch-lockbox';
import { coreWithFakes, TENANT } from '../support/core';

const megan: Actor = { aadObjectId: 'megan', tenantId: TENANT, name: 'Megan' };
const alex: Actor = { aadObjectId: 'alex', tenantId: TENANT, name: 'Alex' };

describe('turning Customer Lockbox on or off', () => {
  let core: ReturnType<typeof coreWithFakes>;
  beforeEach(() => {
    core = coreWithFakes();
    core.directory.admins.add('megan');
  });

  it('asks for confirmation first, then switches upstream and audits who did it', async () => {
    const confirmation = await requestSwitch(core.deps, { actor: megan, action: 'disable', source: 'azure' }, 'c1');
    assert.equal(core.source.enabled, true, 'nothing changes before the confirmation');
    await confirmSwitch(core.deps, megan, confirmation.id);
    assert.equal(core.source.enabled, false);
    const [entry] = await core.store.listAudit({ kinds: ['admin.lockbox-switched'], limit: 1 });
    assert.equal(entry?.actor?.aadObjectId, 'megan');
    assert.deepEqual(entry?.detail, { action: 'disable', source: 'azure' });
  });

  it('says when Customer Lockbox is already as asked, and asks nothing', async () => {
    await assert.rejects(requestSwitch(core.deps, { actor: megan, action: 'enable', source: 'azure' }, 'c1'), AlreadySwitched);
    core.source.enabled = false;
    await assert.rejects(requestSwitch(core.deps, { actor: megan, action: 'disable', source: 'azure' }, 'c2'), AlreadySwitched);
    assert.equal(await core.store.takeConfirmation('c1'), undefined);
    assert.equal(await core.store.takeConfirmation('c2'), undefined);
  });

  it('asks anyway when upstream cannot say whether it is on', async () => {
    core.source.isEnabled = async () => {
      throw new Error('HTTP 503');
    };
    const confirmation = await requestSwitch(core.deps, { actor: megan, action: 'enable', source: 'azure' }, 'c1');
    assert.equal(confirmation.action, 'enable');
  });

  it('refuses someone without the role, naming the role, and audits the refusal', async () => {
    const error = await requestSwitch(core.deps, { actor: alex, action: 'disable', source: 'azure' }, 'c1').catch((e) => e);
    assert.ok(error instanceof NotAnAdmin);
    assert.deepEqual(error.requiredRoles, ['Global Administrator']);
    assert.equal((await core.store.listAudit({ kinds: ['admin.refused'], limit: 1 })).length, 1);
  });

  it('checks the role again when confirming', async () => {
    await requestSwitch(core.deps, { actor: megan, action: 'disable', source: 'azure' }, 'c1');
    core.directory.admins.delete('megan');
    await assert.rejects(confirmSwitch(core.deps, megan, 'c1'), NotAnAdmin);
    assert.equal(core.source.enabled, true);
  });

  it('fails closed when the directory cannot answer', async () => {
    core.directory.down = true;
    await assert.rejects(requestSwitch(core.deps, { actor: megan, action: 'enable', source: 'azure' }, 'c1'), DirectoryUnavailable);
  });

  it('lets only the person who asked confirm, and keeps it valid for them', async () => {
    await requestSwitch(core.deps, { actor: megan, action: 'disable', source: 'azure' }, 'c1');
    core.directory.admins.add('alex');
    const error = await confirmSwitch(core.deps, alex, 'c1').catch((e) => e);
    assert.ok(error instanceof ConfirmationInvalid && error.reason === 'someone-else');
    await confirmSwitch(core.deps, megan, 'c1');
    assert.equal(core.source.enabled, false);
  });

  it('refuses a confirmation after it expired, or a second time', async () => {
    await requestSwitch(core.deps, { actor: megan, action: 'disable', source: 'azure' }, 'late');
    core.clock.advance(CONFIRMATION_TTL_MS);
    await assert.rejects(confirmSwitch(core.deps, megan, 'late'), ConfirmationInvalid);
    await requestSwitch(core.deps, { actor: megan, action: 'disable', source: 'azure' }, 'once');
    await confirmSwitch(core.deps, megan, 'once');
    await assert.rejects(confirmSwitch(core.deps, megan, 'once'), ConfirmationInvalid);
  });

  it('cancels a confirmation so it can no longer be used', async () => {
    await requestSwitch(core.deps, { actor: megan, action: 'disable', source: 'azure' }, 'c1');
    await cancelSwitch(core.deps, megan, 'c1');
    await assert.rejects(confirmSwitch(core.deps, megan, 'c1'), ConfirmationInvalid);
  });

  it('reports an upstream failure and audits it, changing nothing', async () => {
    await requestSwitch(core.deps, { actor: megan, action: 'disable', source: 'azure' }, 'c1');
    core.source.setEnabled = async () => {
      throw new UpstreamError('HTTP 500 from ARM', true, 500);
    };
    await assert.rejects(confirmSwitch(core.deps, megan, 'c1'), UpstreamError);
    assert.equal((await core.store.listAudit({ kinds: ['admin.failed'], limit: 1 })).length, 1);
  });

  it('says so when the product is not watched by this bot', async () => {
    await assert.rejects(requestSwitch(core.deps, { actor: megan, action: 'enable', source: 'm365' }, 'c1'), SourceNotConfigured);
  });
});
