import assert from 'node:assert/strict';
import { cardAction, installUpdate } from '../support/activities';
import { injectFault } from '../support/clients';
import { cardOf } from '../support/fake-connector';
import { FixedClock } from '../support/fakes';
import { startHarness, SUBSCRIPTION_ID, TENANT_ID, USERS, type Harness } from '../support/harness';

const SECURITY_ON_CALL = '00000000-0000-4000-8000-000000000102';
const PATTI = '00000000-0000-4000-8000-000000000024';
const LYNNE = { aadObjectId: '00000000-0000-4000-8000-000000000025', name: 'Lynne Robbins' };
const HOUR = 3_600_000;

describe('on-call staff hear of requests on their phones, and nothing expires unnoticed', () => {
  let h: Harness;
  let clock: FixedClock;
  const feed = async () => ((await h.admin('/_simulator/teams/notifications')) as { value: { userId: string; activityType: string; previewText: string; topic: { webUrl: string } }[] }).value;

  beforeEach(async () => {
    clock = new FixedClock(new Date());
    h = await startHarness({ bot: { clock }, env: { LOCKBOX_SOURCES: 'azure', ONCALL_GROUP_ID: SECURITY_ON_CALL } });
    for (const user of [USERS.alex, USERS.isaiah, LYNNE]) await h.post(installUpdate(h.connector.url, TENANT_ID, user));
  });
  afterEach(() => h.close());

  const newRequest = async () => {
    const { requestId } = h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID, createdDateTime: clock.now().toISOString(), expirationDateTime: new Date(clock.now().getTime() + 96 * HOUR).toISOString() });
    await h.bot.watcher.runOnce();
    return { requestId, key: `azure:${SUBSCRIPTION_ID}:${requestId}` };
  };

  it('pushes a new request to every on-call member (through nested groups), with a deep link and the time left', async () => {
    await newRequest();
    const received = await feed();
    assert.deepEqual(received.map((n) => n.userId).sort(), [PATTI, LYNNE.aadObjectId].sort());
    assert.ok(received.every((n) => n.activityType === 'lockboxRequest'));
    assert.match(received[0]!.previewText, /^Azure · .+ · 4 d left$/);
    assert.match(received[0]!.topic.webUrl, /^https:\/\/teams\.microsoft\.com\/l\//);
  });

  const oddCreationTimes: [string, number][] = [['whose creation time is in the future', 48], ['created after its own expiry', 200]];
  for (const [which, createdInHours] of oddCreationTimes) {
    it(`tells on-call of a request ${which}, and reminds at half time counted from when the bot first saw it`, async () => {
      h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID, createdDateTime: new Date(clock.now().getTime() + createdInHours * HOUR).toISOString(), expirationDateTime: new Date(clock.now().getTime() + 96 * HOUR).toISOString() });
      await h.bot.watcher.runOnce();
      assert.deepEqual((await feed()).filter((n) => n.activityType === 'lockboxRequest').map((n) => n.userId).sort(), [PATTI, LYNNE.aadObjectId].sort());
      clock.advance(47 * HOUR);
      await h.bot.watcher.runOnce();
      assert.ok(!(await feed()).some((n) => n.activityType === 'lockboxEscalation'), 'not before half time');
      clock.advance(2 * HOUR);
      await h.bot.watcher.runOnce();
      assert.ok((await feed()).some((n) => n.activityType === 'lockboxEscalation'), 'the half-time reminder, 48 h after the bot first saw it');
    });
  }

  it('asks for a fresh token and delivers the notification when the feed answers 412, then 202', async () => {
    await injectFault(h.simulator.url, { path: 'sendActivityNotificationToRecipients', status: 412 });
    await newRequest();
    const calls = ((await h.admin('/_simulator/calls')) as { path: string; status: number }[]).filter((c) => c.path.endsWith('sendActivityNotificationToRecipients'));
    assert.deepEqual(calls.map((c) => c.status), [412, 202]);
    assert.deepEqual((await feed()).map((n) => n.userId).sort(), [PATTI, LYNNE.aadObjectId].sort());
  });

  it('gives on-call members who cannot decide an information card without buttons', async () => {
    await newRequest();
    const [info] = h.connector.postedCards(`a:personal-${LYNNE.aadObjectId}`);
    assert.match(JSON.stringify(cardOf(info!.body)), /You are on call/);
    assert.equal(JSON.stringify(cardOf(info!.body)).includes('lockbox.approve'), false);
  });

  it('reminds approvers and on-call at half time, once, even across a restart', async () => {
    await newRequest();
    clock.advance(49 * HOUR);
    await h.bot.watcher.runOnce();
    await h.restartBot();
    await h.bot.watcher.runOnce();
    const reminders = (await feed()).filter((n) => n.activityType === 'lockboxEscalation');
    assert.deepEqual(reminders.map((n) => n.userId).sort(), [USERS.alex.aadObjectId, USERS.isaiah.aadObjectId, PATTI, LYNNE.aadObjectId].sort());
    assert.match(reminders[0]!.previewText, /1 d 23 h left/);
  });

  it('reminds each approver and on-call member with a new message in their chat, which phones ring for, once across a restart', async () => {
    const ADELE_APPROVER = { aadObjectId: '00000000-0000-4000-8000-000000000023' };
    for (const user of [ADELE_APPROVER, { aadObjectId: PATTI }]) await h.post(installUpdate(h.connector.url, TENANT_ID, user));
    const { key } = await newRequest();
    const cards = await h.cards(key);
    clock.advance(49 * HOUR);
    await h.bot.watcher.runOnce();
    await h.restartBot();
    await h.bot.watcher.runOnce();

    const everyone = [USERS.alex.aadObjectId, ADELE_APPROVER.aadObjectId, PATTI, LYNNE.aadObjectId];
    const reminders = h.connector.calls.filter((c) => c.method === 'POST' && typeof c.body.text === 'string' && /Reminder/.test(c.body.text as string));
    assert.deepEqual(reminders.map((c) => c.conversationId).sort(), everyone.map((id) => `a:personal-${id}`).sort());
    for (const reminder of reminders) {
      assert.match(reminder.body.text as string, /1 d 23 h left/);
      assert.equal((reminder.body.channelData as { notification?: { alert?: boolean } }).notification?.alert, true);
    }
    // Approvers' reminders link to their own copy of the card; Lynne's to her information card.
    const alexCard = cards.find((c) => c.userId === USERS.alex.aadObjectId)!;
    const alexReminder = reminders.find((c) => c.conversationId === alexCard.conversationId)!;
    assert.ok((alexReminder.body.text as string).includes(`/l/message/${encodeURIComponent(alexCard.conversationId)}/${alexCard.activityId}?`));
    const [lynneInfo] = h.connector.postedCards(`a:personal-${LYNNE.aadObjectId}`);
    const lynneInfoId = `activity-${h.connector.calls.filter((c) => c.method !== 'PUT').indexOf(lynneInfo!) + 1}`;
    assert.match(reminders.find((c) => c.conversationId === `a:personal-${LYNNE.aadObjectId}`)!.body.text as string, new RegExp(`/${lynneInfoId}\\?`));
    // And the desktop's activity feed, once each.
    const feedReminders = (await feed()).filter((n) => n.activityType === 'lockboxEscalation');
    assert.deepEqual(feedReminders.map((n) => n.userId).sort(), [...everyone].sort());
  });

  it('writes each reminder in the reader\'s Teams language', async () => {
    await h.post({ ...installUpdate(h.connector.url, TENANT_ID, USERS.isaiah), locale: 'nl-NL' });
    await h.post({ ...installUpdate(h.connector.url, TENANT_ID, LYNNE), locale: 'de-DE' });
    await newRequest();
    clock.advance(49 * HOUR);
    await h.bot.watcher.runOnce();
    const reminder = (userId: string) => h.connector.calls.filter((c) => c.conversationId === `a:personal-${userId}` && typeof c.body.text === 'string').at(-1)?.body.text as string;
    assert.match(reminder(USERS.alex.aadObjectId), /^\*\*Reminder: 1 d 23 h left\*\*/);
    assert.match(reminder(USERS.isaiah.aadObjectId), /^\*\*Herinnering: nog /);
    assert.match(reminder(LYNNE.aadObjectId), /^\*\*Erinnerung: noch /);
  });

  it('sends nothing more once the request is decided', async () => {
    const { key } = await newRequest();
    await h.post(cardAction(h.connector.url, TENANT_ID, USERS.alex, 'lockbox.approve', { requestKey: key }));
    clock.advance(80 * HOUR);
    await h.bot.watcher.runOnce();
    assert.equal((await feed()).filter((n) => n.activityType === 'lockboxEscalation').length, 0);
  });
});
