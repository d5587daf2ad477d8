import assert from 'node:assert/strict';
import { cardAction, installUpdate, message, type TeamsUser } from '../support/activities';
import { injectFault } from '../support/clients';
import { cardOf } from '../support/fake-connector';
import { FixedClock } from '../support/fakes';
import { startHarness, SUBSCRIPTION_ID, TENANT_ID, USERS, type Harness } from '../support/harness';

const PROXY_PAGE = { status: 200, body: '<!DOCTYPE html><html><body>Your session has expired. Sign in again.</body></html>', headers: { 'content-type': 'text/html; charset=utf-8' } };

describe('a decision is done only when Microsoft\'s own record says so, over HTTP', () => {
  let h: Harness;
  let clock: FixedClock;
  beforeEach(async () => {
    clock = new FixedClock(new Date());
    h = await startHarness({ bot: { clock }, env: { LOCKBOX_SOURCES: 'azure,m365' } });
    for (const user of [USERS.alex, USERS.megan, USERS.isaiah]) await h.post(installUpdate(h.connector.url, TENANT_ID, user));
  });
  afterEach(() => h.close());

  const text = (card: unknown) => JSON.stringify(card);
  const click = async (user: TeamsUser, verb: string, requestKey: string, comment = '') => text((await h.post(cardAction(h.connector.url, TENANT_ID, user, verb, { requestKey, comment }))).body.value);
  const lastCardOf = (activityId: string) => text(cardOf(h.connector.updates(activityId).at(-1)!.body));
  const history = async () => {
    const before = h.connector.calls.length;
    await h.post(message(h.connector.url, TENANT_ID, USERS.megan, '/lockbox history 5'));
    return h.connector.calls.slice(before).map((c) => text(c.body)).join('\n');
  };
  const newAzureRequest = async () => {
    const { requestId } = h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID });
    await h.bot.watcher.runOnce();
    return { requestId, key: `azure:${SUBSCRIPTION_ID}:${requestId}`, cards: h.connector.postedCards().map((c) => c.body.id as string) };
  };
  const upstreamStatus = async (requestId: string) => (await h.admin(`/_simulator/lockbox/requests/${requestId}`)).request.properties.status;

  it('a Reject answered by a proxy\'s HTML page, then an approval in the portal, ends up Approved on every card and in history', async () => {
    const { requestId, key, cards } = await newAzureRequest();
    await injectFault(h.simulator.url, { path: 'updateApproval$', ...PROXY_PAGE });

    const answer = await click(USERS.isaiah, 'lockbox.reject', key, 'no case');
    assert.match(answer, /Sent, waiting for Microsoft to confirm/);
    assert.doesNotMatch(answer, /Rejected\. Microsoft gets no access/);
    assert.equal(await upstreamStatus(requestId), 'Pending');
    assert.match(await history(), /sent, waiting for Microsoft to confirm/);

    h.simulator.tenant.setRequestStatus(requestId, 'Approved');
    await h.bot.watcher.runOnce();
    for (const card of cards) {
      assert.match(lastCardOf(card), /Microsoft can (read|access) \*\*/);
      assert.match(lastCardOf(card), /not the rejection sent from Teams/);
      assert.equal(lastCardOf(card).includes('lockbox.approve'), false);
    }
    assert.match(await history(), /Microsoft: Approved/);
    assert.equal((await h.audit(key))[0]?.kind, 'decision.adopted');
  });

  it('an approval Microsoft answered but never took is never shown as approved, and shows the expiry Microsoft reports', async () => {
    const { requestId, key, cards } = await newAzureRequest();
    await injectFault(h.simulator.url, { path: 'updateApproval$', status: 200, body: { status: 'Approve' } }); // 200, yet nothing happens upstream
    const answer = await click(USERS.alex, 'lockbox.approve', key);
    assert.match(answer, /Sent, waiting for Microsoft to confirm/);
    await h.bot.watcher.runOnce();
    assert.match(lastCardOf(cards[0]!), /Sent, waiting for Microsoft to confirm/);
    assert.doesNotMatch(lastCardOf(cards[0]!), /Microsoft may access/);

    h.simulator.tenant.setRequestStatus(requestId, 'Expired');
    await h.bot.watcher.runOnce();
    for (const card of cards) {
      assert.match(lastCardOf(card), /Expired/);
      assert.doesNotMatch(lastCardOf(card), /Microsoft may access/);
    }
  });

  it('a decision Microsoft still shows as waiting after the confirmation window may be made again', async () => {
    const { requestId, key, cards } = await newAzureRequest();
    await injectFault(h.simulator.url, { path: 'updateApproval$', ...PROXY_PAGE });
    await click(USERS.alex, 'lockbox.approve', key);
    clock.advance(16 * 60_000);
    await h.bot.watcher.runOnce();
    assert.match(lastCardOf(cards[0]!), /its record still shows the request waiting, so the decision did not take effect/);
    assert.ok(lastCardOf(cards[0]!).includes('lockbox.approve'), 'the buttons are back');

    assert.match(await click(USERS.isaiah, 'lockbox.approve', key), /Microsoft can (read|access) \*\*/);
    assert.equal(await upstreamStatus(requestId), 'Approved');
  });

  it('a Microsoft 365 decision answered with warnings only is not counted until Exchange shows it', async () => {
    const created = await (await fetch(`${h.simulator.url}/_simulator/m365/requests`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json() as { RequestId: string };
    await h.bot.watcher.runOnce();
    await injectFault(h.simulator.url, { path: 'InvokeCommand', cmdlet: 'Set-AccessToCustomerDataRequest', status: 200, body: { '@adminapi.warnings': ['The command completed successfully but no settings have been modified.'] } });
    const answer = await click(USERS.alex, 'lockbox.approve', `m365:tenant:${created.RequestId}`);
    assert.match(answer, /Sent, waiting for Microsoft to confirm/);
  });

  it('Microsoft no longer having the request (404) is said plainly', async () => {
    const { key } = await newAzureRequest();
    await injectFault(h.simulator.url, { path: 'updateApproval$', status: 404 });
    const answer = await click(USERS.alex, 'lockbox.approve', key);
    assert.match(answer, /Microsoft no longer has this request/);
    assert.doesNotMatch(answer, /subscription id/);
  });

  it('a 409 conflict is retried after reading the request back; a claims challenge gets a fresh token and one retry', async () => {
    const first = await newAzureRequest();
    await injectFault(h.simulator.url, { path: 'updateApproval$', status: 409 });
    assert.match(await click(USERS.alex, 'lockbox.approve', first.key), /Sending it to Microsoft/);
    await h.bot.watcher.runOnce();
    assert.equal(await upstreamStatus(first.requestId), 'Approved');

    const second = await newAzureRequest();
    const claims = Buffer.from('{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}').toString('base64');
    await injectFault(h.simulator.url, { path: 'updateApproval$', status: 401, headers: { 'www-authenticate': `Bearer error="insufficient_claims", claims="${claims}"` } });
    assert.match(await click(USERS.alex, 'lockbox.approve', second.key), /Microsoft can (read|access) \*\*/);
    assert.equal(await upstreamStatus(second.requestId), 'Approved');
  });

  it('a second click on the other button a moment later is told it changed nothing, and why', async () => {
    const { requestId, key } = await newAzureRequest();
    assert.match(await click(USERS.alex, 'lockbox.approve', key), /Microsoft can (read|access) \*\*/);
    const second = await click(USERS.alex, 'lockbox.reject', key);
    assert.match(second, /this click changed nothing: a decision cannot be changed once it is made, and your approval stands/);
    assert.equal(await upstreamStatus(requestId), 'Approved');
  });

  it('an Approving status keeps the decided card without buttons, then follows Microsoft to Approved', async () => {
    const { requestId, cards } = await newAzureRequest();
    h.simulator.tenant.setRequestStatus(requestId, 'Approving');
    await h.bot.watcher.runOnce();
    assert.match(lastCardOf(cards[0]!), /Approved\. Microsoft is granting access/);
    assert.equal(lastCardOf(cards[0]!).includes('lockbox.approve'), false);
    h.simulator.tenant.setRequestStatus(requestId, 'Approved');
    await h.bot.watcher.runOnce();
    assert.match(lastCardOf(cards[0]!), /Microsoft can (read|access) \*\*/);
  });
});
