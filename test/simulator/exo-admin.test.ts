import { strict as assert } from 'node:assert';
import { setTimeout as delay } from 'node:timers/promises';
import { DEFAULT_SEED, startSimulator, type RunningSimulator } from '../../src/simulator';
import { runCli } from '../../src/simulator/cli';
import { call, useSimulator } from './helpers';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('the simulator admin API for Microsoft 365 lockbox requests', () => {
  const sim = useSimulator();

  it('creates a realistic Pending request when given no body, shaped as Get-AccessToCustomerDataRequest outputs it', async () => {
    const res = await call(sim(), 'POST', '/_simulator/m365/requests');

    assert.equal(res.status, 201);
    const r = res.body;
    assert.match(r.RequestId, /^EXSR\d{6,7}$/);
    assert.match(r.Identity, GUID);
    assert.equal(r.ApprovalStatus, 'Pending');
    assert.ok(['Exchange', 'SharePoint', 'Teams'].includes(r.ServiceName));
    assert.match(r.CreatedTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
    assert.equal(r['CreatedTime@data.type'], 'System.DateTime');
    assert.equal(Date.parse(r.ExpiryTime) - Date.parse(r.CreatedTime), 12 * 3600 * 1000);
    assert.ok(r.Comment.length > 10);
    assert.ok(r.Resources.length > 0);
    assert.equal(r.AccessDuration, '04:00:00');
  });

  it('takes the fields it is given, and keeps Microsoft 365 requests apart from Azure ones', async () => {
    const res = await call(sim(), 'POST', '/_simulator/m365/requests', {
      body: { RequestId: 'EXSR123456', ServiceName: 'SharePoint', CreatedTime: '2026-01-01T00:00:00Z', Comment: 'Read the site', Resources: 'https://contoso.sharepoint.com/sites/hr', AccessDuration: 2 },
    });

    assert.equal(res.status, 201);
    assert.deepEqual([res.body.RequestId, res.body.ServiceName, res.body.ExpiryTime, res.body.Comment, res.body.Resources, res.body.AccessDuration],
      ['EXSR123456', 'SharePoint', '2026-01-01T12:00:00.0000000Z', 'Read the site', ['https://contoso.sharepoint.com/sites/hr'], '02:00:00']);
    assert.equal(sim().tenant.listRequests().length, 0);
    assert.equal((await call(sim(), 'GET', '/_simulator/lockbox/requests/EXSR123456')).status, 404);
  });

  it('refuses a taken reference number and malformed input, naming the field', async () => {
    await call(sim(), 'POST', '/_simulator/m365/requests', { body: { RequestId: 'EXSR1' } });
    const cases: [unknown, number, RegExp][] = [
      [{ RequestId: 'EXSR1' }, 409, /exists already/],
      [{ ApprovalStatus: 'Open' }, 400, /ApprovalStatus/],
      [{ ServiceName: 'Yammer' }, 400, /ServiceName/],
      [{ CreatedTime: 'yesterday' }, 400, /CreatedTime/],
      [{ requestId: 'camelCase' }, 400, /requestId/],
    ];
    for (const [body, status, message] of cases) {
      const res = await call(sim(), 'POST', '/_simulator/m365/requests', { body });
      assert.equal(res.status, status, JSON.stringify(body));
      assert.match(res.body.error.message, message);
    }
  });

  it('shows a request with its decisions, and changes its status as the admin center would, recording no decision', async () => {
    const { body: created } = await call(sim(), 'POST', '/_simulator/m365/requests');
    sim().tenant.decideM365(created.RequestId, 'Deny', 'no case number');

    const view = await call(sim(), 'GET', `/_simulator/m365/requests/${created.RequestId}`);
    const changed = await call(sim(), 'POST', `/_simulator/m365/requests/${created.RequestId}/status`, { body: { status: 'Expired' } });
    const listed = await call(sim(), 'GET', '/_simulator/m365/requests');
    const missing = await call(sim(), 'GET', '/_simulator/m365/requests/EXSR000000');

    assert.equal(view.body.request.ApprovalStatus, 'Denied');
    assert.deepEqual(view.body.decisions.map((d: any) => [d.decision, d.comment]), [['Deny', 'no case number']]);
    assert.ok(!Number.isNaN(Date.parse(view.body.decisions[0].at)));
    assert.equal(changed.body.request.ApprovalStatus, 'Expired');
    assert.equal(changed.body.decisions.length, 1);
    assert.deepEqual(listed.body.value.map((r: any) => r.RequestId), [created.RequestId]);
    assert.equal(missing.status, 404);
  });
});

describe('starting the simulator with Microsoft 365 in it', () => {
  let sim: RunningSimulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it('auto-creates no request of a kind whose Customer Lockbox is off', async () => {
    sim = await startSimulator({ port: 0, autoCreateAfterMs: 10, seed: { ...DEFAULT_SEED, m365LockboxEnabled: false } });
    await delay(100);

    assert.equal(sim.tenant.listRequests().length, 1);
    assert.equal(sim.tenant.listM365Requests().length, 0);
  });

  describe('the simulate:request command with --kind', () => {
    const run = async (argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l), fetch });
      return { code, out, err };
    };

    it('creates a Microsoft 365 request with --kind m365 and prints its reference number and expiry', async () => {
      sim = await startSimulator({ port: 0 });

      const result = await run(['--url', sim.url, '--kind', 'm365', '--justification', 'Open the mailbox']);

      assert.equal(result.code, 0, result.err.join('\n'));
      const [request] = sim.tenant.listM365Requests();
      assert.ok(request);
      assert.equal(request.comment, 'Open the mailbox');
      assert.equal(sim.tenant.listRequests().length, 0);
      assert.match(result.out.join('\n'), new RegExp(`Microsoft 365 lockbox request ${request.requestId}[\\s\\S]*expires at`));
    });

    it('still creates an Azure request by default', async () => {
      sim = await startSimulator({ port: 0 });

      assert.equal((await run(['--url', sim.url])).code, 0);
      assert.equal(sim.tenant.listRequests().length, 1);
      assert.equal(sim.tenant.listM365Requests().length, 0);
    });

    it('refuses an unknown kind, and a subscription for a Microsoft 365 request', async () => {
      const unknown = await run(['--kind', 'gcp']);
      const subscription = await run(['--kind', 'm365', '--subscription', 'x']);

      assert.equal(unknown.code, 2);
      assert.match(unknown.err.join('\n'), /--kind must be azure or m365/);
      assert.equal(subscription.code, 2);
      assert.match(subscription.err.join('\n'), /no subscription/);
    });
  });
});
