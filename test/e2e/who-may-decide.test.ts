import assert from 'node:assert/strict';
import { cardAction, installUpdate, message, type TeamsUser } from '../support/activities';
import { cardOf } from '../support/fake-connector';
import { startHarness, SUBSCRIPTION_ID, TENANT_ID, USERS, type Harness } from '../support/harness';
import { AZURE_ROLES, DIRECTORY_ROLES } from '../../src/domain/roles';
import { DEFAULT_GROUPS } from '../../src/simulator';

/** Microsoft's approver rule, over HTTP against the simulated tenant, with the role cache on (its default). */
describe('who may decide: exactly Microsoft\'s rule, checked live', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness({ env: { LOCKBOX_SOURCES: 'azure', ROLE_CACHE_SECONDS: '60' } });
    for (const user of [USERS.alex, USERS.megan, USERS.adele]) await h.post(installUpdate(h.connector.url, TENANT_ID, user));
  });
  afterEach(() => h.close());

  const click = (user: TeamsUser, requestKey: string) => h.post(cardAction(h.connector.url, TENANT_ID, user, 'lockbox.approve', { requestKey }));
  const say = (user: TeamsUser, text: string) => h.post(message(h.connector.url, TENANT_ID, user, text));
  const newRequest = async () => {
    const record = h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID, justification: 'Reading the disks of vm-payroll for case 4711' });
    await h.bot.watcher.runOnce();
    return { record, key: `azure:${SUBSCRIPTION_ID}:${record.requestId}` };
  };
  const upstreamStatus = (requestId: string) => h.simulator.tenant.getRequest(requestId)!.status;
  const text = (answer: { body: { value: unknown } }) => JSON.stringify(answer.body.value);
  const cardsTo = (user: TeamsUser) => h.connector.postedCards(`a:personal-${user.aadObjectId}`).map((c) => JSON.stringify(cardOf(c.body)));

  it('refuses a Global Administrator without a subscription role on a subscription-scoped request, and gives them no buttons', async () => {
    const { record, key } = await newRequest();
    assert.equal(cardsTo(USERS.megan).some((c) => c.includes('lockbox.approve')), false, 'no card with buttons');
    assert.equal(cardsTo(USERS.alex).filter((c) => c.includes('lockbox.approve')).length, 1, 'the subscription\'s approver gets one');

    const answer = await click(USERS.megan, key);
    assert.match(text(answer), /You need Owner or Azure Customer Lockbox Approver for Subscription on the request's subscription, and you have neither\. Only a role active on the subscription itself counts, not one inherited from a management group/);
    assert.equal(upstreamStatus(record.requestId), 'Pending');
    const [refusal] = await h.audit(key);
    assert.equal(refusal?.kind, 'decision.refused');
    assert.equal(refusal?.detail.reason, 'no-role');
  });

  it('refuses a role assigned after the request was created, and says why', async () => {
    const { record, key } = await newRequest();
    await new Promise((resolve) => setTimeout(resolve, 5));
    h.simulator.tenant.grantAzureRole(SUBSCRIPTION_ID, USERS.adele.aadObjectId, AZURE_ROLES.owner.id);

    const answer = await click(USERS.adele, key);
    assert.match(text(answer), /assigned after this request was created/);
    assert.equal(upstreamStatus(record.requestId), 'Pending');
    const [refusal] = await h.audit(key);
    assert.equal(refusal?.detail.reason, 'assigned-after-request');
    assert.deepEqual(refusal?.detail.lateRoles, [`Owner on subscription ${SUBSCRIPTION_ID}`], 'the audit records the roles the check found');
    await h.bot.watcher.runOnce();
    assert.equal(cardsTo(USERS.adele).some((c) => c.includes('lockbox.approve')), false, 'nor does the late role bring buttons');
  });

  for (const role of [DIRECTORY_ROLES.globalAdministrator, DIRECTORY_ROLES.customerLockboxApprover]) {
    it(`refuses a ${role.name} activated (PIM) after a Microsoft 365 request was created, says why, and gives no buttons`, async () => {
      await h.close();
      h = await startHarness({ env: { LOCKBOX_SOURCES: 'm365', ROLE_CACHE_SECONDS: '60' } });
      await h.post(installUpdate(h.connector.url, TENANT_ID, USERS.adele));
      const record = h.simulator.tenant.createM365Request({});
      await h.bot.watcher.runOnce();
      await new Promise((resolve) => setTimeout(resolve, 5));
      const activated = await fetch(`${h.simulator.url}/_simulator/directory/users/${USERS.adele.aadObjectId}/roles/${role.id}/activation`, { method: 'PUT' });
      assert.equal(activated.status, 200);
      const key = `m365:tenant:${record.requestId}`;

      const answer = await click(USERS.adele, key);
      assert.match(text(answer), new RegExp(`Your ${role.name} role was assigned after this request was created`));
      assert.equal(h.simulator.tenant.getM365Request(record.requestId)!.approvalStatus, 'Pending');
      const [refusal] = await h.audit(key);
      assert.equal(refusal?.detail.reason, 'assigned-after-request');
      assert.deepEqual(refusal?.detail.lateRoles, [role.name]);
      await h.bot.watcher.runOnce();
      assert.equal(cardsTo(USERS.adele).some((c) => c.includes('lockbox.approve')), false, 'the late activation brings no buttons');
    });
  }

  it('gives buttons, within one poll, for the requests created after a role was assigned and not for those before', async () => {
    const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000).toISOString();
    const before = h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID, createdDateTime: minutesAgo(10) });
    h.simulator.tenant.grantAzureRole(SUBSCRIPTION_ID, USERS.adele.aadObjectId, AZURE_ROLES.owner.id, minutesAgo(5));
    const after = h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID, createdDateTime: minutesAgo(1) });
    await h.bot.watcher.runOnce();
    const keys = cardsTo(USERS.adele).filter((c) => c.includes('lockbox.approve')).map((c) => [before.requestId, after.requestId].find((id) => c.includes(id)));
    assert.deepEqual(keys, [after.requestId]);
  });

  it('refuses an Owner inherited from a management group above the subscription, and gives no buttons', async () => {
    h.simulator.tenant.grantAzureRole(SUBSCRIPTION_ID, USERS.adele.aadObjectId, AZURE_ROLES.owner.id, new Date(Date.now() - 3_600_000).toISOString(), 'contoso-root');
    const { record, key } = await newRequest();
    assert.equal(cardsTo(USERS.adele).length, 0, 'no card');
    const answer = await click(USERS.adele, key);
    assert.match(text(answer), /not one inherited from a management group/);
    assert.equal(upstreamStatus(record.requestId), 'Pending');
    assert.equal((await h.audit(key))[0]?.detail.reason, 'no-role');
  });

  it('lets someone holding Azure Customer Lockbox Approver for Subscription through a group get buttons and decide', async () => {
    const LYNNE = { aadObjectId: '00000000-0000-4000-8000-000000000025', name: 'Lynne Robbins' };
    await h.post(installUpdate(h.connector.url, TENANT_ID, LYNNE));
    h.simulator.tenant.grantAzureRole(SUBSCRIPTION_ID, DEFAULT_GROUPS.nightShift, AZURE_ROLES.lockboxApproverForSubscription.id, new Date(Date.now() - 3_600_000).toISOString());
    const { record, key } = await newRequest();
    assert.equal(cardsTo(LYNNE).filter((c) => c.includes('lockbox.approve')).length, 1, 'found through the group');
    const answer = await click(LYNNE, key);
    assert.match(text(answer), /Approved by \*\*Lynne Robbins\*\*/);
    assert.equal(upstreamStatus(record.requestId), 'Approved');
  });

  it('refuses a role revoked a second before the click, although a view had just seen it', async () => {
    const { record, key } = await newRequest();
    await say(USERS.alex, '/lockbox pending');
    h.simulator.tenant.revokeAzureRole(SUBSCRIPTION_ID, USERS.alex.aadObjectId, AZURE_ROLES.lockboxApproverForSubscription.id);

    const answer = await click(USERS.alex, key);
    assert.match(text(answer), /You can't decide this request/);
    assert.equal(upstreamStatus(record.requestId), 'Pending');
  });

  it('records in the audit trail the roles the live check found', async () => {
    const { key } = await newRequest();
    await click(USERS.alex, key);
    const recorded = (await h.audit(key)).find((a) => a.kind === 'decision.recorded');
    assert.deepEqual(recorded?.detail.roles, [`Azure Customer Lockbox Approver for Subscription on subscription ${SUBSCRIPTION_ID}`]);
  });

  for (const state of ['decided', 'expired', 'unknown'] as const) {
    it(`tells a person without a role who clicks a ${state} request nothing about it, and audits the attempt`, async () => {
      const { record, key } = await newRequest();
      if (state === 'decided') await click(USERS.alex, key);
      if (state === 'expired') {
        h.simulator.tenant.setRequestStatus(record.requestId, 'Expired');
        await h.bot.watcher.runOnce();
      }
      const target = state === 'unknown' ? `azure:${SUBSCRIPTION_ID}:00000000-0000-4000-8000-00000000dead` : key;

      const answer = text(await click(USERS.adele, target));
      for (const secret of [record.justification, record.resourceIds, record.supportRequest, record.requestId, 'Alex Wilber', 'Approved', 'Expired', 'lockbox.approve']) {
        assert.equal(answer.includes(secret), false, `reveals nothing (${secret})`);
      }
      const attempt = (await h.audit(target)).find((a) => a.kind === 'decision.refused' && a.actor?.aadObjectId === USERS.adele.aadObjectId);
      assert.ok(attempt, 'the attempt is audited');
    });
  }
});
