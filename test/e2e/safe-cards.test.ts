import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { cardAction, installUpdate, message } from '../support/activities';
import { injectFault } from '../support/clients';
import { cardOf } from '../support/fake-connector';
import { startHarness, SUBSCRIPTION_ID, TENANT_ID, USERS, type Harness } from '../support/harness';

const INVISIBLE = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\u2060\uFEFF\u200C\u200D]/;

describe('cards that never lie, over HTTP', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ env: { LOCKBOX_SOURCES: 'azure' } });
    await h.post(installUpdate(h.connector.url, TENANT_ID, USERS.alex));
  });
  afterEach(() => h.close());

  const postedCard = () => JSON.stringify(cardOf(h.connector.postedCards().at(-1)!.body));

  it('shows a justification without the characters that reverse or hide words, and audits it as received', async () => {
    const justification = 'Routine check \u202Eevorppa esaelp\u202C\u2066 and\u200B more\u2069';
    const { requestId } = h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID, justification });
    await h.bot.watcher.runOnce();
    const card = postedCard();
    assert.doesNotMatch(card, INVISIBLE);
    assert.match(card, /Routine check evorppa esaelp and more/);
    const detected = (await h.audit(`azure:${SUBSCRIPTION_ID}:${requestId}`)).find((e) => e.kind === 'request.detected')!;
    assert.equal((detected.detail.request as { justification: string }).justification, justification);
  });

  it('links a support case only to Microsoft, and shows any other address as the case number alone', async () => {
    h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID, supportRequest: '2611300010001', supportCaseUrl: 'https://portal.azure.com.evil.example/case/2611300010001' });
    await h.bot.watcher.runOnce();
    assert.doesNotMatch(postedCard(), /evil\.example/);
    assert.match(postedCard(), /2611300010001/);

  });

  it('shortens a 100 KB justification to fit Teams, says where the full text is, and audits it whole', async () => {
    const justification = `Start ${'lorem ipsum dolor sit amet '.repeat(4000)}end`;
    const { requestId } = h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID, justification });
    await h.bot.watcher.runOnce();
    const posted = h.connector.postedCards().at(-1)!;
    assert.ok(JSON.stringify(posted.body).length < 28 * 1024, `${JSON.stringify(posted.body).length} bytes`);
    assert.match(postedCard(), /Shortened to fit in Teams: the full text is in the \[Azure portal\]\(https:\/\/portal\.azure\.com\//);
    assert.match(postedCard(), /lockbox\.approve/, 'the buttons stay');
    const detected = (await h.audit(`azure:${SUBSCRIPTION_ID}:${requestId}`)).find((e) => e.kind === 'request.detected')!;
    assert.equal((detected.detail.request as { justification: string }).justification, justification);
  });

  it('sends the compact card once when Teams refuses a card as too large (413), and says so in /healthz', async () => {
    const chat = `a:personal-${USERS.alex.aadObjectId}`;
    h.connector.fail(chat, { status: 413, code: 'MessageSizeTooBig', message: 'Activity is too large' });
    const { requestId } = h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID });
    await h.bot.watcher.runOnce();
    assert.equal(h.connector.refused.length, 1, 'the refused payload is not sent again');
    assert.equal(h.connector.postedCards(chat).length, 1);
    assert.match(postedCard(), /too large to show in Teams in full/);
    assert.match(postedCard(), new RegExp(requestId));
    assert.match(postedCard(), /lockbox\.approve/);
    const health = (await (await fetch(`${h.bot.url}/healthz`)).json()) as { cardsTooLarge: { refusedTooLarge: number; replacedBeforeSending: number } };
    assert.equal(health.cardsTooLarge.refusedTooLarge, 1);
    assert.equal(health.cardsTooLarge.replacedBeforeSending, 0, 'the request card fitted the budget; only Teams refused it');
  });

  it('re-posts every pending card on its own: one Teams refuses does not keep the others back', async () => {
    for (let i = 0; i < 3; i++) h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID });
    await h.bot.watcher.runOnce();
    const chat = `a:personal-${USERS.alex.aadObjectId}`;
    const before = h.connector.postedCards(chat).length;
    h.connector.fail(chat, { status: 413, code: 'MessageSizeTooBig', message: 'Activity is too large', cardsOnly: true });
    assert.equal((await h.post(message(h.connector.url, TENANT_ID, USERS.alex, '/lockbox pending'))).status, 200);
    assert.equal(h.connector.postedCards(chat).length - before, 2, 'the other two cards');
    const last = h.connector.calls.filter((c) => c.method === 'POST' && c.conversationId === chat).at(-1)!;
    assert.match(String(last.body.text), /1 card could not be shown just now/);
  });

  it('re-posts every pending card even when Teams refuses the line that leads them', async () => {
    for (let i = 0; i < 2; i++) h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID });
    await h.bot.watcher.runOnce();
    const chat = `a:personal-${USERS.alex.aadObjectId}`;
    const before = h.connector.postedCards(chat).length;
    h.connector.fail(chat, { status: 502, code: 'BadGateway', message: 'Bad gateway', times: 5 });
    assert.equal((await h.post(message(h.connector.url, TENANT_ID, USERS.alex, '/lockbox pending'))).status, 200);
    assert.equal(h.connector.postedCards(chat).length - before, 2, 'both cards');
  });
});

describe('a status card that fits, over HTTP', () => {
  let h: Harness;
  afterEach(() => h.close());

  it('lists a few of 100 failing subscriptions and counts the rest', async () => {
    const failing = Array.from({ length: 100 }, () => randomUUID());
    h = await startHarness({ env: { LOCKBOX_SOURCES: 'azure', AZURE_SUBSCRIPTION_IDS: [SUBSCRIPTION_ID, ...failing].join(',') } });
    await h.post(installUpdate(h.connector.url, TENANT_ID, USERS.alex));
    await h.bot.watcher.runOnce();
    await h.post(message(h.connector.url, TENANT_ID, USERS.alex, '/lockbox status'));
    const reply = h.connector.calls.filter((c) => c.method === 'POST').at(-1)!;
    const card = JSON.stringify(cardOf(reply.body));
    assert.ok(JSON.stringify(reply.body).length < 10_000, `a small card (${JSON.stringify(reply.body).length} bytes)`);
    assert.equal(failing.filter((id) => card.includes(id)).length, 5);
    assert.match(card, /and 95 more problems: see the log/);
  });
});

describe('a submission that failed, over HTTP', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ env: { LOCKBOX_SOURCES: 'azure' } });
    await h.post(installUpdate(h.connector.url, TENANT_ID, USERS.alex));
  });
  afterEach(() => h.close());

  it('says plainly that nothing reached Microsoft, names no one as having decided, quotes no HTTP text, and offers the buttons again', async () => {
    const { requestId } = h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID });
    await h.bot.watcher.runOnce();
    const key = `azure:${SUBSCRIPTION_ID}:${requestId}`;
    await injectFault(h.simulator.url, { path: 'updateApproval$', status: 400, times: 1, body: { error: { code: 'InvalidRequestContent', message: 'HTTP 400 Bad Request: the body could not be read' } } });
    const answer = await h.post(cardAction(h.connector.url, TENANT_ID, USERS.alex, 'lockbox.approve', { requestKey: key }));
    const card = JSON.stringify(answer.body.value);
    assert.match(card, /did not reach Microsoft: nothing was approved or rejected there/);
    assert.doesNotMatch(card, /Approved by/);
    assert.doesNotMatch(card, /\b400\b|HTTP 4|Bad Request|InvalidRequestContent|could not be read/);
    assert.match(card, /lockbox\.approve/);
    assert.match(card, /lockbox\.reject/);
  });
  it('marks the failed decision in /lockbox history as not taken by Microsoft', async () => {
    const { requestId } = h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID });
    await h.bot.watcher.runOnce();
    await injectFault(h.simulator.url, { path: 'updateApproval$', status: 400, times: 1, body: { error: { code: 'InvalidRequestContent', message: 'bad' } } });
    await h.post(cardAction(h.connector.url, TENANT_ID, USERS.alex, 'lockbox.approve', { requestKey: `azure:${SUBSCRIPTION_ID}:${requestId}` }));
    // A Global Administrator reads the trail of both products.
    await h.post(installUpdate(h.connector.url, TENANT_ID, USERS.megan));
    const before = h.connector.calls.length;
    assert.equal((await h.post(message(h.connector.url, TENANT_ID, USERS.megan, '/lockbox history'))).status, 200);
    const reply = h.connector.calls.slice(before).filter((c) => c.method === 'POST' && c.body.attachments).map((c) => JSON.stringify(cardOf(c.body))).join('\n');
    assert.match(reply, /Approved by \*\*Alex Wilber\*\*/);
    assert.match(reply, /not taken by Microsoft/);
  });
});

describe('a request record with fields missing, over HTTP', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ env: { LOCKBOX_SOURCES: 'azure' } });
    await h.post(installUpdate(h.connector.url, TENANT_ID, USERS.alex));
  });
  afterEach(() => h.close());

  it('still brings it to approvers with what is known and a note that it was incomplete', async () => {
    const expires = new Date(Date.now() + 3 * 24 * 3_600_000).toISOString();
    const record = (requestId: string, properties: Record<string, unknown>) => ({
      id: `/subscriptions/${SUBSCRIPTION_ID}/providers/Microsoft.CustomerLockbox/requests/${requestId}`,
      name: requestId,
      type: 'requests',
      properties: { requestId, justification: `Case for ${requestId}`, expirationDateTime: expires, resourceType: 'Virtual Machine', ...properties },
    });
    const body = {
      value: [
        record('no-created-time', { status: '' }),
        record('no-zone', { status: 'Pending', createdDateTime: '2026-11-30T10:00:00' }),
      ],
    };
    await injectFault(h.simulator.url, { path: 'Microsoft.CustomerLockbox/requests$', status: 200, times: 1, body });
    await h.bot.watcher.runOnce();
    const cards = h.connector.postedCards().map((c) => JSON.stringify(cardOf(c.body)));
    for (const [id, fields] of [['no-created-time', 'status, createdDateTime'], ['no-zone', 'createdDateTime']] as const) {
      const card = cards.find((c) => c.includes(`Case for ${id}`));
      assert.ok(card, `a card for ${id}`);
      assert.match(card, new RegExp(`record of this request was incomplete \\(${fields}\\)`));
      assert.match(card, /lockbox\.approve/);
    }
  });
});

describe('a Microsoft 365 record with fields missing, and a record without an id, over HTTP', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ env: { LOCKBOX_SOURCES: 'azure,m365' } });
    await h.post(installUpdate(h.connector.url, TENANT_ID, USERS.alex));
  });
  afterEach(() => h.close());

  const health = async () => (await (await fetch(`${h.bot.url}/healthz`)).json()) as { lastPoll: { sources: { source: string; skippedRecords: number }[] } };

  it('still brings it to approvers with a note that it was incomplete; only a record without an id is skipped, and /healthz counts it', async () => {
    const expires = new Date(Date.now() + 6 * 3_600_000).toISOString();
    const records = [
      { ApprovalStatus: 'Pending', Comment: 'Case without an id', ExpiryTime: expires },
      { RequestId: 'EXSR7000001', ApprovalStatus: '', Comment: 'Case EXSR7000001' },
      { RequestId: 'EXSR7000002', ApprovalStatus: 'Pending', Comment: 'Case EXSR7000002', CreatedTime: '2026-11-30T10:00:00', ExpiryTime: expires },
    ];
    // Every listing in this test answers so (an install's own cycle may run after the one asked for).
    await injectFault(h.simulator.url, { path: 'InvokeCommand', cmdlet: 'Get-AccessToCustomerDataRequest', status: 200, times: 100, body: { value: records } });
    await h.bot.watcher.runOnce();
    const cards = h.connector.postedCards().map((c) => JSON.stringify(cardOf(c.body)));
    assert.equal(cards.length, 2);
    assert.equal(cards.some((c) => c.includes('Case without an id')), false);
    for (const [id, fields] of [['EXSR7000001', 'ApprovalStatus, CreatedTime, ExpiryTime'], ['EXSR7000002', 'CreatedTime']] as const) {
      const card = cards.find((c) => c.includes(`Case ${id}`));
      assert.ok(card, `a card for ${id}`);
      assert.match(card, new RegExp(`record of this request was incomplete \\(${fields}\\)`));
      assert.match(card, /lockbox\.approve/);
    }
    assert.deepEqual((await health()).lastPoll.sources.map((s) => [s.source, s.skippedRecords]), [['azure', 0], ['m365', 1]]);
  });

  it('counts an Azure record without an id in /healthz as well', async () => {
    const expires = new Date(Date.now() + 3 * 24 * 3_600_000).toISOString();
    const body = { value: [{ type: 'requests', properties: { status: 'Pending', justification: 'No id at all', expirationDateTime: expires } }] };
    await injectFault(h.simulator.url, { path: 'Microsoft.CustomerLockbox/requests$', status: 200, times: 100, body });
    await h.bot.watcher.runOnce();
    assert.equal(h.connector.postedCards().length, 0);
    assert.deepEqual((await health()).lastPoll.sources.map((s) => [s.source, s.skippedRecords]), [['azure', 1], ['m365', 0]]);
  });
});
