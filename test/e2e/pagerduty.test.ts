import assert from 'node:assert/strict';
import { createLogger } from '../../src/runtime/logger';
import { cardAction, installUpdate } from '../support/activities';
import { injectFault } from '../support/clients';
import { FixedClock } from '../support/fakes';
import { startHarness, SUBSCRIPTION_ID, TENANT_ID, USERS, type Harness } from '../support/harness';

const KEY = 'R0UTINGKEY0123456789abcdefABCDEF';
const HOUR = 3_600_000;

interface Event { event_action: string; dedup_key: string; payload?: { severity: string; summary: string } }

describe('PagerDuty pages the on-call rotation for every request, once, and resolves the alert when it is done', () => {
  let h: Harness;
  let clock: FixedClock;
  let log: string[];
  const events = async () => ((await h.admin('/_simulator/pagerduty/events')) as { value: Event[] }).value;
  const health = async () => (await (await fetch(`${h.bot.url}/healthz`)).json()) as { pagerDuty: { state: string; message?: string } };

  beforeEach(async () => {
    clock = new FixedClock(new Date());
    log = [];
    h = await startHarness({ bot: { clock, logger: createLogger('debug', (line) => void log.push(line)) }, env: { LOCKBOX_SOURCES: 'azure', PAGERDUTY_ROUTING_KEY: KEY } });
    await h.post(installUpdate(h.connector.url, TENANT_ID, USERS.alex));
  });
  afterEach(() => h.close());

  const newRequest = async () => {
    const { requestId } = h.simulator.tenant.createRequest({ subscriptionId: SUBSCRIPTION_ID, createdDateTime: clock.now().toISOString(), expirationDateTime: new Date(clock.now().getTime() + 96 * HOUR).toISOString() });
    await h.bot.watcher.runOnce();
    return { requestId, key: `azure:${SUBSCRIPTION_ID}:${requestId}` };
  };
  const cycles = async (n: number) => {
    for (let i = 0; i < n; i++) await h.bot.watcher.runOnce();
  };

  it('triggers on arrival and resolves with the same dedup_key after a decision, nothing repeated after a restart', async () => {
    const { key } = await newRequest();
    await cycles(2);
    await h.post(cardAction(h.connector.url, TENANT_ID, USERS.alex, 'lockbox.approve', { requestKey: key }));
    await cycles(2);
    assert.equal((await health()).pagerDuty.state, 'ok');
    await h.restartBot();
    await cycles(2);
    const sent = await events();
    assert.deepEqual(sent.map((e) => e.event_action), ['trigger', 'resolve']);
    assert.equal(sent[0]!.dedup_key, `lockbox:${key}`);
    assert.equal(sent[1]!.dedup_key, sent[0]!.dedup_key);
    assert.equal(sent[0]!.payload!.severity, 'warning');
    assert.match(sent[0]!.payload!.summary, /^Customer Lockbox request \(Azure\): .+, 4 d left to decide$/);
    assert.deepEqual(((await h.admin('/_simulator/pagerduty/alerts')) as { value: { status: string }[] }).value.map((a) => a.status), ['resolved']);
  });

  it('raises the severity as expiry nears and resolves after the request expired, nothing repeated after a restart', async () => {
    await newRequest();
    clock.advance(49 * HOUR);
    await cycles(2);
    clock.advance(30 * HOUR);
    await cycles(1);
    await h.restartBot();
    await cycles(1);
    clock.advance(18 * HOUR);
    await cycles(2);
    await h.restartBot();
    await cycles(2);
    const sent = await events();
    assert.deepEqual(sent.map((e) => [e.event_action, e.payload?.severity]), [['trigger', 'warning'], ['trigger', 'error'], ['trigger', 'critical'], ['resolve', undefined]]);
    assert.equal(new Set(sent.map((e) => e.dedup_key)).size, 1);
  });

  it('resolves the alert of a request Microsoft stopped knowing, once it is closed as gone', async () => {
    const { requestId, key } = await newRequest();
    const requests = `^/subscriptions/${SUBSCRIPTION_ID}/providers/Microsoft.CustomerLockbox/requests`;
    await injectFault(h.simulator.url, { method: 'GET', path: `${requests}$`, status: 200, body: { value: [] }, times: 5 });
    await injectFault(h.simulator.url, { method: 'GET', path: `${requests}/${requestId}$`, status: 404, times: 5 });
    await cycles(5);
    await h.restartBot();
    await cycles(2);
    const sent = await events();
    assert.deepEqual(sent.map((e) => e.event_action), ['trigger', 'resolve']);
    assert.ok(sent.every((e) => e.dedup_key === `lockbox:${key}`));
  });

  it('logs a 400 with PagerDuty\'s message, shows it in /healthz, does not send the event again, and never writes the key', async () => {
    await injectFault(h.simulator.url, { path: '^/v2/enqueue$', status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors: ['Invalid routing key'] } });
    await newRequest();
    await cycles(2);
    const calls = ((await h.admin('/_simulator/calls')) as { path: string }[]).filter((c) => c.path === '/v2/enqueue');
    assert.equal(calls.length, 1);
    const status = await health();
    assert.equal(status.pagerDuty.state, 'refused');
    assert.equal(status.pagerDuty.message, 'Event object is invalid: Invalid routing key');
    assert.ok(log.some((line) => line.includes('Event object is invalid: Invalid routing key')));
    assert.ok(log.length > 0 && !log.some((line) => line.includes(KEY)), 'the routing key is never logged');
  });
});
