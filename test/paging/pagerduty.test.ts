import assert from 'node:assert/strict';
import { UpstreamError } from '../../src/domain/errors';
import { track } from '../../src/domain/tracked';
import { JsonClient } from '../../src/http/json-client';
import { dedupKey, PagerDutyEvents } from '../../src/paging/pagerduty';
import { startSimulator, type RunningSimulator } from '../../src/simulator';
import { injectFault } from '../support/clients';
import { FixedClock, pendingRequest } from '../support/fakes';

const KEY = 'R0UTINGKEY0123456789abcdefABCDEF';

describe('PagerDuty Events API v2, against the simulated PagerDuty', () => {
  let sim: RunningSimulator;
  const clock = new FixedClock(new Date('2026-11-28T10:00:00Z'));
  const tracked = track(pendingRequest({ createdAt: '2026-11-28T09:00:00.000Z', expiresAt: '2026-12-02T09:00:00.000Z' }), clock.now());
  const events = async () => ((await (await fetch(`${sim.url}/_simulator/pagerduty/events`)).json()) as { value: any[] }).value;
  const calls = async () => ((await (await fetch(`${sim.url}/_simulator/calls`)).json()) as { path: string; status: number }[]).filter((c) => c.path === '/v2/enqueue');
  const pager = (routingKey = KEY) => new PagerDutyEvents({
    client: new JsonClient({ baseUrl: `${sim.url}/v2/enqueue`, allowLoopbackHttp: true, retryStatuses: [429], retryDelayMs: 10 }),
    eventsUrl: `${sim.url}/v2/enqueue`,
    routingKey,
    chatLink: 'https://teams.microsoft.com/l/chat/0/0?users=28:bot',
    clock,
  });

  beforeEach(async () => {
    sim = await startSimulator({ port: 0 });
  });
  afterEach(() => sim.close());

  it('triggers an alert keyed by the request, saying product, resource and time left, linking to Teams and the portal', async () => {
    await pager().trigger(tracked, 'warning');
    const [event] = await events();
    assert.equal(event.event_action, 'trigger');
    assert.equal(event.dedup_key, `lockbox:${tracked.key}`);
    assert.equal(event.payload.summary, 'Customer Lockbox request (Azure): VM1 (resource group RG), 3 d 23 h left to decide');
    assert.equal(event.payload.severity, 'warning');
    assert.deepEqual(event.links.map((l: { href: string }) => new URL(l.href).host), ['teams.microsoft.com', 'portal.azure.com']);
    assert.equal(event.client_url, 'https://teams.microsoft.com/l/chat/0/0?users=28:bot');
  });

  it('says the expiry is unknown, rather than thousands of days left, when Microsoft sent an expiry years away', async () => {
    await pager().trigger({ ...tracked, request: { ...tracked.request, expiresAt: '9999-12-31T00:00:00.000Z' } }, 'warning');
    const [event] = await events();
    assert.equal(event.payload.summary, 'Customer Lockbox request (Azure): VM1 (resource group RG), expiry unknown (see custom details)');
    assert.equal(event.payload.custom_details.expiresAt, '9999-12-31T00:00:00.000Z');
  });

  it('resolves with the same dedup_key', async () => {
    await pager().trigger(tracked, 'warning');
    await pager().resolve(tracked);
    const [trigger, resolve] = await events();
    assert.equal(resolve.event_action, 'resolve');
    assert.equal(resolve.dedup_key, trigger.dedup_key);
  });

  it('retries a 429 without Retry-After and a 5xx with backoff, and the event arrives', async () => {
    await injectFault(sim.url, { path: '^/v2/enqueue$', status: 429 });
    await injectFault(sim.url, { path: '^/v2/enqueue$', status: 503 });
    const p = pager();
    await p.trigger(tracked, 'error');
    assert.deepEqual((await calls()).map((c) => c.status), [429, 503, 202]);
    assert.equal((await events()).length, 1);
    assert.equal(p.health().state, 'ok');
  });

  it('leaves what retries could not deliver for the next cycle', async () => {
    await injectFault(sim.url, { path: '^/v2/enqueue$', status: 500, times: 10 });
    const p = pager();
    const error = await p.trigger(tracked, 'error').catch((e) => e);
    assert.ok(error instanceof UpstreamError);
    assert.equal(error.transient, true);
    assert.equal(p.health().state, 'unreachable');
  });

  it('takes a 400 as final, with PagerDuty\'s message for the log and /healthz, and never the routing key', async () => {
    const p = pager('not-a-key');
    const error = await p.trigger(tracked, 'warning').catch((e) => e);
    assert.ok(error instanceof UpstreamError);
    assert.equal(error.transient, false);
    assert.match(error.message, /HTTP 400: Event object is invalid: Length of 'routing_key' is incorrect/);
    const health = p.health();
    assert.equal(health.state, 'refused');
    assert.match(health.message ?? '', /routing_key/);
    assert.ok(!JSON.stringify(health).includes('not-a-key') && !error.message.includes('not-a-key'));
  });

  it('keeps the routing key out of what it repeats even when PagerDuty quotes it', async () => {
    await injectFault(sim.url, { path: '^/v2/enqueue$', status: 400, body: { status: 'invalid event', message: `Unknown routing key ${KEY}`, errors: [] } });
    const p = pager();
    const error = await p.trigger(tracked, 'warning').catch((e) => e);
    assert.ok(!error.message.includes(KEY));
    assert.ok(!JSON.stringify(p.health()).includes(KEY));
    assert.match(p.health().message ?? '', /Unknown routing key \(routing key\)/);
  });

  it('keeps a dedup_key within PagerDuty\'s 255 characters however long the request id', () => {
    assert.equal(dedupKey('azure:sub:abc'), 'lockbox:azure:sub:abc');
    assert.match(dedupKey(`azure:sub:${'x'.repeat(300)}`), /^lockbox:sha256:[0-9a-f]{64}$/);
  });
});
