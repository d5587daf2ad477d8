import assert from 'node:assert/strict';
import { DeliveryFailed, UpstreamError } from '../../src/domain/errors';
import { dueMilestone, milestones } from '../../src/domain/escalation';
import { requestKey } from '../../src/domain/request';
import { track } from '../../src/domain/tracked';
import { recordDecision } from '../../src/domain/usecases/decide';
import { notifyPeople } from '../../src/domain/usecases/escalate';
import { coreWithFakes, deliverQueued, TENANT } from '../support/core';
import { conversationOf, pendingRequest, RecordingNotifier } from '../support/fakes';

const HOUR = 3_600_000;

describe('when people are told about a request', () => {
  const azure = pendingRequest({ createdAt: '2026-11-28T00:00:00.000Z', expiresAt: '2026-12-02T00:00:00.000Z' });
  const m365 = pendingRequest({ source: 'm365', subscriptionId: undefined, createdAt: '2026-11-28T00:00:00.000Z', expiresAt: '2026-11-28T12:00:00.000Z' });
  const policy = { elapsedFractions: [0.5, 0.8], m365BeforeExpiryMs: HOUR };

  it('on arrival, at 50% and 80% of an Azure request\'s 4 days', () => {
    assert.deepEqual(milestones(azure, policy).map((m) => [m.id, new Date(m.at).toISOString()]), [
      ['new', '2026-11-28T00:00:00.000Z'],
      ['elapsed-50', '2026-11-30T00:00:00.000Z'],
      ['elapsed-80', '2026-12-01T04:48:00.000Z'],
    ]);
  });

  it('and one hour before a Microsoft 365 request\'s 12 hours run out', () => {
    assert.deepEqual(milestones(m365, policy).map((m) => m.id), ['new', 'elapsed-50', 'elapsed-80', 'before-expiry-60m']);
  });

  it('sends only the latest of several missed reminders, skipping the older ones', () => {
    const all = milestones(m365, policy);
    const due = dueMilestone(all, new Set(['new']), Date.parse('2026-11-28T11:30:00Z'));
    assert.equal(due?.send.id, 'before-expiry-60m');
    assert.deepEqual(due?.skip.map((m) => m.id), ['elapsed-50', 'elapsed-80']);
  });
});

describe('notifying on-call staff and approvers', () => {
  let core: ReturnType<typeof coreWithFakes>;
  let notifier: RecordingNotifier;
  const request = pendingRequest({ createdAt: '2026-11-28T09:00:00.000Z', expiresAt: '2026-12-02T09:00:00.000Z' });
  const key = requestKey(request);

  beforeEach(async () => {
    core = coreWithFakes();
    notifier = new RecordingNotifier();
    core.deps.notifier = notifier;
    core.deps.onCall = { members: async () => ['oncall-1', 'oncall-2'] };
    core.directory.approvers = new Set(['alex', 'megan']);
    await core.store.insertRequest(track(request, core.clock.now()));
  });

  it('pushes the arrival to the on-call group once, however often it is asked', async () => {
    for (let i = 0; i < 3; i++) await notifyPeople(core.deps, key);
    assert.deepEqual(notifier.sent, [{ userIds: ['oncall-1', 'oncall-2'], requestKey: key, milestone: 'new' }]);
  });

  it('reminds approvers and on-call at each reminder, with nothing repeated across restarts', async () => {
    await notifyPeople(core.deps, key);
    core.clock.advance(2 * 24 * HOUR);
    await notifyPeople(core.deps, key);
    await notifyPeople({ ...core.deps }, key); // another instance, or the same after a restart: same store
    assert.deepEqual(notifier.sent.map((s) => s.milestone), ['new', 'elapsed-50']);
    assert.deepEqual(notifier.sent[1]!.userIds, ['alex', 'megan', 'oncall-1', 'oncall-2']);
  });

  it('sends one reminder, not two, after being down through both', async () => {
    await notifyPeople(core.deps, key);
    core.clock.advance(3.5 * 24 * HOUR);
    await notifyPeople(core.deps, key);
    await notifyPeople(core.deps, key);
    assert.deepEqual(notifier.sent.map((s) => s.milestone), ['new', 'elapsed-80']);
  });

  it('sends nothing more once the request is decided', async () => {
    await notifyPeople(core.deps, key);
    await recordDecision(core.deps, { requestKey: key, verdict: 'approve', comment: '', actor: { aadObjectId: 'alex', tenantId: TENANT } });
    core.clock.advance(3 * 24 * HOUR);
    await notifyPeople(core.deps, key);
    assert.deepEqual(notifier.sent.map((s) => s.milestone), ['new']);
  });

  it('tries a failed push again on the next cycle', async () => {
    notifier.failNext = 1;
    assert.equal(await notifyPeople(core.deps, key), undefined);
    assert.equal((await notifyPeople(core.deps, key))?.id, 'new');
    assert.equal(notifier.sent.length, 1);
  });

  it('does not retry every cycle a push Graph refuses for good (a missing permission)', async () => {
    let calls = 0;
    core.deps.notifier = { batchSize: 100, notify: async () => { calls++; throw new UpstreamError('HTTP 403: grant TeamsActivity.Send', false, 403); } };
    await notifyPeople(core.deps, key);
    await notifyPeople(core.deps, key);
    assert.equal(calls, 1);
  });

  it('sends each milestone once when many instances race', async () => {
    await Promise.all(Array.from({ length: 10 }, () => notifyPeople(core.deps, key)));
    assert.equal(notifier.sent.length, 1);
  });

  it('tells on-call members who cannot decide what arrived, on arrival only', async () => {
    const told: string[] = [];
    core.deps.infoPoster = { postInfo: async (userId) => void told.push(userId) };
    core.deps.onCall = { members: async () => ['oncall-1', 'alex'] };
    for (const userId of ['oncall-1', 'alex']) await core.store.saveConversation(conversationOf(userId));
    await notifyPeople(core.deps, key);
    await deliverQueued(core.deps);
    core.clock.advance(2 * 24 * HOUR);
    await notifyPeople(core.deps, key);
    await deliverQueued(core.deps);
    assert.deepEqual(told, ['oncall-1']);
  });

  it('tells NOTIFY_GROUP_ID members who cannot decide that they are informed, not asked; approvers among them get no information card', async () => {
    const told: { userId: string; as: string }[] = [];
    core.deps.infoPoster = { postInfo: async (userId, _tracked, _count, as) => void told.push({ userId, as }) };
    core.deps.onCall = { members: async () => ['oncall-1'] };
    core.deps.notifyGroup = { members: async () => ['watcher-1', 'alex', 'oncall-1'] };
    for (const userId of ['oncall-1', 'watcher-1', 'alex']) await core.store.saveConversation(conversationOf(userId));
    await notifyPeople(core.deps, key);
    await deliverQueued(core.deps);
    assert.deepEqual(told.sort((a, b) => a.userId.localeCompare(b.userId)), [
      { userId: 'oncall-1', as: 'on-call' },
      { userId: 'watcher-1', as: 'notify-group' },
    ]);
  });

  describe('reminders as new chat messages, which reach phones', () => {
    let chats: { userId: string; milestone: string; card?: string }[];
    const failures = new Map<string, Error>();
    const remind = async () => {
      const milestone = await notifyPeople(core.deps, key);
      await deliverQueued(core.deps);
      return milestone;
    };

    beforeEach(async () => {
      chats = [];
      failures.clear();
      core.deps.reminderPoster = {
        postReminder: async (userId, _tracked, milestone, card) => {
          const failure = failures.get(userId);
          if (failure) throw failure;
          chats.push({ userId, milestone: milestone.id, card });
          return `reminder-${chats.length}`;
        },
      };
      core.deps.infoPoster = { postInfo: async (userId) => `info-${userId}` };
      for (const userId of ['alex', 'megan', 'oncall-1', 'oncall-2']) await core.store.saveConversation(conversationOf(userId));
      await core.store.claimCard({ requestKey: key, userId: 'alex', conversationId: 'a:alex' });
      await core.store.completeCard(key, 'alex', 'card-of-alex', core.clock.now().toISOString());
      await notifyPeople(core.deps, key);
      core.clock.advance(2 * 24 * HOUR);
    });

    it('queues one for each approver and on-call member, which links to their card, with the feed push besides', async () => {
      assert.equal((await remind())?.id, 'elapsed-50');
      await remind();
      assert.deepEqual(chats.sort((a, b) => a.userId.localeCompare(b.userId)), [
        { userId: 'alex', milestone: 'elapsed-50', card: 'card-of-alex' },
        { userId: 'megan', milestone: 'elapsed-50', card: undefined },
        { userId: 'oncall-1', milestone: 'elapsed-50', card: 'info-oncall-1' },
        { userId: 'oncall-2', milestone: 'elapsed-50', card: 'info-oncall-2' },
      ]);
      assert.deepEqual(notifier.sent.map((s) => s.milestone), ['new', 'elapsed-50']);
    });

    it('tries a message Teams did not take again from the queue, without repeating the feed push or the others\' messages', async () => {
      failures.set('megan', new DeliveryFailed('Teams answered 502', 'no', 502));
      await remind();
      failures.clear();
      core.clock.advance(10 * 60_000);
      await remind();
      assert.deepEqual(chats.map((c) => c.userId).sort(), ['alex', 'megan', 'oncall-1', 'oncall-2']);
      assert.deepEqual(notifier.sent.map((s) => s.milestone), ['new', 'elapsed-50']);
    });

    it('does not send again a message that may have arrived, nor one to a chat that is gone', async () => {
      failures.set('megan', new DeliveryFailed('timed out', 'unknown'));
      failures.set('oncall-1', new DeliveryFailed('ConversationBlockedByUser', 'no', 403));
      await remind();
      failures.clear();
      core.clock.advance(HOUR);
      await remind();
      assert.deepEqual(chats.map((c) => c.userId).sort(), ['alex', 'oncall-2']);
    });

    it('reaches nobody who has no chat with the bot, and drops a queued reminder once the request is decided', async () => {
      await core.store.removeConversation('megan');
      await notifyPeople(core.deps, key);
      await recordDecision(core.deps, { requestKey: key, verdict: 'approve', comment: '', actor: { aadObjectId: 'alex', tenantId: TENANT } });
      await deliverQueued(core.deps);
      assert.deepEqual(chats, []);
      assert.equal(await core.store.countDeliveries(), 0);
    });

    it('still reaches phones when Graph refuses the feed push for good', async () => {
      core.deps.notifier = { batchSize: 100, notify: async () => { throw new UpstreamError('HTTP 403: grant TeamsActivity.Send', false, 403); } };
      assert.equal((await remind())?.id, 'elapsed-50');
      assert.equal(chats.length, 4);
    });
  });
});
