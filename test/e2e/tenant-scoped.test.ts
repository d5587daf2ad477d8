import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { cardAction, installUpdate, message, type TeamsUser } from '../support/activities';
import { cardOf } from '../support/fake-connector';
import { startHarness, SUBSCRIPTION_ID, TENANT_ID, USERS, type Harness } from '../support/harness';

const AZURE_PORTAL_LOCKBOX = 'https://portal.azure.com/#view/Microsoft_Azure_Lockbox/LockboxMenu/~/Overview';
const FOREIGN = '00000000-0000-4000-8000-00000000beef';

/**
 * Tenant-scoped Azure requests, over HTTP against the simulated tenant: Azure lists none, so the bot cannot see
 * them; and a record in a subscription's listing that does not itself say it is that subscription's request gets
 * no subscription's approvers: Global Administrators are told to decide it in the portal, nobody gets buttons.
 */
describe('tenant-scoped Azure requests: none through a subscription\'s approvers', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness({ env: { LOCKBOX_SOURCES: 'azure' } });
    for (const user of [USERS.alex, USERS.megan, USERS.adele]) await h.post(installUpdate(h.connector.url, TENANT_ID, user));
  });
  afterEach(() => h.close());

  const click = (user: TeamsUser, requestKey: string) => h.post(cardAction(h.connector.url, TENANT_ID, user, 'lockbox.approve', { requestKey }));
  const cardsTo = (user: TeamsUser) => h.connector.postedCards(`a:personal-${user.aadObjectId}`).map((c) => JSON.stringify(cardOf(c.body)));
  const text = (answer: { body: { value: unknown } }) => JSON.stringify(answer.body.value);
  const decisionsSent = async () => ((await h.admin('/_simulator/calls')) as { path: string }[]).filter((c) => c.path.includes('updateApproval'));

  it('never shows a tenant-scoped request: no subscription\'s listing returns it, as in Azure', async () => {
    const created = await fetch(`${h.simulator.url}/_simulator/lockbox/tenant-requests`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ justification: 'Directory sync diagnostics for case 4712' }),
    });
    assert.equal(created.status, 201);
    const { properties: { requestId } } = await created.json() as { properties: { requestId: string } };
    const subscribed = h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID });
    await h.bot.watcher.runOnce();

    const all = h.connector.postedCards().map((c) => JSON.stringify(cardOf(c.body)));
    assert.ok(all.some((c) => c.includes(subscribed.requestId)), 'the subscription\'s request is shown');
    assert.equal(all.some((c) => c.includes(requestId) || c.includes('Directory sync diagnostics')), false, 'the tenant-scoped one to nobody');
    const pending = await h.post(message(h.connector.url, TENANT_ID, USERS.megan, '/lockbox pending'));
    assert.equal(JSON.stringify(pending.body ?? '').includes(requestId), false);
    assert.equal(h.connector.postedCards().some((c) => JSON.stringify(cardOf(c.body)).includes(requestId)), false);
    assert.equal((await h.audit(`azure:tenant:${requestId}`)).length, 0);
  });

  const crafted: [string, (id: string) => object][] = [
    ['names no subscription of its own', (id) => ({ id: `/providers/Microsoft.CustomerLockbox/requests/${id}`, properties: props(id, undefined) })],
    ['has the resource id of a foreign subscription', (id) => ({ id: `/subscriptions/${FOREIGN}/providers/Microsoft.CustomerLockbox/requests/${id}`, properties: props(id, SUBSCRIPTION_ID) })],
  ];
  for (const [what, shape] of crafted) {
    it(`gives an Owner of the listed subscription no buttons and no decision on a listed record that ${what}; Global Administrators are sent to the portal`, async () => {
      const requestId = randomUUID();
      await fakeListing(h, [shape(requestId)]);
      h.simulator.tenant.grantAzureRole(SUBSCRIPTION_ID, USERS.adele.aadObjectId, '8e3af657-a8ff-443c-a75c-2fe8c4bcb635', new Date(Date.now() - 3_600_000).toISOString());
      await h.bot.watcher.runOnce();
      const key = `azure:tenant:${requestId}`;

      for (const approverOfListed of [USERS.alex, USERS.adele]) {
        assert.equal(cardsTo(approverOfListed).some((c) => c.includes(requestId)), false, `${approverOfListed.name}: no card`);
      }
      const forAdmin = cardsTo(USERS.megan).filter((c) => c.includes('Reading the directory for case 4713'));
      assert.equal(forAdmin.length, 1, 'the Global Administrator is told');
      assert.equal(forAdmin[0]!.includes('lockbox.approve') || forAdmin[0]!.includes('lockbox.reject'), false, 'without buttons');
      assert.ok(forAdmin[0]!.includes(AZURE_PORTAL_LOCKBOX), 'with the Azure portal\'s Customer Lockbox page');
      assert.match(forAdmin[0]!, /Only a Global Administrator can decide it, in the Azure portal/);

      for (const approverOfListed of [USERS.alex, USERS.adele]) {
        assert.match(text(await click(approverOfListed, key)), /You can't decide this request/);
        assert.match(text(await click(approverOfListed, `azure:${SUBSCRIPTION_ID}:${requestId}`)), /You can't decide this request|no longer|not found|can't find/i);
      }
      assert.match(text(await click(USERS.megan, key)), /decided in the Azure portal \(Customer Lockbox for Microsoft Azure\), not here.*Nothing was decided/);
      assert.deepEqual(await decisionsSent(), [], 'nothing reached updateApproval');
      assert.deepEqual((await h.audit(key)).filter((a) => a.kind === 'decision.refused').map((a) => a.detail.reason).sort(), ['decide-in-portal', 'no-role', 'no-role']);
    });
  }

  it('reads such a record back where it was listed, and shows the Global Administrator the decision made in the portal', async () => {
    const requestId = randomUUID();
    const record = { id: `/providers/Microsoft.CustomerLockbox/requests/${requestId}`, properties: props(requestId, undefined) };
    await fakeListing(h, [record]);
    await h.bot.watcher.runOnce();
    await fetch(`${h.simulator.url}/_simulator/faults`, { method: 'DELETE' });
    const read = await fetch(`${h.simulator.url}/_simulator/faults`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'GET', path: `^/subscriptions/${SUBSCRIPTION_ID}/providers/Microsoft\\.CustomerLockbox/requests/${requestId}$`, status: 200, body: { ...record, properties: { ...record.properties, status: 'Approved' } }, times: 100 }),
    });
    assert.equal(read.status, 201);
    await h.bot.watcher.runOnce();
    const [copy] = await h.cards(`azure:tenant:${requestId}`);
    const updated = h.connector.updates(copy!.activityId).map((u) => JSON.stringify(cardOf(u.body)));
    assert.ok(updated.some((c) => /Approved/.test(c) && !c.includes('lockbox.approve')), 'the card shows the decision made in the portal');
    assert.deepEqual(await decisionsSent(), []);
  });

  it('takes the buttons off the cards of a request whose own record, read again, no longer names its subscription, and refuses a click on them', async () => {
    const requestId = randomUUID();
    const record = { id: `/subscriptions/${SUBSCRIPTION_ID}/providers/Microsoft.CustomerLockbox/requests/${requestId}`, properties: props(requestId, SUBSCRIPTION_ID) };
    await fakeListing(h, [record]);
    await h.bot.watcher.runOnce();
    const oldKey = `azure:${SUBSCRIPTION_ID}:${requestId}`;
    assert.equal(cardsTo(USERS.alex).filter((c) => c.includes('lockbox.approve')).length, 1, 'the subscription\'s approver got buttons');

    const unscoped = { id: `/providers/Microsoft.CustomerLockbox/requests/${requestId}`, properties: props(requestId, undefined) };
    await fetch(`${h.simulator.url}/_simulator/faults`, { method: 'DELETE' });
    await fakeListing(h, []);
    const read = await fetch(`${h.simulator.url}/_simulator/faults`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'GET', path: `^/subscriptions/${SUBSCRIPTION_ID}/providers/Microsoft\\.CustomerLockbox/requests/${requestId}$`, status: 200, body: unscoped, times: 100 }),
    });
    assert.equal(read.status, 201);
    await h.bot.watcher.runOnce();

    const [copy] = await h.cards(oldKey);
    const updates = h.connector.updates(copy!.activityId).map((u) => JSON.stringify(cardOf(u.body)));
    assert.ok(updates.length > 0 && !updates.at(-1)!.includes('lockbox.approve'), 'the old card lost its buttons');
    assert.ok(updates.at(-1)!.includes(AZURE_PORTAL_LOCKBOX), 'and links the Azure portal');
    assert.match(text(await click(USERS.alex, oldKey)), /You can't decide this request/);
    assert.match(text(await click(USERS.megan, oldKey)), /decided in the Azure portal \(Customer Lockbox for Microsoft Azure\), not here/);
    assert.deepEqual(await decisionsSent(), [], 'nothing reached updateApproval');
    assert.equal((await h.audit(oldKey)).filter((a) => a.kind === 'request.scope-narrowed').length, 1);
  });

  it('gives an Owner of the listed subscription no card for a record that says, in its id and its properties, it is another subscription\'s', async () => {
    const requestId = randomUUID();
    await fakeListing(h, [{ id: `/subscriptions/${FOREIGN}/providers/Microsoft.CustomerLockbox/requests/${requestId}`, properties: props(requestId, FOREIGN) }]);
    await h.bot.watcher.runOnce();
    for (const user of [USERS.alex, USERS.megan, USERS.adele]) assert.equal(cardsTo(user).some((c) => c.includes(requestId)), false, user.name);
    // The simulated tenant has no such subscription, so its roles cannot be read: the check fails closed.
    assert.match(text(await click(USERS.alex, `azure:${FOREIGN}:${requestId}`)), /You can't decide this request|Can't verify your role/);
    assert.deepEqual(await decisionsSent(), []);
  });
});

function props(requestId: string, subscriptionId: string | undefined) {
  const created = new Date(Date.now() - 60_000);
  return {
    requestId,
    justification: 'Reading the directory for case 4713',
    status: 'Pending',
    createdDateTime: created.toISOString(),
    expirationDateTime: new Date(created.getTime() + 4 * 24 * 3_600_000).toISOString(),
    duration: '8',
    resourceIds: '/providers/Microsoft.Entra',
    resourceType: 'Microsoft Entra ID',
    supportRequest: '2611300000004713',
    workitemsource: 'SupportRequest',
    ...(subscriptionId ? { subscriptionId } : {}),
  };
}

/** The listed subscription's list answers with these records, as a crafted or malformed upstream page would. */
async function fakeListing(h: Harness, records: object[]): Promise<void> {
  const path = `^/subscriptions/${SUBSCRIPTION_ID}/providers/Microsoft\\.CustomerLockbox/requests$`;
  const fault = await fetch(`${h.simulator.url}/_simulator/faults`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ method: 'GET', path, status: 200, body: { value: records }, times: 100 }),
  });
  assert.equal(fault.status, 201);
}
