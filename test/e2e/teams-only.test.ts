import assert from 'node:assert/strict';
import { cardAction, installUpdate, message, uninstallUpdate } from '../support/activities';
import { startHarness, SUBSCRIPTION_ID, TENANT_ID, USERS, type Harness } from '../support/harness';

const OTHER_TENANT = '99999999-0000-4000-8000-000000000000';

/** The bot acts only on what Teams vouches for, and never spreads a request into a shared conversation. */
describe('trusting only what Teams vouches for', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness({ env: { LOCKBOX_SOURCES: 'azure' } });
    await h.post(installUpdate(h.connector.url, TENANT_ID, USERS.alex));
  });
  afterEach(() => h.close());

  const newRequest = async () => {
    const record = h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID });
    await h.bot.watcher.runOnce();
    return { requestId: record.requestId, key: `azure:${SUBSCRIPTION_ID}:${record.requestId}` };
  };
  const inGroupChat = <T extends { conversation: object }>(activity: T): T => ({ ...activity, conversation: { id: '19:group-chat@thread.v2', conversationType: 'groupChat', tenantId: TENANT_ID, isGroup: true } });
  const nothingDecided = async (requestId: string, key: string) => {
    assert.equal(h.simulator.tenant.getRequest(requestId)!.status, 'Pending');
    assert.equal((await h.audit(key)).some((a) => a.kind === 'decision.recorded'), false);
  };

  for (const channelId of ['webchat', 'directline', 'emulator']) {
    it(`refuses a ${channelId} invoke that claims an approver's identity, with nothing decided, and audits it`, async () => {
      const { requestId, key } = await newRequest();
      const answer = await h.post({ ...cardAction(h.connector.url, TENANT_ID, USERS.alex, 'lockbox.approve', { requestKey: key }), channelId });
      assert.equal(answer.status, 200);
      assert.match(JSON.stringify(answer.body), /only on what Microsoft Teams sends/);
      await nothingDecided(requestId, key);
      const [refusal] = await h.audit(key);
      assert.equal(refusal?.kind, 'decision.refused');
      assert.equal(refusal?.detail.reason, 'not-teams');
    });
  }

  it('answers nothing to a webchat command and keeps no chat from it', async () => {
    await newRequest();
    const before = h.connector.calls.length;
    await h.post({ ...message(h.connector.url, TENANT_ID, USERS.adele, '/lockbox pending'), channelId: 'webchat' });
    await h.post({ ...installUpdate(h.connector.url, TENANT_ID, USERS.isaiah), channelId: 'webchat' });
    await h.bot.watcher.runOnce();
    assert.equal(h.connector.calls.length, before, 'not a word, not a card');
  });

  it('refuses a click whose conversation and channelData name different tenants', async () => {
    const { requestId, key } = await newRequest();
    const click = cardAction(h.connector.url, TENANT_ID, USERS.alex, 'lockbox.approve', { requestKey: key });
    const answer = await h.post({ ...click, channelData: { tenant: { id: OTHER_TENANT } } });
    assert.match(JSON.stringify(answer.body), /only on what Microsoft Teams sends/);
    await nothingDecided(requestId, key);
    assert.equal((await h.audit(key))[0]?.detail.reason, 'tenant-mismatch');
  });

  it('takes the tenant from the conversation, not from channelData', async () => {
    const { requestId, key } = await newRequest();
    const click = cardAction(h.connector.url, TENANT_ID, USERS.alex, 'lockbox.approve', { requestKey: key });
    const { tenantId: _dropped, ...conversation } = click.conversation;
    await h.post({ ...click, conversation });
    await nothingDecided(requestId, key);
  });

  it('keeps the personal chat when the bot is removed from a group chat, so cards still arrive', async () => {
    await h.post(inGroupChat(uninstallUpdate(h.connector.url, TENANT_ID, USERS.alex)));
    await newRequest();
    assert.equal(h.connector.postedCards(`a:personal-${USERS.alex.aadObjectId}`).length, 1);
  });

  it('still forgets the personal chat when the bot is removed from it', async () => {
    await h.post(uninstallUpdate(h.connector.url, TENANT_ID, USERS.alex));
    await newRequest();
    assert.equal(h.connector.postedCards(`a:personal-${USERS.alex.aadObjectId}`).length, 0);
  });

  it('answers /lockbox pending in a group chat with a pointer to the personal chat, never a card with buttons', async () => {
    await newRequest();
    const before = h.connector.calls.length;
    await h.post(inGroupChat(message(h.connector.url, TENANT_ID, USERS.alex, '/lockbox pending')));
    const replies = h.connector.calls.slice(before);
    assert.equal(replies.length, 1);
    assert.equal(replies[0]!.conversationId, '19:group-chat@thread.v2');
    assert.match(String(replies[0]!.body.text), /personal chat with Lockbox Bot/);
    assert.equal(JSON.stringify(replies[0]!.body).includes('lockbox.approve'), false);
  });
});
