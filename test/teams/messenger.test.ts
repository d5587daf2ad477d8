import assert from 'node:assert/strict';
import http from 'node:http';
import { DeliveryFailed } from '../../src/domain/errors';
import type { Conversation } from '../../src/domain/ports';
import type { TrackedRequest } from '../../src/domain/tracked';
import { silentLogger } from '../../src/runtime/logger';
import { createAdapter } from '../../src/teams/bot';
import { TeamsMessenger, type MessengerOptions } from '../../src/teams/messenger';
import { Pacer, type PacerLimits } from '../../src/teams/pacer';
import { DEFAULT_RETRY, parseRetryAfter, retryDelay } from '../../src/teams/retry';
import { startFakeConnector, type FakeConnector, type FakeConnectorOptions } from '../support/fake-connector';
import { FixedClock, pendingRequest } from '../support/fakes';

const NO_LIMITS: PacerLimits = { tenant: [], conversation: [] };
const tracked: TrackedRequest = { key: 'azure:sub-1:b1f2c3d4-0000-4000-8000-000000000001', request: pendingRequest(), firstSeenAt: '2026-11-28T08:00:00.000Z', updatedAt: '2026-11-28T08:00:00.000Z' };

function conversationAt(serviceUrl: string, userId = 'user-1'): Conversation {
  const conversationId = `a:personal-${userId}`;
  const reference = { serviceUrl, channelId: 'msteams', conversation: { id: conversationId }, bot: { id: '28:lockbox-bot' }, user: { id: `29:${userId}` } };
  return { userId, tenantId: 'tenant-1', conversationId, reference, updatedAt: '2026-11-28T08:00:00.000Z' };
}

describe('the Teams messenger, against a fake Bot Connector', () => {
  let connector: FakeConnector;
  let delays: number[];
  afterEach(async () => connector?.close());

  /** A messenger over the real CloudAdapter; its retries record their delays and wait only a moment. */
  async function setUp(connectorOptions: FakeConnectorOptions = {}, options: MessengerOptions = {}) {
    connector = await startFakeConnector(connectorOptions);
    delays = [];
    const sleep = async (ms: number) => void delays.push(ms);
    const adapter = createAdapter({ id: '', password: '', tenantId: '', type: '' }, silentLogger);
    return new TeamsMessenger(adapter, '', new FixedClock(), { pacer: new Pacer(NO_LIMITS), ...options, retry: { sleep, ...options.retry } });
  }

  it('retries a 429 after the Retry-After the connector sent, and the post lands once', async () => {
    const messenger = await setUp({ limits: { conversation: [{ count: 7, windowMs: 1000 }], overall: [] } }, { retry: { sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) } });
    const chat = conversationAt(connector.url);
    const ids = await Promise.all(Array.from({ length: 8 }, () => messenger.postRequestCard(chat, tracked)));

    assert.equal(new Set(ids).size, 8);
    assert.equal(connector.postedCards(chat.conversationId).length, 8, 'every card lands exactly once');
    assert.equal(connector.throttled(), 1);
    const [refusal] = connector.refused;
    const retried = connector.calls.at(-1)!;
    assert.ok(retried.at! - refusal!.at! >= 1000, `retried ${Math.round(retried.at! - refusal!.at!)} ms after the 429, before Retry-After: 1 had passed`);
  });

  it('waits as long as a Retry-After given as an HTTP date asks', async () => {
    const now = Date.parse('2026-11-28T09:00:00Z');
    const messenger = await setUp({}, { retry: { now: () => now } });
    const chat = conversationAt(connector.url);
    connector.fail(chat.conversationId, { status: 429, code: 'TooManyRequests', retryAfter: 'Sat, 28 Nov 2026 09:00:03 GMT' });
    await messenger.postRequestCard(chat, tracked);
    assert.deepEqual(delays, [3000]);
    assert.equal(connector.postedCards(chat.conversationId).length, 1);
  });

  for (const [status, code] of [
    [403, 'ConversationBlockedByUser'],
    [403, 'BotNotInConversationRoster'],
    [403, 'BotDisabledByAdmin'],
    [404, 'ConversationNotFound'],
    [400, 'BadArgument'],
  ] as const) {
    it(`gives up on a ${status} ${code} without retrying and reports status ${status}`, async () => {
      const messenger = await setUp();
      const chat = conversationAt(connector.url);
      connector.fail(chat.conversationId, { status, code, times: Infinity });
      await assert.rejects(messenger.postRequestCard(chat, tracked), (error: unknown) => {
        assert.ok(error instanceof DeliveryFailed);
        assert.equal(error.status, status);
        assert.equal(error.delivered, 'no');
        return true;
      });
      assert.equal(connector.refused.length, 1, 'one request, no retries');
      assert.deepEqual(delays, []);
    });
  }

  for (const status of [502, 412, 503, 504]) {
    it(`retries a ${status} with a backoff and then succeeds`, async () => {
      const messenger = await setUp();
      const chat = conversationAt(connector.url);
      connector.fail(chat.conversationId, { status });
      const id = await messenger.postRequestCard(chat, tracked);
      assert.equal(id, 'activity-1');
      assert.equal(connector.refused.length, 1);
      assert.equal(connector.postedCards(chat.conversationId).length, 1);
      assert.equal(delays.length, 1);
      assert.ok(delays[0]! >= DEFAULT_RETRY.baseDelayMs / 2 && delays[0]! <= DEFAULT_RETRY.baseDelayMs, `waited ${delays[0]} ms`);
    });
  }

  it('stops after five attempts at a lasting 503, with growing waits, and reports 503', async () => {
    const messenger = await setUp();
    const chat = conversationAt(connector.url);
    connector.fail(chat.conversationId, { status: 503, code: 'ServiceUnavailable', times: Infinity });
    await assert.rejects(messenger.postRequestCard(chat, tracked), (error: unknown) => error instanceof DeliveryFailed && error.status === 503 && error.delivered === 'no');
    // Five requests in all: botbuilder's own client retries are off, or there would be four per attempt.
    assert.equal(connector.refused.length, 5);
    assert.equal(delays.length, 4);
    delays.forEach((delay, i) => assert.ok(delay >= 250 * 2 ** i && delay <= 500 * 2 ** i, `wait ${i + 1} was ${delay} ms`));
  });

  it('reports a failed update with its status instead of losing it in the turn error handler', async () => {
    const messenger = await setUp();
    const chat = conversationAt(connector.url);
    connector.fail(chat.conversationId, { status: 404, code: 'ConversationNotFound' });
    await assert.rejects(messenger.updateRequestCard(chat, 'activity-7', tracked), (error: unknown) => error instanceof DeliveryFailed && error.status === 404);
    assert.equal(connector.updates().length, 0);
  });

  it('does not retry when the connection fails, since the card may have gone through, and says delivery is unknown', async () => {
    const messenger = await setUp();
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as { port: number }).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await assert.rejects(messenger.postRequestCard(conversationAt(url), tracked), (error: unknown) => error instanceof DeliveryFailed && error.delivered === 'unknown');
    assert.deepEqual(delays, []);
  });

  it('keeps posts and updates in many chats under the connector limits when both use the same numbers', async () => {
    const limits = { conversation: [{ count: 2, windowMs: 200 }, { count: 3, windowMs: 1000 }], overall: [{ count: 5, windowMs: 100 }] };
    const messenger = await setUp({ limits }, { pacer: new Pacer({ tenant: limits.overall, conversation: limits.conversation }) });
    const chats = ['a', 'b', 'c', 'd'].map((user) => conversationAt(connector.url, user));
    const ids = await Promise.all(chats.flatMap((chat) => [1, 2].map(() => messenger.postRequestCard(chat, tracked))));
    await Promise.all(chats.flatMap((chat, i) => [messenger.updateRequestCard(chat, ids[2 * i]!, tracked)]));
    assert.equal(connector.throttled(), 0);
    assert.equal(connector.postedCards().length, 8);
    assert.equal(connector.updates().length, 4);
  });
});

describe('reading Retry-After', () => {
  const now = Date.parse('2026-11-28T09:00:00Z');
  for (const [value, expected] of [
    ['1', 1000],
    [' 120 ', 120_000],
    ['0', 0],
    ['Sat, 28 Nov 2026 09:00:02 GMT', 2000],
    ['Sat, 28 Nov 2026 08:59:00 GMT', 0],
    ['soon', undefined],
    ['', undefined],
    [undefined, undefined],
  ] as const) {
    it(`reads ${JSON.stringify(value)} as ${expected} ms`, () => assert.equal(parseRetryAfter(value, now), expected));
  }

  it('does not wait out a Retry-After longer than the policy allows', () => {
    const error = Object.assign(new Error('429'), { statusCode: 429, response: { headers: { get: () => '3600' } } });
    assert.equal(retryDelay(error, 1, { ...DEFAULT_RETRY, now: () => 0 }), undefined);
  });
});
