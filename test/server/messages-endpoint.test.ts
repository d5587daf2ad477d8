import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { ActivityTypes, type Activity } from 'botbuilder';
import { Application, type TurnState } from '@microsoft/teams-ai';
import type restify from 'restify';
import { silentLogger } from '../../src/runtime/logger';
import { createServer } from '../../src/server';
import { createAdapter, type LockboxAdapter } from '../../src/teams/bot';
import { cardAction, message, type TeamsUser } from '../support/activities';

const USER: TeamsUser = { aadObjectId: '00000000-0000-4000-8000-0000000000bb', name: 'Test User' };
const CARD = { type: 'AdaptiveCard' as const, version: '1.5', body: [{ type: 'TextBlock', text: 'Done' }] };

describe('the messaging endpoint', () => {
  let server: restify.Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  async function start(botId = '', setUp: (app: Application<TurnState>, adapter: LockboxAdapter) => void = () => undefined) {
    const adapter = createAdapter({ id: botId, password: botId ? 'secret' : '', tenantId: '', type: botId ? 'MultiTenant' : '' }, silentLogger);
    const app = new Application<TurnState>({ adapter, botAppId: botId, startTypingTimer: false, longRunningMessages: false });
    setUp(app, adapter);
    server = createServer(adapter, app, { check: async () => ({ ok: true }) }, silentLogger);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return {
      adapter,
      post: async (body: unknown, headers: Record<string, string> = {}) => {
        const response = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
        const text = await response.text();
        return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
      },
    };
  }

  it("answers a card action with the handler's card as the invoke response, and the adapter's User-Agent", async () => {
    const { adapter, post } = await start('', (app) => app.adaptiveCards.actionExecute('verb', async () => CARD));
    const answer = await post(cardAction('http://127.0.0.1:9/', 'tenant-1', USER, 'verb', {}));
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.json(), { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: CARD });
    assert.equal(answer.headers.get('user-agent'), adapter.userAgent);
  });

  it('answers 501 without a body to an invoke no handler answers', async () => {
    const { post } = await start();
    const answer = await post({ ...message('http://127.0.0.1:9/', 'tenant-1', USER, ''), type: ActivityTypes.Invoke, name: 'no/such' });
    assert.equal(answer.status, 501);
    assert.equal(answer.text, '');
  });

  it('hands the turn the times as dates, keeping the text Teams sent', async () => {
    let seen: Activity | undefined;
    const { post } = await start('', (app) => app.activity(ActivityTypes.Message, async (context) => void (seen = context.activity)));
    const sent = { ...message('http://127.0.0.1:9/', 'tenant-1', USER, 'hi'), timestamp: '2026-12-01T03:00:00.123Z', localTimestamp: '2026-12-01T04:00:00.123+01:00', expiration: '2026-12-01T03:10:00Z' };
    assert.equal((await post(sent)).status, 200);
    assert.ok(seen?.timestamp instanceof Date && seen.localTimestamp instanceof Date && seen.expiration instanceof Date);
    assert.equal(seen.timestamp.toISOString(), '2026-12-01T03:00:00.123Z');
    const raw = seen as unknown as Record<string, unknown>;
    assert.equal(raw.rawTimestamp, '2026-12-01T03:00:00.123Z');
    assert.equal(raw.rawLocalTimestamp, '2026-12-01T04:00:00.123+01:00');
    assert.equal(raw.rawExpiration, '2026-12-01T03:10:00Z');
  });

  it('refuses with 401 an activity without a token when the bot has an app id, and never runs the turn', async () => {
    let ran = false;
    const { post } = await start('6d0f7bb2-0000-4000-8000-000000000001', (app) => app.activity(ActivityTypes.Message, async () => void (ran = true)));
    const answer = await post(message('http://127.0.0.1:9/', 'tenant-1', USER, 'hi'));
    assert.equal(answer.status, 401);
    assert.match(answer.text, /Unauthorized/);
    assert.equal((await post(message('http://127.0.0.1:9/', 'tenant-1', USER, 'hi'), { authorization: 'Bearer not-a-jwt' })).status, 401);
    assert.equal(ran, false);
  });

  it('answers 500 with the error when a turn fails past the turn error handler', async () => {
    const { post } = await start('', (app, adapter) => {
      app.activity(ActivityTypes.Message, async () => {
        throw new Error('the store is gone');
      });
      adapter.onTurnError = async (_context, error) => {
        throw error;
      };
    });
    const answer = await post(message('http://127.0.0.1:9/', 'tenant-1', USER, 'hi'));
    assert.equal(answer.status, 500);
    assert.match(answer.text, /the store is gone/);
  });

  it('refuses with 400 a body that is not an activity, before any turn', async () => {
    const { post } = await start();
    assert.equal((await post([1, 2])).status, 400);
    assert.equal((await post({ type: 'message' })).status, 400);
    assert.equal((await post({ serviceUrl: 'http://127.0.0.1:9/' })).status, 400);
  });
});
