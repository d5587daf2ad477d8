import assert from 'node:assert/strict';
import { UpstreamError } from '../../src/domain/errors';
import type { LockboxRequest } from '../../src/domain/request';
import { fixedSubscriptions } from '../../src/lockbox/azure/subscriptions';
import { DEFAULT_SEED, startSimulator, type RunningSimulator } from '../../src/simulator';
import { AzureSupportCases } from '../../src/support-cases/azure-support-cases';
import { CachedSupportCases } from '../../src/support-cases/cached-support-cases';
import { parseTicket } from '../../src/support-cases/parse';
import { clientFor, injectFault } from '../support/clients';
import { readSupportExample as example } from '../support/reference';

const SUBSCRIPTION = DEFAULT_SEED.subscriptions[0]!;
const OTHER = '00000000-0000-4000-8000-00000000b0b0';
const NOW = new Date('2025-11-28T15:00:00Z');

function request(supportRequest: string, subscriptionId = SUBSCRIPTION): LockboxRequest {
  return { source: 'azure', requestId: 'r1', subscriptionId, status: 'Pending', resourceIds: [], supportRequest, workItemSource: 'SupportRequest', createdAt: NOW.toISOString(), expiresAt: NOW.toISOString(), raw: {} };
}

describe('the Azure Support API client', () => {
  it('reads the published examples: number, title, status, severity, opened when and by whom', () => {
    const fromGet = parseTicket(example('GetSubscriptionSupportTicketDetails.json').responses['200'].body);
    assert.deepEqual(fromGet, {
      caseNumber: '118032014183770',
      title: 'Test - please ignore',
      status: 'Open',
      severity: 'minimal',
      createdAt: '2020-03-20T21:36:18.000Z',
      openedBy: { name: 'abc xyz', email: 'abc@contoso.com' },
      service: 'Subscription management',
    });
    const listed = example('ListSupportTicketsCreatedOnOrAfterAndInOpenStateBySubscription.json').responses['200'].body.value.map(parseTicket);
    assert.deepEqual(listed.map((c: any) => [c.caseNumber, c.title]), [['119120321001170', 'my title'], ['118032014183771', 'Test - please ignore']]);
  });

  it('keeps what people wrote on a case short enough for a card, and reads a case without contact details', () => {
    const hostile = parseTicket({ properties: { supportTicketId: ' 2511280010001234 ', title: `{{DATE(2026-01-01T00:00:00Z)}} **${'x'.repeat(5000)}`, status: 'Open', contactDetails: { firstName: 'y'.repeat(500) } } });
    assert.equal(hostile?.caseNumber, '2511280010001234');
    assert.equal(hostile?.title.length, 200);
    assert.equal(hostile?.openedBy.name?.length, 100);
    assert.deepEqual(parseTicket({ properties: { supportTicketId: '1', contactDetails: null } })?.openedBy, {});
    assert.equal(parseTicket({ properties: { title: 'no number' } }), undefined);
  });

  describe('against the simulated tenant over HTTP', () => {
    let sim: RunningSimulator;
    let cases: AzureSupportCases;
    const calls = async () => ((await (await fetch(`${sim.url}/_simulator/calls`)).json()) as { method: string; path: string; query: Record<string, string> }[]);

    beforeEach(async () => {
      sim = await startSimulator({ port: 0, pageSize: 2, clock: () => NOW, seed: { ...DEFAULT_SEED, subscriptions: [SUBSCRIPTION, OTHER] } });
      cases = new AzureSupportCases(clientFor(sim.url), fixedSubscriptions([SUBSCRIPTION, OTHER]), () => NOW);
    });
    afterEach(() => sim.close());

    it('finds a case by its number with a reader\'s list call, never lookUpResourceId', async () => {
      sim.tenant.support.create({ subscriptionId: SUBSCRIPTION, supportTicketId: '2511280010001234', title: 'VM restarts unexpectedly', createdDate: '2025-11-28T13:00:00Z' });
      sim.tenant.support.create({ subscriptionId: SUBSCRIPTION, supportTicketId: '2511280010009999', createdDate: '2025-11-28T12:00:00Z' });

      const found = await cases.find(request('2511280010001234'));

      assert.equal(found?.title, 'VM restarts unexpectedly');
      assert.deepEqual(found?.openedBy, { name: 'Dana Smith', email: 'dana.smith@contoso.example' });
      const made = await calls();
      assert.ok(made.every((c) => c.method === 'GET' && /\/providers\/Microsoft\.Support\/supportTickets$/.test(c.path)));
      assert.equal(made[0]!.query['api-version'], '2024-04-01');
      assert.equal(made[0]!.query.$filter, 'createdDate ge 2025-11-26T00:00:00Z', 'the window starts from the day the number names');
    });

    it('follows nextLink across pages and searches the other watched subscriptions when the request\'s own has no such case', async () => {
      for (let i = 0; i < 120; i++) sim.tenant.support.create({ subscriptionId: OTHER, createdDate: '2025-11-27T10:00:00Z' });
      sim.tenant.support.create({ subscriptionId: OTHER, supportTicketId: '2511270010000042', status: 'Closed', createdDate: '2025-11-27T11:00:00Z' });
      const found = await cases.find({ ...request('2511270010000042'), subscriptionId: SUBSCRIPTION });
      assert.equal(found?.status, 'Closed');
      const listed = (await calls()).map((c) => [c.path.split('/')[2], c.query.$skiptoken === undefined ? 'first' : 'next']);
      // The request's own subscription is searched from the number's day, then over all 18 months, before the next one.
      assert.deepEqual(listed, [[SUBSCRIPTION, 'first'], [SUBSCRIPTION, 'first'], [OTHER, 'first'], [OTHER, 'next']]);
    });

    it('answers not found only when every subscription answered', async () => {
      assert.equal(await cases.find(request('2511280010005555')), undefined);
      await fetch(`${sim.url}/_simulator/support/access`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ subscriptionId: OTHER, read: false }) });
      await assert.rejects(cases.find(request('2511280010005555')), (error: unknown) => {
        assert.ok(error instanceof UpstreamError);
        assert.equal(error.status, 403);
        assert.equal(error.transient, false);
        assert.match(error.message, /give it Reader \(Microsoft\.Support\/supportTickets\/read\)/);
        return true;
      });
    });

    it('reports an outage as a transient failure', async () => {
      await injectFault(sim.url, { path: 'Microsoft.Support/supportTickets$', status: 503, times: 10 });
      await assert.rejects(cases.find(request('2511280010005555')), (error: unknown) => error instanceof UpstreamError && error.transient);
    });

    it('keeps an answer for a short time and shares it between callers, but never keeps a failure', async () => {
      sim.tenant.support.create({ subscriptionId: SUBSCRIPTION, supportTicketId: '2511280010001234' });
      let now = NOW.getTime();
      const cached = new CachedSupportCases(cases, 60_000, { now: () => new Date(now) });
      await Promise.all([cached.find(request('2511280010001234')), cached.find(request('2511280010001234'))]);
      assert.equal((await calls()).length, 1);
      now += 61_000;
      await cached.find(request('2511280010001234'));
      assert.equal((await calls()).length, 2);

      await injectFault(sim.url, { path: 'Microsoft.Support/supportTickets$', status: 403 });
      await assert.rejects(cached.find(request('2511280010007777')));
      assert.ok(await cached.find(request('2511280010007777')) === undefined, 'the failure was not kept');
    });
  });
});
