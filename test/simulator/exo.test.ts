import { strict as assert } from 'node:assert';
import { startSimulator, type RunningSimulator } from '../../src/simulator';
import { call, TENANT, upstream, useSimulator } from './helpers';

const INVOKE = `/adminapi/beta/${TENANT}/InvokeCommand`;
const ANCHOR = { 'x-anchormailbox': `APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@${TENANT}` };
const GET = 'Get-AccessToCustomerDataRequest';
const SET = 'Set-AccessToCustomerDataRequest';

function invoke(sim: RunningSimulator, cmdlet: string, parameters: Record<string, unknown> = {}, init: { path?: string; headers?: Record<string, string> } = {}): ReturnType<typeof upstream> {
  return upstream(sim, 'POST', init.path ?? INVOKE, { headers: { ...ANCHOR, ...init.headers }, body: { CmdletInput: { CmdletName: cmdlet, Parameters: parameters } } });
}

async function create(sim: RunningSimulator, body: Record<string, unknown> = {}): Promise<any> {
  const created = await call(sim, 'POST', '/_simulator/m365/requests', { body });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body;
}

/** The cmdlet's own message, as a client digs it out of error.details. */
function cmdletMessage(body: any): { Message: string; TypeName: string } {
  return JSON.parse(body.error.details[0].message);
}

describe('the simulated Exchange Online admin API (InvokeCommand)', () => {
  const sim = useSimulator({ pageSize: 2 });

  it('refuses a call without a bearer token with 401 and an Exchange-style error', async () => {
    const res = await call(sim(), 'POST', INVOKE, { headers: ANCHOR, body: { CmdletInput: { CmdletName: GET } } });

    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'Unauthorized');
    assert.match(res.body.error.innererror.internalexception.message, /bearer token/);
    assert.ok(res.headers.get('www-authenticate'));
  });

  it('refuses a call without X-AnchorMailbox with 400', async () => {
    const res = await upstream(sim(), 'POST', INVOKE, { body: { CmdletInput: { CmdletName: GET } } });

    assert.equal(res.status, 400);
    assert.match(res.body.error.message, /X-AnchorMailbox/);
  });

  it('does not know another tenant', async () => {
    const res = await invoke(sim(), GET, {}, { path: '/adminapi/beta/00000000-0000-4000-8000-0000000000ff/InvokeCommand' });

    assert.equal(res.status, 404);
    assert.match(res.body.error.message, /Tenant '00000000-0000-4000-8000-0000000000ff' could not be found/);
  });

  it('answers an unknown cmdlet, an unknown parameter and a bad value like PowerShell, in error.details', async () => {
    const unknownCmdlet = await invoke(sim(), 'Get-Mailbox');
    const unknownParameter = await invoke(sim(), GET, { Status: 'Pending' });
    const badValue = await invoke(sim(), GET, { ApprovalStatus: 'Open' });
    const missing = await invoke(sim(), SET, { ApprovalDecision: 'Approve' });

    for (const res of [unknownCmdlet, unknownParameter, badValue, missing]) {
      assert.equal(res.status, 400);
      assert.equal(res.body.error.message, 'Error executing cmdlet');
    }
    assert.equal(cmdletMessage(unknownCmdlet.body).TypeName, 'System.Management.Automation.CommandNotFoundException');
    assert.match(cmdletMessage(unknownCmdlet.body).Message, /The term 'Get-Mailbox' is not recognized/);
    assert.match(cmdletMessage(unknownParameter.body).Message, /parameter name 'Status'/);
    assert.match(cmdletMessage(badValue.body).Message, /Approved, Canceled, Denied, Pending/);
    assert.match(cmdletMessage(missing.body).Message, /mandatory parameters: RequestId/);
  });

  it('refuses a body that is not a cmdlet invocation', async () => {
    const notJson = await upstream(sim(), 'POST', INVOKE, { headers: ANCHOR, body: '{nope' });
    const noCmdlet = await upstream(sim(), 'POST', INVOKE, { headers: ANCHOR, body: { Cmdlet: GET } });

    assert.equal(notJson.status, 400);
    assert.equal(noCmdlet.status, 400);
    assert.match(noCmdlet.body.error.message, /CmdletInput/);
  });

  it('matches cmdlet and parameter names in any case, as PowerShell does', async () => {
    await create(sim());
    const res = await invoke(sim(), 'get-accesstocustomerdatarequest', { approvalstatus: 'pending' });

    assert.equal(res.status, 200);
    assert.equal(res.body.value.length, 1);
  });

  it('pages with @odata.nextLink, the same body POSTed again, until every request is served once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await create(sim())).RequestId);
    const seen: string[] = [];
    let url: string | undefined = INVOKE;
    let pages = 0;
    while (url) {
      const res = await invoke(sim(), GET, { ApprovalStatus: 'Pending' }, { path: url });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      seen.push(...res.body.value.map((r: any) => r.RequestId));
      url = res.body['@odata.nextLink'];
      if (url) assert.ok(url.startsWith(`${sim().url}${INVOKE}?`), url);
      pages++;
    }
    assert.equal(pages, 3);
    assert.deepEqual(seen, ids);
  });

  it('serves smaller pages when the client prefers them, never bigger ones', async () => {
    for (let i = 0; i < 3; i++) await create(sim());

    const small = await invoke(sim(), GET, {}, { headers: { prefer: 'odata.maxpagesize=1' } });
    const big = await invoke(sim(), GET, {}, { headers: { prefer: 'odata.maxpagesize=1000' } });

    assert.equal(small.body.value.length, 1);
    assert.equal(big.body.value.length, 2);
  });

  it('filters by RequestId and CreatedAfter', async () => {
    const early = await create(sim(), { CreatedTime: '2026-05-01T08:00:00Z' });
    const late = await create(sim(), { CreatedTime: '2026-05-01T10:00:00Z' });

    const byId = await invoke(sim(), GET, { RequestId: early.RequestId.toLowerCase() });
    const after = await invoke(sim(), GET, { CreatedAfter: '2026-05-01 09:00:00Z' });
    const nobody = await invoke(sim(), GET, { RequestId: 'EXSR000000' });

    assert.deepEqual(byId.body.value.map((r: any) => r.RequestId), [early.RequestId]);
    assert.deepEqual(after.body.value.map((r: any) => r.RequestId), [late.RequestId]);
    assert.deepEqual(nobody.body.value, []);
  });

  it('approves, denies and cancels, and refuses a second decision with the state in the message', async () => {
    const [a, b, c] = [await create(sim()), await create(sim()), await create(sim())];

    const approved = await invoke(sim(), SET, { ApprovalDecision: 'Approve', RequestId: a.RequestId, Comment: 'ok' });
    await invoke(sim(), SET, { ApprovalDecision: 'Deny', RequestId: b.RequestId });
    await invoke(sim(), SET, { ApprovalDecision: 'Cancel', RequestId: c.RequestId });
    const again = await invoke(sim(), SET, { ApprovalDecision: 'Deny', RequestId: a.RequestId });

    assert.equal(approved.status, 200);
    assert.deepEqual(approved.body, { value: [] });
    const status = async (id: string): Promise<string> => (await invoke(sim(), GET, { RequestId: id })).body.value[0].ApprovalStatus;
    assert.deepEqual([await status(a.RequestId), await status(b.RequestId), await status(c.RequestId)], ['Approved', 'Denied', 'Canceled']);
    assert.equal(again.status, 400);
    assert.match(cmdletMessage(again.body).Message, /is Approved and is no longer pending/);
    assert.deepEqual(sim().tenant.getM365Request(a.RequestId)?.decisions.map((d) => [d.decision, d.comment]), [['Approve', 'ok']]);
  });

  it('answers a decision on an unknown request with ManagementObjectNotFoundException, and a wrong -ServiceName with 400', async () => {
    const request = await create(sim(), { ServiceName: 'Exchange' });

    const unknown = await invoke(sim(), SET, { ApprovalDecision: 'Approve', RequestId: 'EXSR000000' });
    const wrongService = await invoke(sim(), SET, { ApprovalDecision: 'Approve', RequestId: request.RequestId, ServiceName: 'Teams' });

    assert.equal(unknown.status, 404);
    assert.equal(cmdletMessage(unknown.body).TypeName, 'Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException');
    assert.equal(wrongService.status, 400);
    assert.equal(sim().tenant.getM365Request(request.RequestId)?.approvalStatus, 'Pending');
  });

  it('reads and sets CustomerLockBoxEnabled, warning when nothing changes', async () => {
    const read = async (): Promise<boolean> => (await invoke(sim(), 'Get-OrganizationConfig')).body.value[0].CustomerLockBoxEnabled;

    assert.equal(await read(), true);
    const off = await invoke(sim(), 'Set-OrganizationConfig', { CustomerLockboxEnabled: false });
    assert.equal(await read(), false);
    const offAgain = await invoke(sim(), 'Set-OrganizationConfig', { CustomerLockboxEnabled: 'False' });
    const notBool = await invoke(sim(), 'Set-OrganizationConfig', { CustomerLockboxEnabled: 'maybe' });

    assert.equal(off.status, 200);
    assert.equal(off.body['@adminapi.warnings'], undefined);
    assert.match(offAgain.body['@adminapi.warnings'][0], /no settings .* have been modified/);
    assert.equal(notBool.status, 400);
    assert.equal(sim().tenant.isLockboxEnabled(), true, 'the Azure switch is separate');
  });

  it('lets a fault name a cmdlet, so one cmdlet fails while the others on the same path answer', async () => {
    await call(sim(), 'POST', '/_simulator/faults', { body: { path: 'InvokeCommand', cmdlet: SET, status: 503, retryAfterSeconds: 3 } });

    const get = await invoke(sim(), GET);
    const set = await invoke(sim(), SET, { ApprovalDecision: 'Approve', RequestId: 'EXSR000000' });

    assert.equal(get.status, 200);
    assert.equal(set.status, 503);
    assert.equal(set.headers.get('retry-after'), '3');
    assert.match(set.body.error.innererror.internalexception.message, /Injected fault/);
  });

  it('records the cmdlet and the anchor mailbox of each call', async () => {
    await invoke(sim(), GET);
    await call(sim(), 'POST', INVOKE, { body: { CmdletInput: { CmdletName: 'Get-OrganizationConfig' } } });

    const calls = (await call(sim(), 'GET', '/_simulator/calls')).body;

    assert.deepEqual(calls.map((c: any) => [c.cmdlet, c.anchorMailbox, c.status]), [
      [GET, ANCHOR['x-anchormailbox'], 200],
      ['Get-OrganizationConfig', undefined, 401],
    ]);
  });
});

describe('Microsoft 365 lockbox requests expiring in the simulated tenant', () => {
  let sim: RunningSimulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it('reads a Pending request as Expired 12 hours after it was created, and lists it no more as Pending', async () => {
    let now = new Date('2026-05-01T09:00:00Z');
    sim = await startSimulator({ port: 0, clock: () => now });
    const request = await create(sim);
    const status = async (): Promise<string> => (await invoke(sim!, GET, { RequestId: request.RequestId })).body.value[0].ApprovalStatus;

    assert.equal(request.ExpiryTime, '2026-05-01T21:00:00.0000000Z');
    now = new Date('2026-05-01T20:59:59.999Z');
    assert.equal(await status(), 'Pending');
    now = new Date('2026-05-01T21:00:00Z');
    assert.equal(await status(), 'Expired');
    assert.deepEqual((await invoke(sim, GET, { ApprovalStatus: 'Pending' })).body.value, []);
    const late = await invoke(sim, SET, { ApprovalDecision: 'Approve', RequestId: request.RequestId });
    assert.equal(late.status, 400);
    assert.match(cmdletMessage(late.body).Message, /is Expired/);
  });
});
