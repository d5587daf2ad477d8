import { strict as assert } from 'node:assert';
import { call, createRequest, LOCKBOX_VERSION, REQUESTS_PATH, SUBSCRIPTION, upstream, USERS, useSimulator } from './helpers';

describe('the simulator admin API', () => {
  const sim = useSimulator();

  it('answers its health check', async () => {
    const res = await call(sim(), 'GET', '/_simulator/healthz');

    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { ok: true });
  });

  it('creates a realistic Pending request when given no body at all', async () => {
    const res = await call(sim(), 'POST', '/_simulator/lockbox/requests');

    assert.equal(res.status, 201);
    const p = res.body.properties;
    assert.match(p.requestId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(p.status, 'Pending');
    assert.equal(p.subscriptionId, SUBSCRIPTION);
    assert.match(p.supportRequest, /^\d{16}$/);
    assert.equal(Date.parse(p.expirationDateTime) - Date.parse(p.createdDateTime), 4 * 24 * 3600 * 1000);
    assert.ok(p.justification.length > 10);
  });

  it('creates a request with the properties it is given, joining resource ids with commas', async () => {
    const res = await call(sim(), 'POST', '/_simulator/lockbox/requests', {
      body: {
        requestId: 'f1d2c3b4-0000-4000-8000-000000000001',
        justification: 'Read the storage account logs',
        status: 'Approved',
        createdDateTime: '2026-01-01T00:00:00Z',
        resourceIds: ['SUBSCRIPTIONS/A/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.STORAGE/STORAGEACCOUNTS/ONE', 'SUBSCRIPTIONS/A/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.STORAGE/STORAGEACCOUNTS/TWO'],
        resourceType: 'Storage Account',
        duration: 'Support request lifetime',
      },
    });

    assert.equal(res.status, 201);
    const p = res.body.properties;
    assert.equal(p.requestId, 'f1d2c3b4-0000-4000-8000-000000000001');
    assert.equal(p.status, 'Approved');
    assert.equal(p.expirationDateTime, '2026-01-05T00:00:00.000Z');
    assert.equal(p.resourceIds.split(',').length, 2);
    assert.equal(p.duration, 'Support request lifetime');
  });

  it('rejects malformed input with 400 and a message that names the field', async () => {
    const cases: [unknown, RegExp][] = [
      ['{not json', /not JSON/],
      [{ status: 'Open' }, /status/],
      [{ createdDateTime: 'yesterday' }, /createdDateTime/],
      [{ justificaton: 'typo' }, /justificaton/],
      [[], /body/],
    ];
    for (const [body, message] of cases) {
      const res = await call(sim(), 'POST', '/_simulator/lockbox/requests', { body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(res.body.error.message, message);
    }
  });

  it('refuses an unknown subscription and a duplicate request id', async () => {
    const id = await createRequest(sim());

    const unknownSubscription = await call(sim(), 'POST', '/_simulator/lockbox/requests', { body: { subscriptionId: '11111111-1111-4111-8111-111111111111' } });
    const duplicate = await call(sim(), 'POST', '/_simulator/lockbox/requests', { body: { requestId: id } });

    assert.equal(unknownSubscription.status, 400);
    assert.equal(duplicate.status, 409);
  });

  it('shows a request with no decisions, and 404 for an unknown one', async () => {
    const id = await createRequest(sim());

    const known = await call(sim(), 'GET', `/_simulator/lockbox/requests/${id}`);
    const unknown = await call(sim(), 'GET', '/_simulator/lockbox/requests/nope');

    assert.equal(known.status, 200);
    assert.equal(known.body.request.properties.requestId, id);
    assert.deepEqual(known.body.decisions, []);
    assert.equal(unknown.status, 404);
  });

  it('changes a status as the portal would, which the Lockbox API then reports', async () => {
    const id = await createRequest(sim());

    const changed = await call(sim(), 'POST', `/_simulator/lockbox/requests/${id}/status`, { body: { status: 'Expired' } });
    const read = await upstream(sim(), 'GET', `${REQUESTS_PATH}/${id}?${LOCKBOX_VERSION}`);

    assert.equal(changed.status, 200);
    assert.equal(changed.body.request.properties.status, 'Expired');
    assert.equal(read.body.properties.status, 'Expired');
  });

  it('rejects an unknown status and an unknown request when changing a status', async () => {
    const id = await createRequest(sim());

    const badStatus = await call(sim(), 'POST', `/_simulator/lockbox/requests/${id}/status`, { body: { status: 'Done' } });
    const noBody = await call(sim(), 'POST', `/_simulator/lockbox/requests/${id}/status`);
    const unknown = await call(sim(), 'POST', '/_simulator/lockbox/requests/nope/status', { body: { status: 'Approved' } });

    assert.equal(badStatus.status, 400);
    assert.equal(noBody.status, 400);
    assert.equal(unknown.status, 404);
  });

  it('rejects role changes for an unknown user or a role id that is not a GUID', async () => {
    const unknownUser = await call(sim(), 'PUT', '/_simulator/directory/users/11111111-1111-4111-8111-111111111111/roles/62e90394-69f5-4237-9190-012177145e10');
    const notGuid = await call(sim(), 'PUT', `/_simulator/directory/users/${USERS.adele}/roles/Global%20Administrator`);

    assert.equal(unknownUser.status, 404);
    assert.equal(notGuid.status, 400);
  });

  it('records upstream calls, not its own, and forgets them on DELETE', async () => {
    await createRequest(sim());
    await upstream(sim(), 'GET', `${REQUESTS_PATH}?${LOCKBOX_VERSION}&$filter=${encodeURIComponent("properties/status eq 'Pending'")}`);
    await call(sim(), 'GET', `${REQUESTS_PATH}?${LOCKBOX_VERSION}`);

    const calls = await call(sim(), 'GET', '/_simulator/calls');
    const cleared = await call(sim(), 'DELETE', '/_simulator/calls');
    const after = await call(sim(), 'GET', '/_simulator/calls');

    assert.equal(calls.body.length, 2);
    assert.deepEqual(
      { method: calls.body[0].method, path: calls.body[0].path, query: calls.body[0].query, status: calls.body[0].status },
      { method: 'GET', path: REQUESTS_PATH, query: { 'api-version': '2018-02-28-preview', $filter: "properties/status eq 'Pending'" }, status: 200 },
    );
    assert.ok(!Number.isNaN(Date.parse(calls.body[0].at)));
    assert.equal(calls.body[1].status, 401);
    assert.equal(cleared.status, 204);
    assert.deepEqual(after.body, []);
  });

  it('rejects a fault whose path is not a regular expression or that would do nothing', async () => {
    const badRegex = await call(sim(), 'POST', '/_simulator/faults', { body: { path: '(', status: 500 } });
    const nothing = await call(sim(), 'POST', '/_simulator/faults', { body: { path: 'x' } });
    const badStatus = await call(sim(), 'POST', '/_simulator/faults', { body: { path: 'x', status: 42 } });

    assert.equal(badRegex.status, 400);
    assert.match(badRegex.body.error.message, /regular expression/);
    assert.equal(nothing.status, 400);
    assert.equal(badStatus.status, 400);
  });

  it('answers unknown routes with a JSON 404 and wrong methods with 405', async () => {
    const unknownAdmin = await call(sim(), 'GET', '/_simulator/nothing-here');
    const unknownUpstream = await upstream(sim(), 'GET', '/subscriptions/x/providers/Microsoft.Compute/virtualMachines');
    const wrongMethod = await call(sim(), 'PATCH', '/_simulator/healthz');

    assert.equal(unknownAdmin.status, 404);
    assert.ok(unknownAdmin.body.error.message);
    assert.equal(unknownUpstream.status, 404);
    assert.equal(unknownUpstream.body.error.code, 'NotFound');
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.get('allow'), 'GET');
  });

  it('keeps serving after a body that is too large', async () => {
    const huge = await call(sim(), 'POST', '/_simulator/lockbox/requests', { body: JSON.stringify({ justification: 'x'.repeat(2 * 1024 * 1024) }) }).catch(() => undefined);
    const health = await call(sim(), 'GET', '/_simulator/healthz');

    if (huge) assert.equal(huge.status, 413);
    assert.equal(health.status, 200);
  });
});
