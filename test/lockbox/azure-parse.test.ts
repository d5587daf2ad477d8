import assert from 'node:assert/strict';
import { parseAzureRequest } from '../../src/lockbox/azure/parse';
import { safeLink } from '../../src/lockbox/links';
import { readExample } from '../support/reference';

describe('reading Azure lockbox requests as the official examples show them', () => {
  const listed: [string, (body: any) => unknown[]][] = [
    ['examples/Requests_List.json', (b) => b.value],
    ['examples/Requests_List_FilterByStatus.json', (b) => b.value],
    ['examples/Requests_Get_InSubscription.json', (b) => [b]],
    ['superseded-examples/Get_Request.json', (b) => [b]],
    ['superseded-examples/Get_RequestByResourceGroup.json', (b) => [b]],
    ['2018-10-11-preview-draft/examples/Requests_List_Expand_FilterByStatus.json', (b) => b.value],
  ];
  for (const [file, items] of listed) {
    it(`parses every request in ${file}`, () => {
      const body = readExample(file).responses['200'].body;
      for (const raw of items(body)) {
        const parsed = parseAzureRequest(raw);
        assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
        assert.equal(parsed.request.source, 'azure');
        assert.ok(parsed.request.requestId);
        assert.ok(parsed.request.resourceIds.length > 0);
        assert.deepEqual(parsed.request.raw, raw, 'the raw record is kept');
      }
    });
  }

  it('reads the newer shape: duration as a string of hours, resource ids comma-separated, workitemsource', () => {
    const [first, , third] = readExample('examples/Requests_List.json').responses['200'].body.value.map((r: unknown) => parseAzureRequest(r));
    assert.equal(first.request.durationHours, 8);
    assert.equal(first.request.workItemSource, 'Other');
    assert.equal(third.request.durationHours, undefined);
    assert.equal(third.request.durationText, 'Support request lifetime');
  });

  it('reads the older shape: numeric duration and a requestedResourceIds array', () => {
    const [first] = readExample('examples/Requests_List_FilterByStatus.json').responses['200'].body.value.map((r: unknown) => parseAzureRequest(r));
    assert.equal(first.request.durationHours, 8);
    assert.equal(first.request.resourceIds.length, 2);
    assert.equal(first.request.status, 'Pending');
  });

  it('splits comma-separated resource ids', () => {
    const parsed = parseAzureRequest({ properties: { requestId: 'r', status: 'Pending', createdDateTime: '2026-01-01T00:00:00Z', expirationDateTime: '2026-01-05T00:00:00Z', resourceIds: 'a, b,c' } });
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.request.resourceIds, ['a', 'b', 'c']);
  });

  it('drops a support case link that is not https, so a card never carries a script or plain-HTTP link', () => {
    const parsed = parseAzureRequest({ properties: { requestId: 'r', status: 'Pending', createdDateTime: '2026-01-01T00:00:00Z', expirationDateTime: '2026-01-05T00:00:00Z', supportCaseUrl: 'javascript:alert(1)' } });
    assert.ok(parsed.ok);
    assert.equal(parsed.request.supportCaseUrl, undefined);
  });

  const broken: [string, unknown][] = [
    ['no properties', { id: 'x' }],
    ['no request id', { properties: { status: 'Pending', createdDateTime: '2026-01-01T00:00:00Z', expirationDateTime: '2026-01-05T00:00:00Z' } }],
    ['an expiry that is not a date', { properties: { requestId: 'r1', status: 'Pending', createdDateTime: '2026-01-01T00:00:00Z', expirationDateTime: 'tomorrow' } }],
    ['not an object at all', 'oops'],
  ];
  it('keeps a record whose creation time is not a date, says it was incomplete, and takes the earliest creation possible', () => {
    const parsed = parseAzureRequest({ properties: { requestId: 'r1', status: 'Pending', createdDateTime: 'yesterday', expirationDateTime: '2026-01-05T00:00:00Z' } });
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.request.incomplete, ['createdDateTime']);
    assert.equal(parsed.request.createdAt, '2026-01-01T00:00:00.000Z');
  });

  it('reads an empty status in a Pending listing as Pending, and says it was incomplete', () => {
    const parsed = parseAzureRequest({ properties: { requestId: 'r1', status: '', createdDateTime: '2026-01-01T00:00:00Z', expirationDateTime: '2026-01-05T00:00:00Z' } }, 'sub-1', true);
    assert.ok(parsed.ok);
    assert.equal(parsed.request.status, 'Pending');
    assert.deepEqual(parsed.request.incomplete, ['status']);
  });

  for (const [what, raw] of broken) {
    it(`reports a record with ${what} instead of throwing`, () => {
      const parsed = parseAzureRequest(raw);
      assert.equal(parsed.ok, false);
    });
  }
});

describe('links from upstream', () => {
  const cases: [string, string | undefined][] = [
    ['https://portal.azure.com/#resource/subscriptions/x/providers/microsoft.support/supporttickets/1', 'https://portal.azure.com/#resource/subscriptions/x/providers/microsoft.support/supporttickets/1'],
    ['https://portal.azure.com/a)[evil](https://evil.example', 'https://portal.azure.com/a%29%5Bevil%5D%28https://evil.example'],
    ['http://portal.azure.com/x', undefined],
    ['javascript:alert(1)', undefined],
    ['https://user:pass@portal.azure.com/', undefined],
    ['not a url', undefined],
  ];
  for (const [input, expected] of cases) it(`turns ${input} into ${expected ?? 'no link'}`, () => assert.equal(safeLink(input), expected));
});

describe('whose Azure request it is: only what its own record says, never the listing it came in', () => {
  const LISTED = '00000000-0000-4000-8000-00000000a2b1';
  const OTHER = '00000000-0000-4000-8000-00000000beef';
  const ID = '00000000-0000-4000-8000-0000000000aa';
  const armId = (sub: string | undefined) => `${sub ? `/subscriptions/${sub}` : ''}/providers/Microsoft.CustomerLockbox/requests/${ID}`;
  const record = (id: string | undefined, subscriptionId: string | undefined) => ({
    ...(id === undefined ? {} : { id }),
    properties: { requestId: ID, status: 'Pending', createdDateTime: '2026-01-01T00:00:00Z', expirationDateTime: '2026-01-05T00:00:00Z', ...(subscriptionId === undefined ? {} : { subscriptionId }) },
  });
  const scopeOf = (raw: unknown) => {
    const parsed = parseAzureRequest(raw, LISTED, true);
    assert.ok(parsed.ok);
    return { subscriptionId: parsed.request.subscriptionId, decideInPortal: parsed.request.decideInPortal ?? false, listedIn: parsed.request.listedIn };
  };

  it('takes the subscription its record and its resource id agree on, in any letter case', () => {
    assert.deepEqual(scopeOf(record(armId(LISTED.toUpperCase()), LISTED)), { subscriptionId: LISTED, decideInPortal: false, listedIn: LISTED });
    assert.equal(scopeOf(record(armId(OTHER), OTHER)).subscriptionId, OTHER, 'another subscription, if both say so: that one\'s approvers, not the listing\'s');
  });

  it('takes the one it names when only its resource id or only its properties name one', () => {
    assert.equal(scopeOf(record(armId(LISTED), undefined)).subscriptionId, LISTED);
    assert.equal(scopeOf(record(undefined, LISTED)).subscriptionId, LISTED);
  });

  const undecided: [string, unknown][] = [
    ['names no subscription at all', record(undefined, undefined)],
    ['has a tenant-level resource id and no subscriptionId', record(armId(undefined), undefined)],
    ['has a resource id of a foreign subscription', record(armId(OTHER), LISTED)],
    ['has a tenant-level resource id but a subscriptionId', record(armId(undefined), LISTED)],
    ['has a resource id of another shape', record(`/subscriptions/${LISTED}/resourceGroups/rg/providers/Microsoft.CustomerLockbox/requests/${ID}`, LISTED)],
    ['has an empty subscriptionId', record(undefined, ' ')],
  ];
  for (const [what, raw] of undecided) {
    it(`gives no subscription, and leaves the decision to the portal, to a record listed under one that ${what}`, () => {
      assert.deepEqual(scopeOf(raw), { subscriptionId: undefined, decideInPortal: true, listedIn: LISTED });
    });
  }
});
