import assert from 'node:assert/strict';
import { BOT, cardAction, installUpdate, message, personalActivity, uninstallUpdate, type TeamsUser } from '../support/activities';
import { cardOf } from '../support/fake-connector';
import { startHarness, SUBSCRIPTION_ID, TENANT_ID, USERS, type Harness } from '../support/harness';
import { waitUntil } from '../support/wait';

const ADAPTIVE = 'application/vnd.microsoft.card.adaptive';


describe('the approval loop, end to end over HTTP', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  const install = async (user: TeamsUser) => assert.equal((await h.post(installUpdate(h.connector.url, TENANT_ID, user))).status, 200);
  const click = (user: TeamsUser, verb: string, data: unknown, replyToId?: string) => h.post(cardAction(h.connector.url, TENANT_ID, user, verb, data, replyToId));
  const newRequest = async (justification = 'Investigating a failed VM start for case 123') => {
    const record = h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID, justification });
    await h.bot.watcher.runOnce();
    return { requestId: record.requestId, key: `azure:${SUBSCRIPTION_ID}:${record.requestId}` };
  };
  const cardFor = (user: TeamsUser) => {
    const [posted, ...more] = h.connector.postedCards(`a:personal-${user.aadObjectId}`);
    assert.equal(more.length, 0, `one card for ${user.name}`);
    return posted!;
  };
  const texts = (card: Record<string, unknown>) => JSON.stringify(card);

  it('posts one card per approver who has a chat with the bot, and none to anyone else', async () => {
    await Promise.all([install(USERS.alex), install(USERS.isaiah), install(USERS.adele)]);
    const { requestId, key } = await newRequest();

    for (const approver of [USERS.alex, USERS.isaiah]) {
      const card = cardOf(cardFor(approver).body);
      assert.equal(card.version, '1.5');
      assert.match(texts(card), new RegExp(requestId));
      assert.match(texts(card), /Investigating a failed VM start/);
      const verbs = (card.actions as { verb?: string }[]).map((a) => a.verb).filter(Boolean);
      assert.deepEqual(verbs, ['lockbox.approve', 'lockbox.reject']);
      assert.deepEqual((card.actions as { data?: unknown }[])[0]!.data, { requestKey: key });
    }
    assert.equal(h.connector.postedCards(`a:personal-${USERS.adele.aadObjectId}`).length, 0);
  });

  it('approves from the card: the clicker gets the decided card, Microsoft gets the decision, every copy is updated', async () => {
    await Promise.all([install(USERS.alex), install(USERS.isaiah)]);
    const { requestId, key } = await newRequest();
    const alexCard = cardFor(USERS.alex);
    const meganCard = cardFor(USERS.isaiah);

    const answer = await click(USERS.alex, 'lockbox.approve', { requestKey: key, comment: 'Approved for case 123' }, alexCard.body.id as string);

    assert.equal(answer.status, 200);
    assert.equal(answer.body.type, ADAPTIVE);
    assert.match(texts(answer.body.value), /Approved by \*\*Alex Wilber\*\*/);
    assert.equal(JSON.stringify(answer.body.value.actions).includes('lockbox.approve'), false, 'the decided card has no buttons');

    const upstream = await h.admin(`/_simulator/lockbox/requests/${requestId}`);
    assert.equal(upstream.request.properties.status, 'Approved');
    assert.deepEqual(upstream.decisions.map((d: { status: string; reason: string }) => [d.status, d.reason]), [['Approve', 'Approved for case 123']]);

    // The clicker's answer does not wait for the other copies; they follow right after.
    await waitUntil(() => h.connector.updates(meganCard.body.id as string).some((u) => /Microsoft can (read|access) \*\*/.test(texts(cardOf(u.body)))));
    assert.match(texts(cardOf(h.connector.updates(meganCard.body.id as string).at(-1)!.body)), /Approved by \*\*Alex Wilber\*\*/);
  });

  it('rejects with a comment and sends Deny upstream with that reason', async () => {
    await install(USERS.isaiah);
    const { requestId, key } = await newRequest();
    const answer = await click(USERS.isaiah, 'lockbox.reject', { requestKey: key, comment: 'No open case for this' });
    assert.match(texts(answer.body.value), /Rejected by \*\*Isaiah Langer\*\*/);
    const upstream = await h.admin(`/_simulator/lockbox/requests/${requestId}`);
    assert.equal(upstream.request.properties.status, 'Denied');
    assert.equal(upstream.decisions[0].reason, 'No open case for this');
  });

  it('refuses a person without an approver role, records the attempt, and decides nothing', async () => {
    await install(USERS.alex);
    const { requestId, key } = await newRequest();

    const answer = await click(USERS.adele, 'lockbox.approve', { requestKey: key });

    assert.equal(answer.status, 200);
    assert.match(texts(answer.body.value), /You can't decide this request/);
    const request = h.simulator.tenant.getRequest(requestId)!;
    for (const secret of [request.justification, request.resourceIds, request.supportRequest, requestId, SUBSCRIPTION_ID, 'Alex Wilber']) {
      assert.equal(texts(answer.body.value).includes(secret), false, `the refusal reveals nothing about the request (${secret})`);
    }
    const upstream = await h.admin(`/_simulator/lockbox/requests/${requestId}`);
    assert.equal(upstream.request.properties.status, 'Pending');
    assert.deepEqual(upstream.decisions, []);
    assert.equal(h.connector.updates().length, 0);
    const audit = await h.audit(key);
    assert.deepEqual(audit.map((a) => a.kind), ['decision.refused', 'request.detected']);
    assert.equal(audit[0]!.actor?.aadObjectId, USERS.adele.aadObjectId);
    assert.equal(audit[0]!.detail.reason, 'no-role');
  });

  it('refuses a click from another tenant even if the person holds the role at home', async () => {
    await install(USERS.alex);
    const { key } = await newRequest();
    const answer = await h.post(cardAction(h.connector.url, '99999999-0000-4000-8000-000000000000', USERS.alex, 'lockbox.approve', { requestKey: key }));
    assert.match(texts(answer.body.value), /another organisation/);
  });

  it('answers a retried invoke with the same card and submits upstream only once', async () => {
    await install(USERS.alex);
    const { key } = await newRequest();
    const activity = cardAction(h.connector.url, TENANT_ID, USERS.alex, 'lockbox.approve', { requestKey: key, comment: 'ok' });

    const first = await h.post(activity);
    const again = await h.post(activity);
    const doubleTap = await click(USERS.alex, 'lockbox.reject', { requestKey: key });

    assert.deepEqual(again.body, first.body);
    assert.equal(again.status, 200);
    assert.match(texts(doubleTap.body.value), /Approved by \*\*Alex Wilber\*\*/);
    const calls = await h.admin('/_simulator/calls');
    assert.equal(calls.filter((c: { path: string }) => c.path.endsWith('/updateApproval')).length, 1);
  });

  it('decides once when Teams sends the same invoke twice at the same moment', async () => {
    await install(USERS.alex);
    const { key } = await newRequest();
    const activity = cardAction(h.connector.url, TENANT_ID, USERS.alex, 'lockbox.approve', { requestKey: key });
    const answers = await Promise.all([h.post(activity), h.post(activity), h.post(activity)]);
    assert.ok(answers.every((a) => a.status === 200 && /Approved by \*\*Alex Wilber\*\*/.test(texts(a.body.value))));
    const calls = await h.admin('/_simulator/calls');
    assert.equal(calls.filter((c: { path: string }) => c.path.endsWith('/updateApproval')).length, 1);
  });

  it('turns a 50-way click race between two approvers into exactly one upstream decision', async () => {
    await Promise.all([install(USERS.alex), install(USERS.isaiah)]);
    const { requestId, key } = await newRequest();
    const clicks = Array.from({ length: 50 }, (_, i) => click(i % 2 ? USERS.alex : USERS.isaiah, i % 3 ? 'lockbox.approve' : 'lockbox.reject', { requestKey: key }));
    const answers = await Promise.all(clicks);
    assert.ok(answers.every((a) => a.status === 200));
    const calls = await h.admin('/_simulator/calls');
    assert.equal(calls.filter((c: { path: string }) => c.path.endsWith('/updateApproval')).length, 1);
    const upstream = await h.admin(`/_simulator/lockbox/requests/${requestId}`);
    assert.equal(upstream.decisions.length, 1);
    assert.equal((await h.audit(key)).filter((e) => e.kind === 'decision.recorded').length, 1);
  });

  it('tells a second approver who already decided', async () => {
    await Promise.all([install(USERS.alex), install(USERS.isaiah)]);
    const { key } = await newRequest();
    await click(USERS.alex, 'lockbox.approve', { requestKey: key });
    const late = await click(USERS.isaiah, 'lockbox.reject', { requestKey: key });
    assert.match(texts(late.body.value), /Already approved by Alex Wilber at \{\{DATE\(\d{4}-\d\d-\d\dT[\d:]+Z, SHORT\)\}\}/);
  });

  it('answers tampered card data with a clear card and decides nothing', async () => {
    await install(USERS.alex);
    const { requestId } = await newRequest();
    for (const data of [{}, { requestKey: 42 }, { requestKey: 'azure:tenant:not-a-request' }, { requestKey: 'x'.repeat(5000) }]) {
      const answer = await click(USERS.alex, 'lockbox.approve', data);
      assert.equal(answer.status, 200);
      assert.match(texts(answer.body.value), /nothing was decided/i);
    }
    const upstream = await h.admin(`/_simulator/lockbox/requests/${requestId}`);
    assert.deepEqual(upstream.decisions, []);
  });

  it('restarts in the middle of a pending request without posting its cards again', async () => {
    await Promise.all([install(USERS.alex), install(USERS.isaiah)]);
    await newRequest();
    assert.equal(h.connector.postedCards().length, 2);

    await h.restartBot();
    await h.bot.watcher.runOnce();
    await install(USERS.alex);
    await h.bot.watcher.runOnce();

    assert.equal(h.connector.postedCards().length, 2);
  });

  it('answers "sending" when Microsoft is slow, then updates every copy once it answers', async () => {
    await Promise.all([install(USERS.alex), install(USERS.isaiah)]);
    const { requestId, key } = await newRequest();
    await fetch(`${h.simulator.url}/_simulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ path: 'updateApproval', delayMs: 3000 }) });

    const answer = await click(USERS.alex, 'lockbox.approve', { requestKey: key });

    assert.match(texts(answer.body.value), /Sending it to Microsoft/);
    assert.equal(JSON.stringify(answer.body.value).includes('lockbox.approve'), false, 'no second decision while the first is on its way');
    const meganCard = cardFor(USERS.isaiah).body.id as string;
    await waitUntil(() => h.connector.updates(meganCard).some((u) => /Microsoft can (read|access) \*\*/.test(texts(cardOf(u.body)))));
    assert.equal((await h.admin(`/_simulator/lockbox/requests/${requestId}`)).request.properties.status, 'Approved');
    const last = h.connector.updates(meganCard).at(-1)!;
    assert.match(texts(cardOf(last.body)), /Microsoft can (read|access) \*\*/, 'the last update shows the final state');
  });

  it('takes the other approvers\' buttons away as soon as a decision is recorded', async () => {
    await Promise.all([install(USERS.alex), install(USERS.isaiah)]);
    const { key } = await newRequest();
    const meganCard = cardFor(USERS.isaiah).body.id as string;
    await click(USERS.alex, 'lockbox.reject', { requestKey: key, comment: 'no case' });
    await waitUntil(() => h.connector.updates(meganCard).length > 0);
    assert.ok(h.connector.updates(meganCard).every((u) => !JSON.stringify(cardOf(u.body)).includes('lockbox.approve')));
  });

  it('survives a restart without posting anything twice, and the decided card stays decided', async () => {
    await Promise.all([install(USERS.alex), install(USERS.isaiah)]);
    const { key } = await newRequest();
    await click(USERS.alex, 'lockbox.approve', { requestKey: key });
    const postedBefore = h.connector.postedCards().length;

    await h.restartBot();
    await h.bot.watcher.runOnce();
    await h.bot.watcher.runOnce();

    assert.equal(h.connector.postedCards().length, postedBefore);
    const again = await click(USERS.alex, 'lockbox.approve', { requestKey: key });
    assert.match(texts(again.body.value), /Approved by \*\*Alex Wilber\*\*/);
  });

  it('posts a pending request to an approver who installs the bot later', async () => {
    await newRequest();
    await install(USERS.alex);
    await h.bot.watcher.runOnce();
    assert.equal(h.connector.postedCards(`a:personal-${USERS.alex.aadObjectId}`).length, 1);
  });

  it('stops posting to someone who removed the bot, and starts again when they add it back', async () => {
    await install(USERS.alex);
    await h.post(uninstallUpdate(h.connector.url, TENANT_ID, USERS.alex));
    await newRequest();
    assert.equal(h.connector.postedCards().length, 0);
    await install(USERS.alex);
    await h.bot.watcher.runOnce();
    assert.equal(h.connector.postedCards(`a:personal-${USERS.alex.aadObjectId}`).length, 1);
  });

  it('treats a conversationUpdate that removes the bot from a personal chat as an uninstall: no card goes there', async () => {
    await install(USERS.alex);
    const removed = personalActivity(h.connector.url, TENANT_ID, USERS.alex, { type: 'conversationUpdate', membersRemoved: [{ id: BOT.id, name: BOT.name }] });
    assert.equal((await h.post(removed)).status, 200);
    await newRequest();
    assert.equal(h.connector.postedCards(`a:personal-${USERS.alex.aadObjectId}`).length, 0);
  });

  it('keeps no chat with someone from another organisation, so no card ever goes there', async () => {
    await h.post(installUpdate(h.connector.url, '99999999-0000-4000-8000-000000000000', USERS.isaiah));
    await newRequest();
    assert.equal(h.connector.postedCards().length, 0);
  });

  it('welcomes a new user and answers any message with help', async () => {
    await install(USERS.alex);
    const welcome = h.connector.calls.find((c) => c.method === 'POST' && /Lockbox Bot/.test(String(c.body.text)));
    assert.ok(welcome, 'a welcome message was sent');
    await h.post(message(h.connector.url, TENANT_ID, USERS.alex, 'hello?'));
    assert.ok(h.connector.calls.some((c) => /Approve and Reject buttons/.test(String(c.body.text))));
  });

  it('shows a failing poll in its health, then recovers on the next interval', async () => {
    await fetch(`${h.simulator.url}/_simulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ path: 'Microsoft.CustomerLockbox', status: 403, times: 1 }) });
    await h.bot.watcher.runOnce();
    const failing = await fetch(`${h.bot.url}/healthz`);
    const text = await failing.text();
    const body = JSON.parse(text) as { pollOk: boolean; lastPoll: { ok: boolean; sources: { ok: boolean }[] } };
    assert.equal(failing.status, 200, 'a failing upstream is reported, not a reason to recycle the instance');
    assert.equal(body.pollOk, false);
    assert.equal(body.lastPoll.sources[0]?.ok, false);
    assert.equal(text.includes(SUBSCRIPTION_ID) || /AuthorizationFailed|403/.test(text), false, 'the public probe gives no error texts or subscription ids');
    await h.bot.watcher.runOnce();
    assert.equal(((await (await fetch(`${h.bot.url}/healthz`)).json()) as { pollOk: boolean }).pollOk, true);
  });

  it('reports its health, including the last poll', async () => {
    await h.bot.watcher.runOnce();
    const response = await fetch(`${h.bot.url}/healthz`);
    const body = (await response.json()) as { store: string; lastPoll: { ok: boolean } };
    assert.equal(response.status, 200);
    assert.equal(body.store, 'ok');
    assert.equal(body.lastPoll.ok, true);
  });
});
