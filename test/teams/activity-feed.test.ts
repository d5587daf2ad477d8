import assert from 'node:assert/strict';
import { milestones, DEFAULT_REMINDERS } from '../../src/domain/escalation';
import { UpstreamError } from '../../src/domain/errors';
import { track } from '../../src/domain/tracked';
import { DEFAULT_SEED, startSimulator, type RunningSimulator } from '../../src/simulator';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { JsonClient } from '../../src/http/json-client';
import { chatDeepLink, GraphActivityFeed } from '../../src/teams/activity-feed';
import { clientFor, injectFault } from '../support/clients';
import { FixedClock, pendingRequest } from '../support/fakes';

const people = Array.from({ length: 250 }, (_, i) => ({ id: `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`, displayName: `On-call ${i}`, userPrincipalName: `oncall${i}@contoso.example`, directoryRoles: [] }));

describe('Teams activity-feed notifications through Graph, against the simulated tenant', () => {
  let sim: RunningSimulator;
  const clock = new FixedClock(new Date('2026-11-28T10:00:00Z'));
  const tracked = track(pendingRequest({ createdAt: '2026-11-28T09:00:00.000Z', expiresAt: '2026-12-02T09:00:00.000Z' }), clock.now());
  const [arrival, firstReminder] = milestones(tracked.request, DEFAULT_REMINDERS);
  const notifications = async () => ((await (await fetch(`${sim.url}/_simulator/teams/notifications`)).json()) as { value: any[] }).value;

  beforeEach(async () => {
    sim = await startSimulator({ port: 0, seed: { ...DEFAULT_SEED, users: [...DEFAULT_SEED.users, ...people] } });
  });
  afterEach(() => sim.close());

  it('reaches more than 100 people in batches of at most 100, each once', async () => {
    const feed = new GraphActivityFeed(clientFor(sim.url, 'https://graph.microsoft.com/.default'), chatDeepLink('bot-app-id', undefined), clock);
    await feed.notify(people.map((p) => p.id), tracked, arrival!);
    const received = await notifications();
    assert.equal(received.length, 250);
    assert.equal(new Set(received.map((n) => n.userId)).size, 250);
    const calls = ((await (await fetch(`${sim.url}/_simulator/calls`)).json()) as { path: string }[]).filter((c) => c.path.endsWith('sendActivityNotificationToRecipients'));
    assert.equal(calls.length, 3);
  });

  it('deep-links to the bot chat and previews the source, the resource and the time left', async () => {
    const feed = new GraphActivityFeed(clientFor(sim.url, 'https://graph.microsoft.com/.default'), chatDeepLink('bot-app-id', undefined), clock);
    await feed.notify([people[0]!.id], tracked, arrival!);
    const [n] = await notifications();
    assert.equal(n.activityType, 'lockboxRequest');
    assert.equal(n.topic.webUrl, 'https://teams.microsoft.com/l/chat/0/0?users=28:bot-app-id');
    assert.equal(n.previewText, 'Azure · VM1 (resource group RG) · 3 d 23 h left');
    assert.deepEqual(n.templateParameters, { source: 'Azure', timeLeft: '3 d 23 h left' });
  });

  it('says the expiry is unknown, rather than thousands of days left, when Microsoft sent an expiry years away', async () => {
    const feed = new GraphActivityFeed(clientFor(sim.url, 'https://graph.microsoft.com/.default'), chatDeepLink('bot-app-id', undefined), clock);
    await feed.notify([people[0]!.id], { ...tracked, request: { ...tracked.request, expiresAt: '9999-12-31T00:00:00.000Z' } }, arrival!);
    const [n] = await notifications();
    assert.equal(n.previewText, 'Azure · VM1 (resource group RG) · expiry unknown');
    assert.deepEqual(n.templateParameters, { source: 'Azure', timeLeft: 'expiry unknown' });
  });

  it('uses the escalation activity type for reminders', async () => {
    const feed = new GraphActivityFeed(clientFor(sim.url, 'https://graph.microsoft.com/.default'), chatDeepLink('', 'manifest-id'), clock);
    await feed.notify([people[0]!.id], tracked, firstReminder!);
    const [n] = await notifications();
    assert.equal(n.activityType, 'lockboxEscalation');
    assert.equal(n.topic.webUrl, 'https://teams.microsoft.com/l/app/manifest-id');
  });

  it('says which permission is missing when Graph refuses, and that retrying will not help', async () => {
    await injectFault(sim.url, { path: 'sendActivityNotificationToRecipients', status: 403 });
    const feed = new GraphActivityFeed(clientFor(sim.url, 'https://graph.microsoft.com/.default'), chatDeepLink('bot', undefined), clock);
    const error = await feed.notify([people[0]!.id], tracked, arrival!).catch((e) => e);
    assert.ok(error instanceof UpstreamError);
    assert.equal(error.transient, false);
    assert.match(error.message, /TeamsActivity\.Send/);
  });

  describe('when Graph answers 412 because the app\'s token expires within 45 minutes', () => {
    /** Hands out a new token each time it is asked, as a credential past its refresh point does. */
    class CountingCredential implements TokenCredential {
      asked = 0;
      async getToken(): Promise<AccessToken> {
        return { token: `token-${++this.asked}`, expiresOnTimestamp: Date.now() + 3_600_000 };
      }
    }
    const feedWith = (credential: TokenCredential) => new GraphActivityFeed(
      new JsonClient({ baseUrl: sim.url, credential, scope: 'https://graph.microsoft.com/.default', allowLoopbackHttp: true, retryDelayMs: 10, freshTokenOnStatus: 412 }),
      chatDeepLink('bot', undefined),
      clock,
    );
    const feedCalls = async () => ((await (await fetch(`${sim.url}/_simulator/calls`)).json()) as { path: string; status: number }[]).filter((c) => c.path.endsWith('sendActivityNotificationToRecipients'));

    it('asks for a new token and tries once more, and the notification arrives', async () => {
      await injectFault(sim.url, { path: 'sendActivityNotificationToRecipients', status: 412 });
      const credential = new CountingCredential();
      await feedWith(credential).notify([people[0]!.id], tracked, arrival!);
      assert.deepEqual((await feedCalls()).map((c) => c.status), [412, 202]);
      assert.equal(credential.asked, 2);
      assert.deepEqual((await notifications()).map((n) => n.userId), [people[0]!.id]);
    });

    it('tries only once more, and a second 412 is for the next cycle, never a permanent refusal', async () => {
      await injectFault(sim.url, { path: 'sendActivityNotificationToRecipients', status: 412, times: 2 });
      const error = await feedWith(new CountingCredential()).notify([people[0]!.id], tracked, arrival!).catch((e) => e);
      assert.ok(error instanceof UpstreamError);
      assert.equal(error.transient, true);
      assert.equal(error.status, 412);
      assert.deepEqual((await feedCalls()).map((c) => c.status), [412, 412]);
    });
  });
});
