import assert from 'node:assert/strict';
import { cardAction, installUpdate, message, type TeamsUser } from '../support/activities';
import { injectFault } from '../support/clients';
import { cardOf } from '../support/fake-connector';
import { startHarness, TENANT_ID, USERS, type Harness } from '../support/harness';

/** A /lockbox enable|disable confirmation is used up only when the switch is authorised and attempted. */
describe('confirming /lockbox enable and disable', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness({ env: { LOCKBOX_SOURCES: 'azure' } });
    for (const user of [USERS.alex, USERS.megan]) await h.post(installUpdate(h.connector.url, TENANT_ID, user));
  });
  afterEach(() => h.close());

  const confirmationFor = async (user: TeamsUser, text: string) => {
    const before = h.connector.calls.length;
    await h.post(message(h.connector.url, TENANT_ID, user, text));
    const card = h.connector.calls.slice(before).map((c) => c.body).filter((b) => Array.isArray(b.attachments)).map((b) => cardOf(b))[0] as { actions: { verb: string; data: { confirmationId: string } }[] };
    return card.actions.find((a) => a.verb === 'lockbox.switch.confirm')!.data;
  };
  const confirm = (user: TeamsUser, data: unknown) => h.post(cardAction(h.connector.url, TENANT_ID, user, 'lockbox.switch.confirm', data));

  it('keeps the confirmation usable when the directory cannot answer at confirm time', async () => {
    const confirmation = await confirmationFor(USERS.megan, '/lockbox disable');
    await injectFault(h.simulator.url, { path: 'roleAssignmentScheduleInstances', status: 503, times: 100 });
    const failed = await confirm(USERS.megan, confirmation);
    assert.match(JSON.stringify(failed.body.value), /Can't verify your role/);
    assert.equal(h.simulator.tenant.isLockboxEnabled(), true);
    await fetch(`${h.simulator.url}/_simulator/faults`, { method: 'DELETE' });

    const retried = await confirm(USERS.megan, confirmation);
    assert.match(JSON.stringify(retried.body.value), /Customer Lockbox is off/);
    assert.equal(h.simulator.tenant.isLockboxEnabled(), false);
  });

  it('audits someone else\'s attempt to confirm or cancel, and keeps the confirmation for its owner', async () => {
    const confirmation = await confirmationFor(USERS.megan, '/lockbox disable');
    await confirm(USERS.alex, confirmation);
    await h.post(cardAction(h.connector.url, TENANT_ID, USERS.alex, 'lockbox.switch.cancel', confirmation));
    const attempts = (await h.audit()).filter((a) => a.kind === 'admin.refused' && a.actor?.aadObjectId === USERS.alex.aadObjectId);
    assert.deepEqual(attempts.map((a) => [a.detail.reason, a.detail.step]).sort(), [['someone-else', 'cancel'], ['someone-else', 'confirm']]);
    assert.equal(h.simulator.tenant.isLockboxEnabled(), true);
    await confirm(USERS.megan, confirmation);
    assert.equal(h.simulator.tenant.isLockboxEnabled(), false);
  });

  it('uses the confirmation up once the switch was attempted, even when Microsoft failed it', async () => {
    const confirmation = await confirmationFor(USERS.megan, '/lockbox disable');
    await injectFault(h.simulator.url, { path: 'disableLockbox', status: 500, times: 1 });
    await confirm(USERS.megan, confirmation);
    const again = await confirm(USERS.megan, confirmation);
    assert.match(JSON.stringify(again.body.value), /expired or was already used/);
  });
});
