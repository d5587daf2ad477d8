import { strict as assert } from 'node:assert';
import {
  assertMatchesDefinition, call, createRequest, LOCKBOX_VERSION, REQUESTS_PATH, SUBSCRIPTION, TENANT, upstream, useSimulator,
} from './helpers';

const PENDING = `$filter=${encodeURIComponent("properties/status eq 'Pending'")}`;

describe('the simulated Azure Customer Lockbox API', () => {
  describe('listing requests', () => {
    const sim = useSimulator({ pageSize: 2 });

    it('answers an ARM request list with only the Pending requests when filtered by status', async () => {
      const pending = await createRequest(sim());
      await createRequest(sim(), { status: 'Approved' });

      const res = await upstream(sim(), 'GET', `${REQUESTS_PATH}?${LOCKBOX_VERSION}&${PENDING}`);

      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json; charset=utf-8$/);
      assert.ok(res.headers.get('x-ms-request-id'));
      assertMatchesDefinition('RequestListResult', res.body);
      assert.deepEqual(res.body.value.map((r: { properties: { requestId: string } }) => r.properties.requestId), [pending]);
    });

    it('answers every request when there is no filter', async () => {
      await createRequest(sim());
      await createRequest(sim(), { status: 'Denied' });

      const res = await upstream(sim(), 'GET', `${REQUESTS_PATH}?${LOCKBOX_VERSION}`);

      assertMatchesDefinition('RequestListResult', res.body);
      assert.deepEqual(res.body.value.map((r: { properties: { status: string } }) => r.properties.status), ['Pending', 'Denied']);
    });

    it('pages through nextLink on its own origin, keeping the query, until every request was seen once', async () => {
      const ids = [];
      for (let i = 0; i < 5; i++) ids.push(await createRequest(sim()));
      await createRequest(sim(), { status: 'Expired' });

      const seen: string[] = [];
      let next: string | undefined = `${REQUESTS_PATH}?${LOCKBOX_VERSION}&${PENDING}`;
      let pages = 0;
      while (next) {
        const res = await upstream(sim(), 'GET', next);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assertMatchesDefinition('RequestListResult', res.body);
        seen.push(...res.body.value.map((r: { properties: { requestId: string } }) => r.properties.requestId));
        next = res.body.nextLink;
        if (next) {
          const link = new URL(next);
          assert.equal(link.origin, sim().url);
          assert.equal(link.searchParams.get('api-version'), '2018-02-28-preview');
          assert.equal(link.searchParams.get('$filter'), "properties/status eq 'Pending'");
          assert.ok(link.searchParams.get('$skiptoken'));
        }
        pages++;
      }

      assert.equal(pages, 3);
      assert.deepEqual(seen, ids);
    });

    it('rejects a filter other than on status', async () => {
      const res = await upstream(sim(), 'GET', `${REQUESTS_PATH}?${LOCKBOX_VERSION}&$filter=${encodeURIComponent("properties/justification eq 'x'")}`);

      assert.equal(res.status, 400);
      assertMatchesDefinition('ErrorResponse', res.body);
    });

    it('rejects a skip token it did not issue', async () => {
      const res = await upstream(sim(), 'GET', `${REQUESTS_PATH}?${LOCKBOX_VERSION}&$skiptoken=forged`);

      assert.equal(res.status, 400);
      assertMatchesDefinition('ErrorResponse', res.body);
    });
  });

  describe('guarding every operation', () => {
    const sim = useSimulator();

    it('answers 401 AuthenticationFailed without a bearer token', async () => {
      const res = await call(sim(), 'GET', `${REQUESTS_PATH}?${LOCKBOX_VERSION}`);

      assert.equal(res.status, 401);
      assert.equal(res.body.error.code, 'AuthenticationFailed');
      assertMatchesDefinition('ErrorResponse', res.body);
    });

    it('answers 401 for an Authorization header that is not a bearer token', async () => {
      const res = await call(sim(), 'GET', `${REQUESTS_PATH}?${LOCKBOX_VERSION}`, { headers: { authorization: 'Bearer ' } });

      assert.equal(res.status, 401);
    });

    it('answers 400 when api-version is missing, as ARM does for the list the description leaves it out of', async () => {
      const res = await upstream(sim(), 'GET', REQUESTS_PATH);

      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'MissingApiVersionParameter');
      assertMatchesDefinition('ErrorResponse', res.body);
    });

    it('answers 400 InvalidApiVersionParameter for a version other than 2018-02-28-preview', async () => {
      const res = await upstream(sim(), 'GET', `${REQUESTS_PATH}?api-version=2018-10-11-preview`);

      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'InvalidApiVersionParameter');
      assertMatchesDefinition('ErrorResponse', res.body);
    });

    it('answers 404 SubscriptionNotFound for a subscription outside the tenant', async () => {
      const res = await upstream(sim(), 'GET', `/subscriptions/11111111-1111-4111-8111-111111111111/providers/Microsoft.CustomerLockbox/requests?${LOCKBOX_VERSION}`);

      assert.equal(res.status, 404);
      assert.equal(res.body.error.code, 'SubscriptionNotFound');
      assertMatchesDefinition('ErrorResponse', res.body);
    });
  });

  describe('reading one request', () => {
    let now = new Date('2026-03-02T09:00:00Z');
    const sim = useSimulator({ clock: () => now });
    beforeEach(() => {
      now = new Date('2026-03-02T09:00:00Z');
    });

    it('answers the request in the shape of the examples, expiring four days after creation', async () => {
      const id = await createRequest(sim(), { justification: 'Check the boot diagnostics' });

      const res = await upstream(sim(), 'GET', `${REQUESTS_PATH}/${id}?${LOCKBOX_VERSION}`);

      assert.equal(res.status, 200);
      assertMatchesDefinition('LockboxRequestResponse', res.body);
      assert.equal(res.body.id, `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.CustomerLockbox/requests/${id}`);
      assert.equal(res.body.name, `LockboxRequest_${id}`);
      assert.equal(res.body.type, 'requests');
      const p = res.body.properties;
      assert.equal(p.justification, 'Check the boot diagnostics');
      assert.equal(p.status, 'Pending');
      assert.equal(p.createdDateTime, '2026-03-02T09:00:00.000Z');
      assert.equal(p.expirationDateTime, '2026-03-06T09:00:00.000Z');
      assert.equal(p.duration, '8');
      assert.match(p.resourceIds, new RegExp(`^SUBSCRIPTIONS/${SUBSCRIPTION.toUpperCase()}/RESOURCEGROUPS/[^/]+/PROVIDERS/MICROSOFT.COMPUTE/VIRTUALMACHINES/[^/]+$`));
      assert.equal(p.supportCaseUrl, `https://portal.azure.com/#resource/subscriptions/${SUBSCRIPTION}/providers/microsoft.support/supporttickets/${p.supportRequest}`);
      assert.equal(p.subscriptionId, SUBSCRIPTION);
    });

    it('reads a Pending request as Expired once its expiration time has passed', async () => {
      const id = await createRequest(sim());
      now = new Date('2026-03-06T09:00:01Z');

      const res = await upstream(sim(), 'GET', `${REQUESTS_PATH}/${id}?${LOCKBOX_VERSION}`);
      const pending = await upstream(sim(), 'GET', `${REQUESTS_PATH}?${LOCKBOX_VERSION}&${PENDING}`);

      assert.equal(res.body.properties.status, 'Expired');
      assert.deepEqual(pending.body.value, []);
    });

    it('answers 404 RequestNotFound for an unknown request id', async () => {
      const res = await upstream(sim(), 'GET', `${REQUESTS_PATH}/9b2b9e1c-0000-4000-8000-000000000000?${LOCKBOX_VERSION}`);

      assert.equal(res.status, 404);
      assert.equal(res.body.error.code, 'RequestNotFound');
      assertMatchesDefinition('ErrorResponse', res.body);
    });

    it('matches the provider path case-insensitively, as ARM does', async () => {
      const id = await createRequest(sim());

      const res = await upstream(sim(), 'GET', `/SUBSCRIPTIONS/${SUBSCRIPTION.toUpperCase()}/providers/microsoft.customerlockbox/requests/${id}?${LOCKBOX_VERSION}`);

      assert.equal(res.status, 200);
      assert.equal(res.body.properties.requestId, id);
    });
  });

  describe('deciding a request', () => {
    const sim = useSimulator();

    it('approves a Pending request, echoes the approval and records who-said-what for the admin API', async () => {
      const id = await createRequest(sim());

      const res = await upstream(sim(), 'POST', `${REQUESTS_PATH}/${id}/updateApproval?${LOCKBOX_VERSION}`, {
        body: { status: 'Approve', reason: 'Approved by Alex Wilber in Teams' },
      });

      assert.equal(res.status, 200);
      assertMatchesDefinition('Approval', res.body);
      assert.deepEqual(res.body, { status: 'Approve', reason: 'Approved by Alex Wilber in Teams' });
      const after = await upstream(sim(), 'GET', `${REQUESTS_PATH}/${id}?${LOCKBOX_VERSION}`);
      assert.equal(after.body.properties.status, 'Approved');
      const admin = await call(sim(), 'GET', `/_simulator/lockbox/requests/${id}`);
      assert.equal(admin.body.decisions.length, 1);
      assert.equal(admin.body.decisions[0].status, 'Approve');
      assert.equal(admin.body.decisions[0].reason, 'Approved by Alex Wilber in Teams');
      assert.ok(!Number.isNaN(Date.parse(admin.body.decisions[0].at)));
    });

    it('denies a Pending request', async () => {
      const id = await createRequest(sim());

      const res = await upstream(sim(), 'POST', `${REQUESTS_PATH}/${id}/updateApproval?${LOCKBOX_VERSION}`, { body: { status: 'Deny', reason: 'No open case' } });

      assert.equal(res.status, 200);
      assert.equal(sim().tenant.getRequest(id)?.status, 'Denied');
    });

    it('refuses to decide a request decided elsewhere and says its current status', async () => {
      const id = await createRequest(sim());
      await call(sim(), 'POST', `/_simulator/lockbox/requests/${id}/status`, { body: { status: 'Approved' } });

      const res = await upstream(sim(), 'POST', `${REQUESTS_PATH}/${id}/updateApproval?${LOCKBOX_VERSION}`, { body: { status: 'Deny', reason: 'too late' } });

      assert.equal(res.status, 400);
      assertMatchesDefinition('ErrorResponse', res.body);
      assert.equal(res.body.error.additionalInfo[0].info.currentStatus, 'Approved');
      assert.equal(sim().tenant.getRequest(id)?.decisions.length, 0);
    });

    it('answers 400 InvalidRequestContent for a body that is not an approval', async () => {
      const id = await createRequest(sim());

      for (const body of ['not json', { status: 'approve-it' }, { reason: 'no status' }, [1]]) {
        const res = await upstream(sim(), 'POST', `${REQUESTS_PATH}/${id}/updateApproval?${LOCKBOX_VERSION}`, { body });
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.equal(res.body.error.code, 'InvalidRequestContent');
        assertMatchesDefinition('ErrorResponse', res.body);
      }
      assert.equal(sim().tenant.getRequest(id)?.status, 'Pending');
    });

    it('answers 404 when deciding an unknown request', async () => {
      const res = await upstream(sim(), 'POST', `${REQUESTS_PATH}/9b2b9e1c-0000-4000-8000-000000000000/updateApproval?${LOCKBOX_VERSION}`, {
        body: { status: 'Approve', reason: 'x' },
      });

      assert.equal(res.status, 404);
      assertMatchesDefinition('ErrorResponse', res.body);
    });
  });

  describe('the tenant opt-in', () => {
    const sim = useSimulator();

    it('reports opted in, then out after disableLockbox, then in again after enableLockbox', async () => {
      const optedIn = async (): Promise<boolean> => {
        const res = await upstream(sim(), 'GET', `/providers/Microsoft.CustomerLockbox/tenantOptedIn/${TENANT}?${LOCKBOX_VERSION}`);
        assert.equal(res.status, 200);
        assertMatchesDefinition('TenantOptInResponse', res.body);
        return res.body.isOptedIn as boolean;
      };

      assert.equal(await optedIn(), true);
      const disabled = await upstream(sim(), 'POST', `/providers/Microsoft.CustomerLockbox/disableLockbox?${LOCKBOX_VERSION}`);
      assert.equal(disabled.status, 200);
      assert.equal(disabled.body, undefined);
      assert.equal(await optedIn(), false);
      const enabled = await upstream(sim(), 'POST', `/providers/Microsoft.CustomerLockbox/enableLockbox?${LOCKBOX_VERSION}`);
      assert.equal(enabled.status, 200);
      assert.equal(await optedIn(), true);
    });

    it('refuses to tell about another tenant', async () => {
      const res = await upstream(sim(), 'GET', `/providers/Microsoft.CustomerLockbox/tenantOptedIn/11111111-1111-4111-8111-111111111111?${LOCKBOX_VERSION}`);

      assert.equal(res.status, 403);
      assertMatchesDefinition('ErrorResponse', res.body);
    });
  });

  describe('tenant-scoped requests', () => {
    const sim = useSimulator();

    it('creates one through the admin API that names no subscription, and no subscription\'s list, get or updateApproval reaches it', async () => {
      const subscribed = await createRequest(sim());
      const created = await call(sim(), 'POST', '/_simulator/lockbox/tenant-requests', { body: { justification: 'Directory sync diagnostics' } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      // The description requires properties.subscriptionId and shows no tenant-scoped request: this shape is unverified.
      const requestId = created.body.properties.requestId as string;
      assert.equal(created.body.id, `/providers/Microsoft.CustomerLockbox/requests/${requestId}`);
      assert.equal('subscriptionId' in created.body.properties, false);

      const listed = await upstream(sim(), 'GET', `${REQUESTS_PATH}?${LOCKBOX_VERSION}`);
      assert.deepEqual(listed.body.value.map((r: { properties: { requestId: string } }) => r.properties.requestId), [subscribed]);
      assert.equal((await upstream(sim(), 'GET', `${REQUESTS_PATH}/${requestId}?${LOCKBOX_VERSION}`)).status, 404);
      const decided = await upstream(sim(), 'POST', `${REQUESTS_PATH}/${requestId}/updateApproval?${LOCKBOX_VERSION}`, { body: { status: 'Approve', reason: 'ok' } });
      assert.equal(decided.status, 404);
      const seen = await call(sim(), 'GET', `/_simulator/lockbox/requests/${requestId}`);
      assert.equal(seen.body.request.properties.status, 'Pending', 'undecided, as only the portal decides it');
      assert.deepEqual(seen.body.decisions, []);
    });

    it('refuses a subscription on the tenant route', async () => {
      const created = await call(sim(), 'POST', '/_simulator/lockbox/tenant-requests', { body: { subscriptionId: SUBSCRIPTION } });
      assert.equal(created.status, 400);
    });
  });
});
