import assert from 'node:assert/strict';
import path from 'node:path';
import Database from 'better-sqlite3';
import { cardAction, installUpdate, message, personalActivity } from '../support/activities';
import { cardOf } from '../support/fake-connector';
import { startHarness, SUBSCRIPTION_ID, TENANT_ID, USERS, type Harness } from '../support/harness';
import { COMMENT_MAX_LENGTH } from '../../src/domain/decision';

const ADAPTIVE = 'application/vnd.microsoft.card.adaptive';

describe('input that cannot hurt, over HTTP', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ env: { LOCKBOX_SOURCES: 'azure' } });
    await h.post(installUpdate(h.connector.url, TENANT_ID, USERS.alex));
  });
  afterEach(() => h.close());

  const texts = (card: unknown) => JSON.stringify(card);

  it('answers a click on a request whose stored record is damaged with a card, never an HTTP error, since the error card does not need the store either', async () => {
    const { requestId } = h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID });
    await h.bot.watcher.runOnce();
    const key = `azure:${SUBSCRIPTION_ID}:${requestId}`;
    const db = new Database(path.join(h.dataDir, 'lockbox.sqlite'));
    db.prepare('UPDATE requests SET body = ? WHERE key = ?').run('{"key": "damaged', key);
    db.close();

    const click = await h.post(cardAction(h.connector.url, TENANT_ID, USERS.alex, 'lockbox.approve', { requestKey: key }));
    assert.equal(click.status, 200);
    assert.equal(click.body.type, ADAPTIVE);
    assert.match(texts(click.body.value), /nothing was decided/);
    assert.deepEqual((await h.admin(`/_simulator/lockbox/requests/${requestId}`)).decisions, []);
  });

  // Before the parser was linear this message held the event loop for 44 s, past the test's timeout.
  it('answers a 250,000-character message of "<" and stays healthy', async () => {
    const [answer, health] = await Promise.all([
      h.post(message(h.connector.url, TENANT_ID, USERS.alex, '<'.repeat(250_000))),
      fetch(`${h.bot.url}/healthz`),
    ]);
    assert.equal(answer.status, 200);
    assert.equal(health.status, 200);
    const replies = h.connector.calls.filter((c) => c.method === 'POST');
    assert.match(String(replies.at(-1)!.body.text), /I post each new Customer Lockbox request here/);
  });

  it('reads only the start of a huge command, and quotes it back short', async () => {
    const answer = await h.post(message(h.connector.url, TENANT_ID, USERS.alex, `/lockbox ${'<b'.repeat(200_000)}`));
    assert.equal(answer.status, 200);
    const reply = h.connector.calls.filter((c) => c.method === 'POST').at(-1)!;
    assert.ok(JSON.stringify(reply.body).length < 8000, 'a short usage card');
    assert.match(texts(cardOf(reply.body)), /is not a command/);
  });

  const outOfDate = (answer: { status: number; body: any }) => {
    assert.equal(answer.status, 200);
    assert.equal(answer.body.statusCode, 200);
    assert.equal(answer.body.type, ADAPTIVE);
    assert.match(texts(answer.body.value), /This card is out of date/);
    assert.match(texts(answer.body.value), /\/lockbox pending/);
  };

  it('answers a click with a verb it does not know (an old card) with a card, not a 5xx', async () => {
    outOfDate(await h.post(cardAction(h.connector.url, TENANT_ID, USERS.alex, 'lockbox.approve.v0', { requestKey: 'azure:x:y' })));
  });

  it('answers an invoke name it does not know with the same card', async () => {
    for (const name of ['task/fetch', 'composeExtension/query', 'ADAPTIVECARD/ACTION', 'signin/verifyState']) {
      outOfDate(await h.post(personalActivity(h.connector.url, TENANT_ID, USERS.alex, { type: 'invoke', name, value: { action: { type: 'Action.Execute', verb: 'lockbox.approve', data: {} } } })));
    }
  });

  it('answers a known verb sent as something other than Action.Execute with the same card', async () => {
    const activity = cardAction(h.connector.url, TENANT_ID, USERS.alex, 'lockbox.approve', { requestKey: 'azure:x:y' }) as Record<string, unknown>;
    outOfDate(await h.post({ ...activity, value: { action: { type: 'Action.Submit', verb: 'lockbox.approve', data: { requestKey: 'azure:x:y' } } } }));
    assert.equal((await h.post({ ...activity, value: { trigger: 'manual' } })).status, 200);
  });

  it('offers a comment box exactly as long as the comment the bot accepts', async () => {
    h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID });
    await h.bot.watcher.runOnce();
    const card = cardOf(h.connector.postedCards()[0]!.body);
    const box = findById(card, 'comment') as { maxLength?: number };
    assert.equal(box.maxLength, COMMENT_MAX_LENGTH);
    const key = (card as unknown as { actions: { data: { requestKey: string } }[] }).actions[0]!.data.requestKey;

    const tooLong = await h.post(cardAction(h.connector.url, TENANT_ID, USERS.alex, 'lockbox.approve', { requestKey: key, comment: 'x'.repeat(COMMENT_MAX_LENGTH + 1) }));
    assert.equal(tooLong.status, 200);
    assert.match(texts(tooLong.body.value), /Your comment is too long/);
    assert.equal((await h.audit(key)).some((e) => e.kind === 'decision.recorded'), false, 'nothing was decided');

    const longest = await h.post(cardAction(h.connector.url, TENANT_ID, USERS.alex, 'lockbox.approve', { requestKey: key, comment: 'y'.repeat(COMMENT_MAX_LENGTH) }));
    assert.match(texts(longest.body.value), /Approved by/);
    const recorded = (await h.audit(key)).find((e) => e.kind === 'decision.recorded')!;
    assert.equal(recorded.detail.comment, 'y'.repeat(COMMENT_MAX_LENGTH));
  });
});

/** An element anywhere in a card, e.g. the comment box behind "Add a comment". */
function findById(node: unknown, id: string): unknown {
  if (Array.isArray(node)) return node.map((n) => findById(n, id)).find(Boolean);
  if (!node || typeof node !== 'object') return undefined;
  if ((node as { id?: unknown }).id === id) return node;
  return Object.values(node).map((v) => findById(v, id)).find(Boolean);
}
