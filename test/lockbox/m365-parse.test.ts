import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { classifyExoFailure, exoFailure, readExoError } from '../../src/lockbox/m365/errors';
import { M365RecordParser, parseExoDate, parseM365Request, serviceNameFor } from '../../src/lockbox/m365/parse';
import { silentLogger } from '../../src/runtime/logger';

const fixture = (name: string): any => JSON.parse(readFileSync(path.resolve(__dirname, '../fixtures/m365', name), 'utf8'));
const base = { RequestId: 'EXSR1', ApprovalStatus: 'Pending', CreatedTime: '2026-05-01T09:00:00Z' };

describe('reading Microsoft 365 lockbox records from Exchange Online', () => {
  it('maps every fixture record and keeps it as raw', () => {
    for (const raw of fixture('get-access-to-customer-data-request.json').value) {
      const parsed = parseM365Request(raw);
      assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
      assert.equal(parsed.request.source, 'm365');
      assert.equal(parsed.request.subscriptionId, undefined);
      assert.deepEqual(parsed.request.raw, raw);
    }
  });

  const dates: [unknown, string | undefined][] = [
    ['2026-05-01T09:15:00.0000000Z', '2026-05-01T09:15:00.000Z'],
    ['2026-05-01T11:15:00.1234567+02:00', '2026-05-01T09:15:00.123Z'],
    ['2026-05-01T09:15:00', '2026-05-01T09:15:00.000Z'],
    ['/Date(1777626000000)/', '2026-05-01T09:00:00.000Z'],
    ['/Date(1777626000000+0200)/', '2026-05-01T09:00:00.000Z'],
    ['5/1/2026 9:30:00 PM', '2026-05-01T21:30:00.000Z'],
    ['5/1/2026 12:05:00 AM', '2026-05-01T00:05:00.000Z'],
    [1777626000000, '2026-05-01T09:00:00.000Z'],
    ['yesterday', undefined],
    ['/Date(0)/', undefined],
    [null, undefined],
  ];
  for (const [input, expected] of dates) {
    it(`reads the date ${JSON.stringify(input)} as ${expected ?? 'nothing'}`, () => assert.equal(parseExoDate(input), expected));
  }

  const statuses: [string, string][] = [['Pending', 'Pending'], ['approved', 'Approved'], ['Denied', 'Denied'], ['Cancelled', 'Canceled'], ['Canceled', 'Canceled'], ['Expired', 'Expired'], ['Revoked', 'Revoked']];
  for (const [given, domain] of statuses) {
    it(`maps the approval status ${given} to ${domain}`, () => {
      const parsed = parseM365Request({ ...base, ApprovalStatus: given });
      assert.ok(parsed.ok);
      assert.equal(parsed.request.status, domain);
    });
  }

  it('computes the expiry as creation + 12 hours when no expiry field is present, and the other way round', () => {
    const fromCreated = parseM365Request(base);
    const fromExpiry = parseM365Request({ RequestId: 'EXSR1', ApprovalStatus: 'Pending', ExpiryTime: '2026-05-01T21:00:00Z' });
    assert.ok(fromCreated.ok && fromExpiry.ok);
    assert.equal(fromCreated.request.expiresAt, '2026-05-01T21:00:00.000Z');
    assert.equal(fromExpiry.request.createdAt, '2026-05-01T09:00:00.000Z');
  });

  it('skips only a record without an id, and says so', () => {
    const parsed = parseM365Request({ ApprovalStatus: 'Pending', CreatedTime: '2026-05-01T09:00:00Z' });
    assert.ok(!parsed.ok);
    assert.match(parsed.error, /no request id/);
  });

  it('keeps a record without status or a readable time, says it was incomplete, and places it around when it was seen', () => {
    const seenAt = new Date('2026-05-01T12:00:00Z');
    const parsed = parseM365Request({ Identity: 'EXSR2', CreatedTime: 'soon' }, { listedAsPending: true, seenAt });
    assert.ok(parsed.ok);
    assert.equal(parsed.request.requestId, 'EXSR2');
    assert.equal(parsed.request.status, 'Pending');
    assert.deepEqual(parsed.request.incomplete, ['ApprovalStatus', 'CreatedTime', 'ExpiryTime']);
    // The earliest creation a Pending request can have (the role rule stays as strict), and the latest expiry.
    assert.equal(parsed.request.createdAt, '2026-05-01T00:00:00.000Z');
    assert.equal(parsed.request.expiresAt, '2026-05-02T00:00:00.000Z');
  });

  it('does not guess the zone of a time without one: it takes the creation from the expiry and says so', () => {
    const parsed = parseM365Request({ RequestId: 'EXSR3', ApprovalStatus: 'Pending', CreatedTime: '2026-05-01T09:00:00', ExpiryTime: '2026-05-01T21:00:00Z' });
    assert.ok(parsed.ok);
    assert.equal(parsed.request.createdAt, '2026-05-01T09:00:00.000Z');
    assert.deepEqual(parsed.request.incomplete, ['CreatedTime']);
  });

  it('reads an empty status outside a Pending listing as unknown, and says it was incomplete', () => {
    const parsed = parseM365Request({ ...base, ApprovalStatus: '' });
    assert.ok(parsed.ok);
    assert.equal(parsed.request.status, 'Unknown');
    assert.deepEqual(parsed.request.incomplete, ['ApprovalStatus'], 'an expiry 12 hours after the creation is known, not missing');
  });

  const durations: [unknown, { durationHours?: number; durationText?: string }][] = [
    ['04:00:00', { durationHours: 4 }], ['1.02:30:00', { durationHours: 26.5 }], ['PT4H', { durationHours: 4 }], [4, { durationHours: 4 }], ['4', { durationHours: 4 }], ['until resolved', { durationText: 'until resolved' }],
  ];
  for (const [given, expected] of durations) {
    it(`reads the access duration ${JSON.stringify(given)}`, () => {
      const parsed = parseM365Request({ ...base, AccessDuration: given });
      assert.ok(parsed.ok);
      assert.deepEqual({ durationHours: parsed.request.durationHours, durationText: parsed.request.durationText }, { durationHours: undefined, durationText: undefined, ...expected });
    });
  }

  it('sends -ServiceName only with a value Set-AccessToCustomerDataRequest accepts', () => {
    const service = (value: unknown): string | undefined => {
      const parsed = parseM365Request({ ...base, Workload: value });
      assert.ok(parsed.ok);
      return serviceNameFor(parsed.request);
    };
    assert.deepEqual([service('Exchange'), service('SharePoint Online'), service('OneDrive'), service('Teams'), service('EOP'), service('Yammer'), service(undefined)],
      ['Exchange', 'SharePoint', 'SharePoint', 'Teams', 'EOP', undefined, undefined]);
  });

  it('ignores type annotations when it looks for unknown fields', () => {
    const shapes: unknown[] = [];
    const parser = new M365RecordParser({ ...silentLogger, warn: (_m, fields) => shapes.push(fields) });
    parser.parse({ ...base, 'CreatedTime@data.type': 'System.DateTime' });
    assert.deepEqual(shapes, []);
  });
});

describe('reading Exchange Online admin API errors', () => {
  const errors = fixture('errors.json');

  const messages: [string, unknown, string | undefined][] = [
    ['a JSON message in error.details', errors.forbidden.body, "The user or application isn't allowed to run Set-AccessToCustomerDataRequest."],
    ['a code|type|message in error.details', errors.notPending.body, "The Customer Lockbox request 'EXSR123456' is Denied and is no longer pending."],
    ['error.innererror.internalexception.message', errors.signInFailed.body, "The token's audience is not https://outlook.office365.com."],
    ['error.message alone', { error: { code: 'BadRequest', message: 'Bad thing' } }, 'Bad thing'],
    ['details as one object', { error: { message: 'Error executing cmdlet', details: { message: 'One detail' } } }, 'One detail'],
    ['a plain-text body', 'Service Unavailable', 'Service Unavailable'],
    ['no body', undefined, undefined],
  ];
  for (const [label, body, message] of messages) {
    it(`takes the message from ${label}`, () => assert.equal(readExoError(body).message, message));
  }

  it('recognises the licence error whatever its status, and throttling and outages as transient', () => {
    assert.equal(classifyExoFailure(400, readExoError(errors.notLicensed.body)), 'licence');
    assert.equal(classifyExoFailure(403, { message: 'Customer Lockbox is not available for this tenant.' }), 'licence');
    assert.equal(classifyExoFailure(403, { message: 'Access denied' }), 'permission');
    assert.deepEqual([408, 429, 500, 503].map((s) => classifyExoFailure(s, {})), ['transient', 'transient', 'transient', 'transient']);
    assert.equal(classifyExoFailure(400, { message: 'no longer pending' }), 'rejected');
  });

  it('words the failure for an IT admin: what failed, what Exchange said, what to fix', () => {
    const failure = exoFailure('Listing pending Microsoft 365 lockbox requests', { status: 403, body: errors.forbidden.body, headers: {} });
    assert.equal(failure.message,
      "Listing pending Microsoft 365 lockbox requests failed (HTTP 403: The user or application isn't allowed to run Set-AccessToCustomerDataRequest.); " +
      'the app may not run this Exchange Online cmdlet: grant its app registration the Exchange.ManageAsApp application permission (Office 365 Exchange Online) ' +
      'with admin consent, and assign its service principal a directory role such as Exchange Administrator');
    assert.equal(failure.transient, false);
  });
});
