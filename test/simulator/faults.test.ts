import { strict as assert } from 'node:assert';
import { assertMatchesDefinition, call, createRequest, LOCKBOX_VERSION, REQUESTS_PATH, upstream, useSimulator } from './helpers';

const LIST = `${REQUESTS_PATH}?${LOCKBOX_VERSION}`;

describe('faults injected into the simulated cloud', () => {
  const sim = useSimulator();

  it('answers 429 with a Retry-After header and an ARM error body, then recovers', async () => {
    const added = await call(sim(), 'POST', '/_simulator/faults', { body: { path: '/providers/Microsoft\\.CustomerLockbox/requests$', status: 429, retryAfterSeconds: 7 } });
    assert.equal(added.status, 201);

    const throttled = await upstream(sim(), 'GET', LIST);
    const next = await upstream(sim(), 'GET', LIST);

    assert.equal(throttled.status, 429);
    assert.equal(throttled.headers.get('retry-after'), '7');
    assertMatchesDefinition('ErrorResponse', throttled.body);
    assert.equal(next.status, 200);
  });

  it('fails once with 500 and then answers normally', async () => {
    await call(sim(), 'POST', '/_simulator/faults', { body: { method: 'post', path: 'updateApproval', status: 500 } });
    const id = await createRequest(sim());
    const decide = (): ReturnType<typeof upstream> =>
      upstream(sim(), 'POST', `${REQUESTS_PATH}/${id}/updateApproval?${LOCKBOX_VERSION}`, { body: { status: 'Approve', reason: 'ok' } });

    const first = await decide();
    const second = await decide();

    assert.equal(first.status, 500);
    assertMatchesDefinition('ErrorResponse', first.body);
    assert.equal(second.status, 200);
    assert.equal(sim().tenant.getRequest(id)?.decisions.length, 1);
  });

  it('hits only the method it names and as many times as asked', async () => {
    await call(sim(), 'POST', '/_simulator/faults', { body: { method: 'GET', path: '^/v1\\.0/users/', status: 503, times: 2 } });

    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await upstream(sim(), 'GET', '/v1.0/users/alexw@contoso.example')).status);
    const post = await upstream(sim(), 'POST', `/providers/Microsoft.CustomerLockbox/enableLockbox?${LOCKBOX_VERSION}`);

    assert.deepEqual(statuses, [503, 503, 200]);
    assert.equal(post.status, 200);
  });

  it('hits only the calls whose query matches, when it names one', async () => {
    await call(sim(), 'POST', '/_simulator/faults', { body: { path: '/providers/Microsoft\\.CustomerLockbox/requests$', query: "\\$filter=properties/status eq 'Expired'", status: 503 } });

    const unfiltered = await upstream(sim(), 'GET', LIST);
    const expired = await upstream(sim(), 'GET', `${LIST}&$filter=${encodeURIComponent("properties/status eq 'Expired'")}`);
    const again = await upstream(sim(), 'GET', `${LIST}&$filter=${encodeURIComponent("properties/status eq 'Expired'")}`);

    assert.equal(unfiltered.status, 200);
    assert.equal(expired.status, 503);
    assert.equal(again.status, 200);
    assert.equal((await call(sim(), 'POST', '/_simulator/faults', { body: { path: 'x', query: '(', status: 500 } })).status, 400);
  });

  it('answers a Graph error body on Graph paths, and the body given when there is one', async () => {
    await call(sim(), 'POST', '/_simulator/faults', { body: { path: '^/v1\\.0/', status: 429 } });
    await call(sim(), 'POST', '/_simulator/faults', { body: { path: '^/v1\\.0/', status: 502, body: { custom: true } } });

    const graph = await upstream(sim(), 'GET', '/v1.0/users/alexw@contoso.example');
    const custom = await upstream(sim(), 'GET', '/v1.0/users/alexw@contoso.example');

    assert.equal(graph.body.error.code, 'TooManyRequests');
    assert.ok(graph.body.error.innerError['request-id']);
    assert.deepEqual(custom.body, { custom: true });
  });

  it('delays a call without failing it when only delayMs is given', async () => {
    await call(sim(), 'POST', '/_simulator/faults', { body: { path: 'users', delayMs: 150 } });

    const started = Date.now();
    const res = await upstream(sim(), 'GET', '/v1.0/users/alexw@contoso.example');

    assert.equal(res.status, 200);
    assert.ok(Date.now() - started >= 140);
  });

  it('lists the faults not yet spent and forgets them all on DELETE', async () => {
    await call(sim(), 'POST', '/_simulator/faults', { body: { path: 'a', status: 500, times: 3 } });
    await call(sim(), 'POST', '/_simulator/faults', { body: { path: 'b', status: 500 } });

    const listed = await call(sim(), 'GET', '/_simulator/faults');
    const cleared = await call(sim(), 'DELETE', '/_simulator/faults');
    const after = await call(sim(), 'GET', '/_simulator/faults');

    assert.deepEqual(listed.body.map((f: { path: string; remaining: number }) => [f.path, f.remaining]), [['a', 3], ['b', 1]]);
    assert.equal(cleared.status, 204);
    assert.deepEqual(after.body, []);
  });

  it('records a faulted call with the status it got', async () => {
    await call(sim(), 'POST', '/_simulator/faults', { body: { path: 'requests', status: 503 } });

    await upstream(sim(), 'GET', LIST);
    const calls = await call(sim(), 'GET', '/_simulator/calls');

    assert.equal(calls.body.at(-1).status, 503);
  });
});
