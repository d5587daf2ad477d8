import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { cardAction, installUpdate, type TeamsUser } from '../support/activities';
import { injectFault } from '../support/clients';
import { startHarness, SUBSCRIPTION_ID, TENANT_ID, USERS, type Harness } from '../support/harness';
import { AZURE_ROLES } from '../../src/domain/roles';

/**
 * A refusal names the roles once, in words, and the subscription by name to someone who was shown the
 * request; anyone else learns nothing about the request from it (#14). Over HTTP against the simulated tenant.
 */
describe('refusals, worded', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ env: { LOCKBOX_SOURCES: 'azure,m365' } });
    for (const user of [USERS.alex, USERS.adele]) await h.post(installUpdate(h.connector.url, TENANT_ID, user));
  });
  afterEach(() => h.close());

  const click = async (user: TeamsUser, requestKey: string, locale = 'en-US') => {
    const answer = await h.post({ ...cardAction(h.connector.url, TENANT_ID, user, 'lockbox.approve', { requestKey }), locale });
    return JSON.stringify(answer.body.value);
  };
  const azureRequest = async () => {
    const record = h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID });
    await h.bot.watcher.runOnce();
    return { record, key: `azure:${SUBSCRIPTION_ID}:${record.requestId}` };
  };
  const upstream = (requestId: string) => h.simulator.tenant.getRequest(requestId)!.status;

  const NAMED = {
    'en-US': 'You need Owner or Azure Customer Lockbox Approver for Subscription on *Payments-Prod*, and you have neither.',
    'nl-NL': 'Je hebt Owner of Azure Customer Lockbox Approver for Subscription op *Payments-Prod* nodig, en je hebt geen van beide.',
    'de-DE': 'Sie benötigen Owner oder Azure Customer Lockbox Approver for Subscription im Abonnement *Payments-Prod*, und Sie haben keine der beiden Rollen.',
  };

  it('tells an approver who lost the role, on the card they were sent, which roles on which subscription they lack (en, nl, de)', async () => {
    const { record, key } = await azureRequest();
    assert.equal((await h.cards(key)).some((c) => c.userId === USERS.alex.aadObjectId && c.activityId), true, 'Alex was sent the card');
    h.simulator.tenant.revokeAzureRole(SUBSCRIPTION_ID, USERS.alex.aadObjectId, AZURE_ROLES.lockboxApproverForSubscription.id);
    for (const [locale, sentence] of Object.entries(NAMED)) {
      const answer = await click(USERS.alex, key, locale);
      assert.ok(answer.includes(sentence), `${locale}: ${answer}`);
      assert.equal(answer.split('Owner').length - 1, 1, `${locale}: each role named once`);
      assert.equal(answer.includes(SUBSCRIPTION_ID), false, `${locale}: the subscription by its name, not its id`);
    }
    assert.equal(upstream(record.requestId), 'Pending');
  });

  it('names no subscription to someone the request was never shown to, though it is still pending', async () => {
    const { key } = await azureRequest();
    const answer = await click(USERS.adele, key);
    assert.ok(answer.includes("You need Owner or Azure Customer Lockbox Approver for Subscription on the request's subscription, and you have neither."), answer);
    for (const secret of ['Payments-Prod', SUBSCRIPTION_ID]) assert.equal(answer.includes(secret), false, `reveals nothing (${secret})`);
  });

  it('names no subscription once the request has expired, even to someone who was sent its card', async () => {
    const { record, key } = await azureRequest();
    h.simulator.tenant.revokeAzureRole(SUBSCRIPTION_ID, USERS.alex.aadObjectId, AZURE_ROLES.lockboxApproverForSubscription.id);
    h.simulator.tenant.setRequestStatus(record.requestId, 'Expired');
    await h.bot.watcher.runOnce();
    const answer = await click(USERS.alex, key);
    assert.ok(answer.includes("on the request's subscription, and you have neither."), answer);
    for (const secret of ['Payments-Prod', 'Expired']) assert.equal(answer.includes(secret), false, `reveals nothing (${secret})`);
  });

  it('names the late role and the subscription when a role was assigned after the request was created', async () => {
    const { key } = await azureRequest();
    h.simulator.tenant.revokeAzureRole(SUBSCRIPTION_ID, USERS.alex.aadObjectId, AZURE_ROLES.lockboxApproverForSubscription.id);
    await new Promise((resolve) => setTimeout(resolve, 5));
    h.simulator.tenant.grantAzureRole(SUBSCRIPTION_ID, USERS.alex.aadObjectId, AZURE_ROLES.owner.id);
    const answer = await click(USERS.alex, key);
    assert.ok(answer.includes('Your Owner role on *Payments-Prod* was assigned after this request was created.'), answer);
  });

  const M365 = {
    'en-US': 'You need Customer LockBox Access Approver or Global Administrator, and you have neither.',
    'nl-NL': 'Je hebt Customer LockBox Access Approver of Global Administrator nodig, en je hebt geen van beide.',
    'de-DE': 'Sie benötigen Customer LockBox Access Approver oder Global Administrator, und Sie haben keine der beiden Rollen.',
  };
  for (const [locale, sentence] of Object.entries(M365)) {
    it(`names the roles of a Microsoft 365 request once, in words (${locale})`, async () => {
      const created = h.simulator.tenant.createM365Request({});
      await h.bot.watcher.runOnce();
      const answer = await click(USERS.adele, `m365:tenant:${created.requestId}`, locale);
      assert.ok(answer.includes(sentence), answer);
    });
  }

  const TENANT_WIDE = {
    'en-US': "You need Global Administrator, and you don't have it.",
    'nl-NL': 'Je hebt Global Administrator nodig, en die rol heb je niet.',
    'de-DE': 'Sie benötigen Global Administrator, und diese Rolle haben Sie nicht.',
  };
  it('names the one role of a tenant-scoped Azure request, in words (en, nl, de)', async () => {
    const requestId = randomUUID();
    const created = new Date(Date.now() - 60_000);
    const record = {
      id: `/providers/Microsoft.CustomerLockbox/requests/${requestId}`,
      properties: { requestId, status: 'Pending', justification: 'Directory sync for case 4714', createdDateTime: created.toISOString(), expirationDateTime: new Date(created.getTime() + 96 * 3_600_000).toISOString(), resourceIds: '/providers/Microsoft.Entra' },
    };
    // A record that is no subscription's, as a crafted listing page could carry it.
    await injectFault(h.simulator.url, { method: 'GET', path: `^/subscriptions/${SUBSCRIPTION_ID}/providers/Microsoft\\.CustomerLockbox/requests$`, status: 200, body: { value: [record] }, times: 100 });
    await h.bot.watcher.runOnce();
    for (const [locale, sentence] of Object.entries(TENANT_WIDE)) {
      const answer = await click(USERS.adele, `azure:tenant:${requestId}`, locale);
      assert.ok(answer.includes(sentence), `${locale}: ${answer}`);
      assert.equal(answer.includes('Directory sync'), false, 'nothing about the request');
    }
  });
});
