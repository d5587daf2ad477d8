import { systemClock } from '../../src/runtime/clock';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RequestGone, UpstreamError } from '../../src/domain/errors';
import type { LockboxRequest } from '../../src/domain/request';
import { M365LockboxSource } from '../../src/lockbox/m365/source';

const EXO_SCOPE = 'https://outlook.office365.com/.default';
import { createLogger } from '../../src/runtime/logger';
import { DEFAULT_SEED, startSimulator, type RunningSimulator } from '../../src/simulator';
import { clientFor, injectFault } from '../support/clients';

const TENANT = DEFAULT_SEED.tenantId;
const ANCHOR = `APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@${TENANT}`;
const FIXTURES = path.resolve(__dirname, '../fixtures/m365');
const fixture = (name: string): any => JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8'));
const GET = 'Get-AccessToCustomerDataRequest';
const SET = 'Set-AccessToCustomerDataRequest';

interface LogLine {
  level: string;
  message: string;
  [field: string]: unknown;
}

describe('the Microsoft 365 lockbox client, against the simulated Exchange Online admin API over HTTP', () => {
  let sim: RunningSimulator;
  let source: M365LockboxSource;
  let logs: LogLine[];

  const calls = async (): Promise<any[]> => (await fetch(`${sim.url}/_simulator/calls`)).json() as Promise<any[]>;
  const create = async (body: Record<string, unknown> = {}): Promise<any> => {
    const res = await fetch(`${sim.url}/_simulator/m365/requests`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(res.status, 201, await res.clone().text());
    return res.json();
  };
  const onlyPending = async (): Promise<LockboxRequest> => {
    const { requests } = await source.listPending();
    assert.equal(requests.length, 1);
    return requests[0]!;
  };
  const warnings = (): LogLine[] => logs.filter((l) => l.level === 'warn');

  beforeEach(async () => {
    sim = await startSimulator({ port: 0, pageSize: 2 });
    logs = [];
    const logger = createLogger('debug', (line) => logs.push(JSON.parse(line) as LogLine));
    source = new M365LockboxSource({ client: clientFor(sim.url, EXO_SCOPE), tenantId: TENANT, logger, clock: systemClock });
  });
  afterEach(() => sim.close());

  it('lists every Pending request across pages, with the anchor mailbox header on every call', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await create()).RequestId);
    await create({ ApprovalStatus: 'Approved' });

    const listing = await source.listPending();

    assert.deepEqual(listing.requests.map((r) => r.requestId).sort(), ids.sort());
    assert.deepEqual(listing.failures, []);
    assert.ok(listing.requests.every((r) => r.source === 'm365' && r.status === 'Pending' && r.subscriptionId === undefined));
    const made = await calls();
    assert.equal(made.length, 3, 'five requests at two a page are three pages');
    for (const call of made) {
      assert.deepEqual([call.method, call.path, call.cmdlet, call.anchorMailbox, call.status], ['POST', `/adminapi/beta/${TENANT}/InvokeCommand`, GET, ANCHOR, 200]);
    }
  });

  it('maps the fixture records, whatever their field names and date formats', async () => {
    await injectFault(sim.url, { path: 'InvokeCommand', cmdlet: GET, status: 200, body: fixture('get-access-to-customer-data-request.json') });

    const { requests } = await source.listPending();

    const [exchange, sharepoint, teams] = requests;
    assert.deepEqual(
      requests.map((r) => [r.requestId, r.status, r.resourceType, r.createdAt, r.expiresAt, r.durationHours]),
      [
        ['EXSR123456', 'Pending', 'Exchange', '2026-05-01T09:15:00.000Z', '2026-05-01T21:15:00.000Z', 4],
        ['EXSR654321', 'Pending', 'SharePoint Online', '2026-05-01T09:00:00.000Z', '2026-05-01T21:00:00.000Z', 4],
        ['EXSR777001', 'Canceled', 'Teams', '2026-05-01T09:30:00.000Z', '2026-05-01T21:30:00.000Z', 4],
      ],
    );
    assert.equal(exchange!.justification, 'Troubleshoot issues in Rick Hofer mailbox');
    assert.deepEqual(exchange!.resourceIds, ['rickh@contoso.example']);
    assert.equal(exchange!.supportRequest, '7000123456');
    assert.deepEqual(sharepoint!.resourceIds, ['https://contoso.sharepoint.com/sites/Finance']);
    assert.deepEqual(teams!.resourceIds, ['Project Falcon']);
    assert.deepEqual(exchange!.raw, fixture('get-access-to-customer-data-request.json').value[0], 'the record is kept as it came');
  });

  it('skips, counts and logs only a record without an id, without hiding the others', async () => {
    const good = (await create()).RequestId;
    const records = [{ ApprovalStatus: 'Pending', Comment: 'no id' }, { RequestId: 'EXSR999999', ApprovalStatus: '' }, ...(await (await fetch(`${sim.url}/_simulator/m365/requests`)).json() as any).value];
    await injectFault(sim.url, { path: 'InvokeCommand', cmdlet: GET, status: 200, body: { value: records } });

    const { requests, skipped } = await source.listPending();

    assert.deepEqual(requests.map((r) => r.requestId), ['EXSR999999', good]);
    assert.deepEqual(requests[0]!.incomplete, ['ApprovalStatus', 'CreatedTime', 'ExpiryTime']);
    assert.equal(requests[0]!.status, 'Pending', 'listed as Pending');
    assert.equal(skipped, 1);
    const warned = warnings().find((l) => /could not be read/.test(l.message));
    assert.ok(warned, JSON.stringify(logs));
    assert.match(String(warned.error), /no request id/);
  });

  it('logs a record shape with unknown fields once, naming the fields', async () => {
    const odd = { RequestId: 'EXSR100001', ApprovalStatus: 'Pending', CreatedTime: '2026-05-01T09:00:00Z', RegionCode: 'EU', Engineer: 'jdoe' };
    await injectFault(sim.url, { path: 'InvokeCommand', cmdlet: GET, status: 200, body: { value: [odd, { ...odd, RequestId: 'EXSR100002' }] }, times: 2 });

    await source.listPending();
    await source.listPending();

    const shapes = warnings().filter((l) => /fields the bot does not map/.test(l.message));
    assert.equal(shapes.length, 1);
    assert.deepEqual(shapes[0]!.unknownFields, ['Engineer', 'RegionCode']);
  });

  it('approves and denies with the comment, and reads the result back', async () => {
    const first = (await create({ ServiceName: 'SharePoint' })).RequestId;
    await create();
    const { requests } = await source.listPending();
    const [a, b] = [requests.find((r) => r.requestId === first)!, requests.find((r) => r.requestId !== first)!];

    assert.deepEqual(await source.submitDecision(a, 'approve', 'case 42: looked at the logs'), {});
    assert.deepEqual(await source.submitDecision(b, 'reject', 'not without a case number'), {});

    assert.equal((await source.getRequest(a))?.status, 'Approved');
    assert.equal((await source.getRequest(b))?.status, 'Denied');
    const view = async (id: string): Promise<any> => (await fetch(`${sim.url}/_simulator/m365/requests/${id}`)).json();
    assert.deepEqual((await view(a.requestId)).decisions.map((d: any) => [d.decision, d.comment]), [['Approve', 'case 42: looked at the logs']]);
    assert.deepEqual((await view(b.requestId)).decisions.map((d: any) => [d.decision, d.comment]), [['Deny', 'not without a case number']]);
    const sets = (await calls()).filter((c) => c.cmdlet === SET);
    assert.equal(sets.length, 2);
    assert.ok(sets.every((c) => c.anchorMailbox === ANCHOR));
  });

  it('does not believe a 200 with warnings only, or without the cmdlet result, and names a request Exchange no longer has', async () => {
    await create();
    const request = await onlyPending();
    await injectFault(sim.url, { path: 'InvokeCommand', cmdlet: SET, status: 200, body: { '@adminapi.warnings': ['The command completed successfully but no settings have been modified.'] } });
    assert.match((await source.submitDecision(request, 'approve', 'x')).anomaly ?? '', /warnings: The command completed successfully but no settings/);
    await injectFault(sim.url, { path: 'InvokeCommand', cmdlet: SET, status: 200, body: '<html></html>', headers: { 'content-type': 'text/html' } });
    assert.match((await source.submitDecision(request, 'approve', 'x')).anomaly ?? '', /without the cmdlet's result/);
    const gone = { ...request, requestId: 'EXSR000404' };
    await assert.rejects(source.submitDecision(gone, 'approve', 'x'), (e: Error) => e instanceof RequestGone);
  });

  it('adopts the status Exchange reports when the request was decided elsewhere', async () => {
    await create();
    const request = await onlyPending();
    await fetch(`${sim.url}/_simulator/m365/requests/${request.requestId}/status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'Denied' }) });

    assert.deepEqual(await source.submitDecision(request, 'approve', 'late'), { upstreamStatus: 'Denied' });
  });

  it('answers undefined for a request Exchange does not know, whether it answers nothing or ManagementObjectNotFoundException', async () => {
    await create();
    const request = await onlyPending();
    assert.equal(await source.getRequest({ ...request, requestId: 'EXSR000000' }), undefined);

    const notFound = { error: { code: 'NotFound', message: 'Error executing cmdlet', details: [{ code: 'Client', message: JSON.stringify({ Message: "The operation couldn't be performed because object 'EXSR000000' couldn't be found.", TypeName: 'Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException' }) }] } };
    await injectFault(sim.url, { path: 'InvokeCommand', cmdlet: GET, status: 404, body: notFound });
    assert.equal(await source.getRequest({ ...request, requestId: 'EXSR000000' }), undefined);
  });

  it('does not take an unknown tenant for a vanished request', async () => {
    await create();
    const request = await onlyPending();
    const elsewhere = new M365LockboxSource({ client: clientFor(sim.url, EXO_SCOPE), tenantId: '00000000-0000-4000-8000-0000000000ff', logger: createLogger('error', () => undefined), clock: systemClock });

    const error = await elsewhere.getRequest(request).catch((e: unknown) => e);

    assert.ok(error instanceof UpstreamError);
    assert.match(error.message, /Tenant '00000000-0000-4000-8000-0000000000ff' could not be found/);
  });

  const errors = fixture('errors.json');
  const advised: [string, string, RegExp, boolean][] = [
    ['signInFailed', 'the 401', /could not sign in to Exchange Online.*scope \(EXO_ENDPOINT\)/, false],
    ['forbidden', 'the 403', /Exchange\.ManageAsApp.*Exchange Administrator/, false],
    ['notLicensed', 'the licence error', /E5/, false],
  ];
  for (const [name, label, advice, transient] of advised) {
    it(`gives specific advice for ${label}, and says it is ${transient ? '' : 'not '}worth retrying`, async () => {
      await create();
      const request = await onlyPending();
      await injectFault(sim.url, { path: 'InvokeCommand', cmdlet: SET, status: errors[name].status, body: errors[name].body });

      const error = await source.submitDecision(request, 'approve', '').catch((e: unknown) => e);

      assert.ok(error instanceof UpstreamError, String(error));
      assert.equal(error.transient, transient);
      assert.equal(error.status, errors[name].status);
      assert.match(error.message, advice);
      assert.match(error.message, /EXSR\d+/, 'names the request');
    });
  }

  it('shows the cmdlet\'s own message, not the generic envelope', async () => {
    await injectFault(sim.url, { path: 'InvokeCommand', cmdlet: GET, status: 403, body: errors.forbidden.body });
    const error = await source.listPending().catch((e: unknown) => e);
    assert.ok(error instanceof UpstreamError);
    assert.match(error.message, /isn't allowed to run Set-AccessToCustomerDataRequest/);
    assert.doesNotMatch(error.message, /Error executing cmdlet/);
  });

  it('fails a decision Exchange refuses while the request is still pending, without pretending it was adopted', async () => {
    await create();
    const request = await onlyPending();
    await injectFault(sim.url, { path: 'InvokeCommand', cmdlet: SET, status: errors.notPending.status, body: errors.notPending.body });

    const error = await source.submitDecision(request, 'approve', '').catch((e: unknown) => e);

    assert.ok(error instanceof UpstreamError);
    assert.equal(error.transient, false);
    assert.match(error.message, /no longer pending/);
  });

  it('rides out a 429 with Retry-After and a 500', async () => {
    await create();
    await injectFault(sim.url, { path: 'InvokeCommand', status: 429, retryAfterSeconds: 0, times: 1 });
    await injectFault(sim.url, { path: 'InvokeCommand', status: 500, times: 1 });

    const listing = await source.listPending();

    assert.equal(listing.requests.length, 1);
    assert.deepEqual((await calls()).map((c) => c.status), [429, 500, 200]);
  });

  it('reads, turns off and turns on Customer Lockbox for the organisation', async () => {
    assert.equal(await source.isEnabled(), true);
    await source.setEnabled(false);
    assert.equal(await source.isEnabled(), false);
    assert.equal(sim.tenant.isM365LockboxEnabled(), false);
    assert.equal(sim.tenant.isLockboxEnabled(), true, 'Azure Customer Lockbox is another switch');
    await source.setEnabled(true);
    assert.equal(await source.isEnabled(), true);
    const cmdlets = (await calls()).map((c) => c.cmdlet);
    assert.deepEqual(cmdlets, ['Get-OrganizationConfig', 'Set-OrganizationConfig', 'Get-OrganizationConfig', 'Set-OrganizationConfig', 'Get-OrganizationConfig']);
  });

  it('logs a warning Exchange attaches to a successful answer once', async () => {
    await source.setEnabled(true);
    await source.setEnabled(true);
    const noted = warnings().filter((l) => /warning/.test(l.message));
    assert.equal(noted.length, 1);
    assert.match(String(noted[0]!.warning), /no settings .* have been modified/);
  });
});
