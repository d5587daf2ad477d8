import assert from 'node:assert/strict';
import { useSimulator } from './helpers';

const KEY = 'R0UTINGKEY0123456789abcdefABCDEF';
const trigger = { routing_key: KEY, event_action: 'trigger', dedup_key: 'lockbox:one', payload: { summary: 'A request', source: 'subscription x', severity: 'warning' } };

describe('simulated PagerDuty Events API v2', () => {
  const sim = useSimulator();
  const enqueue = async (body: unknown) => {
    const response = await fetch(`${sim().url}/v2/enqueue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: response.status, body: await response.json() as Record<string, unknown> };
  };
  const admin = async (path: string) => ((await (await fetch(`${sim().url}/_simulator/pagerduty/${path}`)).json()) as { value: any[] }).value;

  it('accepts an event without a bearer token and answers 202 with its dedup_key', async () => {
    assert.deepEqual(await enqueue(trigger), { status: 202, body: { status: 'success', message: 'Event processed', dedup_key: 'lockbox:one' } });
    const [event] = await admin('events');
    assert.equal(event.routingKeyEnd, 'CDEF');
    assert.equal(event.routing_key, undefined, 'the admin API does not hand the key out');
  });

  it('makes an alert of a trigger, raises it with a later trigger and closes it with a resolve of the same key', async () => {
    await enqueue(trigger);
    await enqueue({ ...trigger, payload: { ...trigger.payload, severity: 'critical' } });
    assert.deepEqual(await admin('alerts'), [{ dedup_key: 'lockbox:one', status: 'triggered', severity: 'critical', summary: 'A request', events: 2 }]);
    await enqueue({ routing_key: KEY, event_action: 'resolve', dedup_key: 'lockbox:one' });
    assert.equal((await admin('alerts'))[0].status, 'resolved');
  });

  const invalid: [string, unknown, RegExp][] = [
    ['a routing key of the wrong length', { ...trigger, routing_key: 'short' }, /routing_key.+32 characters/],
    ['a trigger without a payload', { routing_key: KEY, event_action: 'trigger' }, /payload/],
    ['an unknown severity', { ...trigger, payload: { ...trigger.payload, severity: 'fatal' } }, /payload\.severity/],
    ['a summary over 1024 characters', { ...trigger, payload: { ...trigger.payload, summary: 'x'.repeat(1025) } }, /summary.+1024/],
    ['a dedup_key over 255 characters', { ...trigger, dedup_key: 'k'.repeat(256) }, /dedup_key.+255/],
    ['a resolve without a dedup_key', { routing_key: KEY, event_action: 'resolve' }, /dedup_key/],
    ['a body that is not JSON', '{', /not JSON/],
  ];
  for (const [what, body, says] of invalid) {
    it(`refuses ${what} with 400 and says why, as PagerDuty does`, async () => {
      const answer = await enqueue(body);
      assert.equal(answer.status, 400);
      assert.equal(answer.body.status, 'invalid event');
      assert.equal(answer.body.message, 'Event object is invalid');
      assert.match((answer.body.errors as string[]).join('\n'), says);
      assert.deepEqual(await admin('events'), []);
    });
  }
});
