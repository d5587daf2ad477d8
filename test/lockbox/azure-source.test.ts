import assert from 'node:assert/strict';
import { RequestGone, UpstreamConflict, UpstreamError, UpstreamSignIn } from '../../src/domain/errors';
import { AzureLockboxSource } from '../../src/lockbox/azure/source';
import { fixedSubscriptions } from '../../src/lockbox/azure/subscriptions';
import { silentLogger } from '../../src/runtime/logger';
import { DEFAULT_SEED, startSimulator, type RunningSimulator } from '../../src/simulator';
import { clientFor, injectFault } from '../support/clients';

const SUBSCRIPTION = DEFAULT_SEED.subscriptions[0]!;
const OTHER = '00000000-0000-4000-8000-00000000b0b0';

describe('the Azure lockbox client, against the simulated tenant over HTTP', () => {
  let sim: RunningSimulator;
  let source: AzureLockboxSource;

  beforeEach(async () => {
    sim = await startSimulator({ port: 0, pageSize: 2, seed: { ...DEFAULT_SEED, subscriptions: [SUBSCRIPTION, OTHER] } });
    source = new AzureLockboxSource({ client: clientFor(sim.url), subscriptions: fixedSubscriptions([SUBSCRIPTION, OTHER]), tenantId: DEFAULT_SEED.tenantId, logger: silentLogger });
  });
  afterEach(() => sim.close());

  it('lists every Pending request of every subscription, across pages, and nothing else', async () => {
    const ids = [1, 2, 3, 4, 5].map(() => sim.tenant.createRequest({ subscriptionId: SUBSCRIPTION }).requestId);
    ids.push(sim.tenant.createRequest({ subscriptionId: OTHER }).requestId);
    sim.tenant.createRequest({ subscriptionId: SUBSCRIPTION, status: 'Approved' });
    const listing = await source.listPending();
    assert.deepEqual(listing.requests.map((r) => r.requestId).sort(), ids.sort());
    assert.deepEqual(listing.failures, []);
    const calls = await (await fetch(`${sim.url}/_simulator/calls`)).json() as { path: string; query: Record<string, string> }[];
    assert.ok(calls.every((c) => c.query['api-version'] === '2018-02-28-preview'), 'every call names the api-version');
    const firstPages = calls.filter((c) => !c.query.$skiptoken);
    assert.ok(firstPages.length >= 2 && firstPages.every((c) => c.query.$expand === 'properties'), 'each list asks for the properties, as the published example does');
  });

  it('skips a record it cannot read, logging its id, and still lists the others', async () => {
    const good = sim.tenant.createRequest({ subscriptionId: SUBSCRIPTION });
    const armRecord = ((await (await fetch(`${sim.url}/_simulator/lockbox/requests/${good.requestId}`)).json()) as { request: unknown }).request;
    const broken = { id: 'x', properties: { requestId: 'broken-1', status: 'Pending', createdDateTime: 'not a date', expirationDateTime: 'never' } };
    await injectFault(sim.url, { path: `${SUBSCRIPTION}/providers/Microsoft.CustomerLockbox/requests$`, status: 200, body: { value: [broken, armRecord] } });
    const warnings: Record<string, unknown>[] = [];
    const logged = new AzureLockboxSource({ client: clientFor(sim.url), subscriptions: fixedSubscriptions([SUBSCRIPTION]), tenantId: DEFAULT_SEED.tenantId, logger: { ...silentLogger, warn: (_m, fields) => warnings.push(fields ?? {}) } });
    const listing = await logged.listPending();
    assert.deepEqual(listing.requests.map((r) => r.requestId), [good.requestId]);
    assert.equal(warnings[0]?.requestId, 'broken-1');
  });

  it('reports a failing subscription and still lists the others', async () => {
    sim.tenant.createRequest({ subscriptionId: SUBSCRIPTION });
    await injectFault(sim.url, { path: OTHER, status: 403, times: 10 });
    const listing = await source.listPending();
    assert.equal(listing.requests.length, 1);
    assert.equal(listing.failures.length, 1);
    assert.match(listing.failures[0]!.error, /give it "Azure Customer Lockbox Approver for Subscription" \(or Owner\) on the subscription/);
    assert.doesNotMatch(listing.failures[0]!.error, /Reader/, 'the Customer Lockbox role already grants the reads');
  });

  it('throws when every subscription fails, so the poll shows as failed', async () => {
    await injectFault(sim.url, { path: 'Microsoft.CustomerLockbox', status: 404, times: 10 });
    await assert.rejects(source.listPending(), UpstreamError);
  });

  it('rides out a 429 with Retry-After and a 500', async () => {
    sim.tenant.createRequest({ subscriptionId: SUBSCRIPTION });
    await injectFault(sim.url, { path: SUBSCRIPTION, status: 429, retryAfterSeconds: 0, times: 1 });
    await injectFault(sim.url, { path: SUBSCRIPTION, status: 500, times: 1 });
    const listing = await source.listPending();
    assert.equal(listing.requests.length, 1);
    assert.deepEqual(listing.failures, []);
  });

  it('approves with updateApproval and the reason, and reads the result back', async () => {
    const record = sim.tenant.createRequest({ subscriptionId: SUBSCRIPTION });
    const [request] = (await source.listPending()).requests;
    assert.deepEqual(await source.submitDecision(request!, 'approve', 'case 42'), {}, 'the answer is the approval it took, nothing odd');
    assert.equal((await source.getRequest(request!))?.status, 'Approved');
    assert.deepEqual(sim.tenant.getRequest(record.requestId)?.decisions.map((d) => [d.status, d.reason]), [['Approve', 'case 42']]);
  });

  it('does not believe a 200 that is not the API answering: an HTML page, an empty body, another approval', async () => {
    sim.tenant.createRequest({ subscriptionId: SUBSCRIPTION });
    const [request] = (await source.listPending()).requests;
    const odd = [
      { body: '<html><body>Sign in to continue</body></html>', headers: { 'content-type': 'text/html' } },
      { body: { status: 'Deny', reason: 'x' } },
      {},
    ];
    for (const answer of odd) {
      await injectFault(sim.url, { path: 'updateApproval$', status: 200, ...answer });
      const { anomaly } = await source.submitDecision(request!, 'approve', 'case 42');
      assert.match(anomaly ?? '', /HTTP 200 with .*not with the approval it took/);
    }
    assert.deepEqual(await source.submitDecision(request!, 'approve', 'x'), {}, 'the real answer after them is believed');
  });

  it('says Microsoft no longer has a request it answers 404 for, and names a 409 conflict', async () => {
    sim.tenant.createRequest({ subscriptionId: SUBSCRIPTION });
    const [request] = (await source.listPending()).requests;
    await injectFault(sim.url, { path: 'updateApproval$', status: 404 });
    await assert.rejects(source.submitDecision(request!, 'approve', 'x'), (e: Error) => e instanceof RequestGone && e.message === 'Microsoft no longer has this request');
    await injectFault(sim.url, { path: 'updateApproval$', status: 409 });
    await assert.rejects(source.submitDecision(request!, 'approve', 'x'), (e: Error) => e instanceof UpstreamConflict && /another change to this request was under way/.test(e.message));
  });

  it('answers a claims challenge with a fresh token and one retry, and names a second refusal', async () => {
    const record = sim.tenant.createRequest({ subscriptionId: SUBSCRIPTION });
    const [request] = (await source.listPending()).requests;
    const challenge = { 'www-authenticate': `Bearer realm="", error="insufficient_claims", claims="${Buffer.from('{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}').toString('base64')}"` };
    await injectFault(sim.url, { path: 'updateApproval$', status: 401, headers: challenge });
    assert.deepEqual(await source.submitDecision(request!, 'approve', 'after a challenge'), {});
    assert.deepEqual(sim.tenant.getRequest(record.requestId)?.decisions.map((d) => d.reason), ['after a challenge']);

    const second = sim.tenant.createRequest({ subscriptionId: SUBSCRIPTION });
    await injectFault(sim.url, { path: 'updateApproval$', status: 401, headers: challenge, times: 2 });
    await assert.rejects(
      source.submitDecision({ ...request!, requestId: second.requestId }, 'approve', 'x'),
      (e: Error) => e instanceof UpstreamSignIn && e.claimsChallenge && /claims challenge/.test(e.message),
    );
    assert.equal(sim.tenant.getRequest(second.requestId)?.decisions.length, 0);
  });

  it('adopts the status upstream reports when the request was decided elsewhere', async () => {
    sim.tenant.createRequest({ subscriptionId: SUBSCRIPTION });
    const [request] = (await source.listPending()).requests;
    sim.tenant.setRequestStatus(request!.requestId, 'Denied');
    assert.deepEqual(await source.submitDecision(request!, 'approve', 'late'), { upstreamStatus: 'Denied' });
  });

  it('says a 403 on a decision is final and names what to fix', async () => {
    sim.tenant.createRequest({ subscriptionId: SUBSCRIPTION });
    const [request] = (await source.listPending()).requests;
    await injectFault(sim.url, { path: 'updateApproval', status: 403 });
    const error = await source.submitDecision(request!, 'approve', '').catch((e) => e);
    assert.ok(error instanceof UpstreamError);
    assert.equal(error.transient, false);
    assert.match(error.message, /Owner/);
  });

  it('reads, turns off and turns on Customer Lockbox for the tenant', async () => {
    assert.equal(await source.isEnabled(), true);
    await source.setEnabled(false);
    assert.equal(await source.isEnabled(), false);
    assert.equal(sim.tenant.isLockboxEnabled(), false);
    await source.setEnabled(true);
    assert.equal(await source.isEnabled(), true);
  });

  it('answers undefined for a request upstream no longer knows', async () => {
    sim.tenant.createRequest({ subscriptionId: SUBSCRIPTION });
    const [request] = (await source.listPending()).requests;
    assert.equal(await source.getRequest({ ...request!, requestId: '00000000-0000-4000-8000-0000000dead0' }), undefined);
  });
});
