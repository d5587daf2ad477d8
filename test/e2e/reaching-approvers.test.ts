import assert from 'node:assert/strict';
import { cardAction, installUpdate } from '../support/activities';
import { cardOf } from '../support/fake-connector';
import { startHarness, SUBSCRIPTION_ID, TENANT_ID, USERS, type Harness } from '../support/harness';
import { waitUntil } from '../support/wait';

const PATTI = { aadObjectId: '00000000-0000-4000-8000-000000000024', name: 'Patti Fernandez' };
const LYNNE = { aadObjectId: '00000000-0000-4000-8000-000000000025', name: 'Lynne Robbins' };
const SECURITY_ON_CALL = '00000000-0000-4000-8000-000000000102';
const MANIFEST_ID = '00000000-0000-4000-8000-0000000000b0';


describe('reaching every approver, end to end', () => {
  let h: Harness;
  afterEach(() => h.close());

  it('lets someone who holds the approver role through a group decide a Microsoft 365 request', async () => {
    h = await startHarness({ env: { LOCKBOX_SOURCES: 'm365' } });
    await h.post(installUpdate(h.connector.url, TENANT_ID, PATTI));
    const record = h.simulator.tenant.createM365Request({});
    await h.bot.watcher.runOnce();
    assert.equal(h.connector.postedCards(`a:personal-${PATTI.aadObjectId}`).length, 1, 'found through the group holding the role');
    const answer = await h.post(cardAction(h.connector.url, TENANT_ID, PATTI, 'lockbox.approve', { requestKey: `m365:tenant:${record.requestId}` }));
    assert.match(JSON.stringify(answer.body.value), /Approved by \*\*Patti Fernandez\*\*/);
  });

  describe('NOTIFY_GROUP_ID: members hear of every request, and only an approver role brings buttons', () => {
    const cardsTo = (user: { aadObjectId: string }) => h.connector.postedCards(`a:personal-${user.aadObjectId}`).map((c) => JSON.stringify(cardOf(c.body)));
    const hasButtons = (card: string) => card.includes('lockbox.approve') || card.includes('lockbox.reject');

    it('gives members without a role for the request one information card, without buttons, saying they are informed, not asked', async () => {
      h = await startHarness({ env: { LOCKBOX_SOURCES: 'azure', NOTIFY_GROUP_ID: SECURITY_ON_CALL } });
      for (const user of [USERS.alex, PATTI, LYNNE]) await h.post(installUpdate(h.connector.url, TENANT_ID, user));
      const record = h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID });
      await h.bot.watcher.runOnce();
      await h.bot.watcher.runOnce();

      assert.deepEqual(cardsTo(USERS.alex).map(hasButtons), [true], 'the subscription\'s approver gets the card with buttons');
      for (const member of [PATTI, LYNNE]) {
        const cards = cardsTo(member);
        assert.equal(cards.length, 1, `${member.name}: one card, once, through nested groups`);
        assert.equal(hasButtons(cards[0]!), false, `${member.name}: no buttons`);
        assert.match(cards[0]!, /You are informed, not asked/);
        assert.match(cards[0]!, /Owner or Azure Customer Lockbox Approver for Subscription role on the subscription/);
      }
      const refused = await h.post(cardAction(h.connector.url, TENANT_ID, LYNNE, 'lockbox.approve', { requestKey: `azure:${SUBSCRIPTION_ID}:${record.requestId}` }));
      assert.match(JSON.stringify(refused.body.value), /You can't decide this request/);
      assert.equal(h.simulator.tenant.getRequest(record.requestId)!.status, 'Pending');
    });

    it('gives a member who holds an approver role for the request the card with buttons, and no information card besides', async () => {
      h = await startHarness({ env: { LOCKBOX_SOURCES: 'm365', NOTIFY_GROUP_ID: SECURITY_ON_CALL } });
      for (const user of [PATTI, LYNNE]) await h.post(installUpdate(h.connector.url, TENANT_ID, user));
      h.simulator.tenant.createM365Request({});
      await h.bot.watcher.runOnce();

      assert.deepEqual(cardsTo(PATTI).map(hasButtons), [true], 'Patti holds Customer LockBox Access Approver through a group');
      assert.deepEqual(cardsTo(LYNNE).map(hasButtons), [false], 'Lynne holds no role');
    });
  });

  it('installs the bot for an approver who never opened it, and posts the card once Teams opens the chat', async () => {
    h = await startHarness({ env: { LOCKBOX_SOURCES: 'azure', TEAMS_APP_ID: MANIFEST_ID } });
    await fetch(`${h.simulator.url}/_simulator/teams`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ botEndpoint: `${h.bot.url}/api/messages`, serviceUrl: h.connector.url }) });
    h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID });
    await h.bot.watcher.runOnce();
    const installs = (await h.admin('/_simulator/calls')).filter((c: { method: string; path: string }) => c.method === 'POST' && c.path.endsWith('/teamwork/installedApps'));
    assert.ok(installs.length >= 1, 'asked Graph to install the app');
    await waitUntil(() => h.connector.postedCards(`a:personal-${USERS.alex.aadObjectId}`).length === 1);
    await h.bot.watcher.runOnce();
    assert.equal(h.connector.postedCards(`a:personal-${USERS.alex.aadObjectId}`).length, 1, 'posted once');
  });

  it('says once, in /healthz, that it may not install the bot, and still reaches everyone who opened it', async () => {
    h = await startHarness({ env: { LOCKBOX_SOURCES: 'azure', TEAMS_APP_ID: MANIFEST_ID } });
    await h.post(installUpdate(h.connector.url, TENANT_ID, USERS.isaiah));
    await fetch(`${h.simulator.url}/_simulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ path: 'teamwork/installedApps$', status: 403, times: 100 }) });
    h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID });
    await h.bot.watcher.runOnce();
    const health = (await (await fetch(`${h.bot.url}/healthz`)).json()) as { installPermission: string };
    assert.equal(health.installPermission, 'missing');
    assert.equal(h.connector.postedCards(`a:personal-${USERS.isaiah.aadObjectId}`).length, 1);
  });
});
