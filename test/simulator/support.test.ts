import { strict as assert } from 'node:assert';
import { BEARER, call, SUBSCRIPTION, useSimulator } from './helpers';
import { readSupportExample as example } from '../support/reference';

const GET_EXAMPLE = example('GetSubscriptionSupportTicketDetails.json');
const LIST_EXAMPLE = example('ListSupportTicketsCreatedOnOrAfterAndInOpenStateBySubscription.json');
const LOOKUP_EXAMPLE = example('SupportTicketResourceIdLookUp.json');

const TICKETS = `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Support/supportTickets`;
const V = 'api-version=2024-04-01';

/** Every key path with the JSON type of its value, e.g. `properties.contactDetails.firstName:string`. */
function shape(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${prefix}:${Array.isArray(value) ? 'array' : typeof value}`];
  return Object.entries(value).flatMap(([k, v]) => shape(v, prefix ? `${prefix}.${k}` : k)).sort();
}

describe('simulated Azure Support API', () => {
  const sim = useSimulator();
  const open = (body: object = {}) => call(sim(), 'POST', '/_simulator/support/tickets', { body });

  it('answers a case in exactly the shape of the published GetSubscriptionSupportTicketDetails example', async () => {
    const created = await open({ name: 'testticket', supportTicketId: '2511280010001234', title: 'VM restarts unexpectedly', firstName: 'Dana', lastName: 'Smith' });
    assert.equal(created.status, 201);

    const got = await call(sim(), 'GET', `${TICKETS}/testticket?${V}`, { headers: BEARER });

    assert.equal(got.status, 200);
    assert.deepEqual(shape(got.body), shape(GET_EXAMPLE.responses['200'].body));
    assert.equal(got.body.properties.supportTicketId, '2511280010001234');
    assert.equal(got.body.properties.title, 'VM restarts unexpectedly');
    assert.deepEqual([got.body.properties.contactDetails.firstName, got.body.properties.contactDetails.lastName], ['Dana', 'Smith']);
    assert.equal(got.body.id, `${TICKETS}/testticket`);
  });

  it('lists a subscription\'s cases with the example\'s filter, each item shaped like the example\'s', async () => {
    await open({ supportTicketId: '2003110010000001', createdDate: '2020-03-11T21:36:18Z' });
    await open({ supportTicketId: '2003090010000002', createdDate: '2020-03-09T10:00:00Z' });
    await open({ supportTicketId: '2003120010000003', createdDate: '2020-03-12T10:00:00Z', status: 'Closed' });
    const filter = encodeURIComponent(LIST_EXAMPLE.parameters.$filter);

    const listed = await call(sim(), 'GET', `${TICKETS}?${V}&$filter=${filter}`, { headers: BEARER });

    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.value.map((t: any) => t.properties.supportTicketId), ['2003110010000001']);
    const published = new Set(LIST_EXAMPLE.responses['200'].body.value.flatMap((t: unknown) => shape(t)));
    for (const path of shape(listed.body.value[0])) assert.ok(published.has(path), `${path} appears in the published list example`);
  });

  it('pages with nextLink under $top and rejects filters the description does not allow', async () => {
    for (let i = 0; i < 3; i++) await open();
    const first = await call(sim(), 'GET', `${TICKETS}?${V}&$top=2`, { headers: BEARER });
    assert.equal(first.body.value.length, 2);
    const second = await call(sim(), 'GET', first.body.nextLink, { headers: BEARER });
    assert.equal(second.body.value.length, 1);
    assert.equal(second.body.nextLink, undefined);

    const bad = await call(sim(), 'GET', `${TICKETS}?${V}&$filter=${encodeURIComponent("title eq 'x'")}`, { headers: BEARER });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'InvalidFilter');
  });

  it('answers 404 for a case it does not hold and 403 where the caller may not read cases', async () => {
    const missing = await call(sim(), 'GET', `${TICKETS}/nosuchticket?${V}`, { headers: BEARER });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'ResourceNotFound');

    await open({ name: 'held' });
    await call(sim(), 'PUT', '/_simulator/support/access', { body: { read: false } });
    for (const target of [`${TICKETS}?${V}`, `${TICKETS}/held?${V}`]) {
      const refused = await call(sim(), 'GET', target, { headers: BEARER });
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error.code, 'AuthorizationFailed');
      assert.match(refused.body.error.message, /Microsoft\.Support\/supportTickets\/read/);
    }
  });

  it('looks a case number up as the published SupportTicketResourceIdLookUp example does, 404 when unknown, 403 when withheld', async () => {
    const request = LOOKUP_EXAMPLE.parameters.supportTicketResourceIdLookupRequest;
    await open({ name: 'SupportTicketName', supportTicketId: request.supportTicketId.padEnd(15, '0') });
    const number = request.supportTicketId.padEnd(15, '0');

    const found = await call(sim(), 'POST', '/providers/Microsoft.Support/lookUpResourceId?api-version=2020-04-01', { headers: BEARER, body: { supportTicketId: number } });
    assert.equal(found.status, 200);
    assert.deepEqual(Object.keys(found.body), Object.keys(LOOKUP_EXAMPLE.responses['200'].body));
    assert.equal(found.body.resourceId, `${TICKETS}/SupportTicketName`);

    const unknown = await call(sim(), 'POST', '/providers/Microsoft.Support/lookUpResourceId?api-version=2020-04-01', { headers: BEARER, body: { supportTicketId: '999' } });
    assert.equal(unknown.status, 404);

    await call(sim(), 'PUT', '/_simulator/support/access', { body: { lookUp: false } });
    const withheld = await call(sim(), 'POST', '/providers/Microsoft.Support/lookUpResourceId?api-version=2020-04-01', { headers: BEARER, body: { supportTicketId: number } });
    assert.equal(withheld.status, 403);
    assert.match(withheld.body.error.message, /lookUpResourceId\/action/);
  });

  it('closes a case through the admin API, as the organisation would in the portal', async () => {
    await open({ name: 'c1', supportTicketId: '2511280010001234' });
    const closed = await call(sim(), 'POST', '/_simulator/support/tickets/2511280010001234/status', { body: { status: 'Closed' } });
    assert.equal(closed.status, 200);
    const got = await call(sim(), 'GET', `${TICKETS}/c1?${V}`, { headers: BEARER });
    assert.equal(got.body.properties.status, 'Closed');
  });
});
