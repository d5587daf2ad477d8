import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_SEED, SimulatedTenant } from '../../src/simulator';
import type { SimulatorLogger } from '../../src/simulator/logger';
import { persistTenant } from '../../src/simulator/state-file';
import { GROUPS, SUBSCRIPTION, USERS } from './helpers';

function recordingLogger(): SimulatorLogger & { warnings: string[] } {
  const warnings: string[] = [];
  const ignore = (): void => undefined;
  return { warnings, debug: ignore, info: ignore, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) };
}

describe('the simulated tenant saved in a file', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockbox-tenant-'));
    file = path.join(dir, 'nested', 'simulated-tenant.json');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('continues after a restart with every change made before it', () => {
    const first = new SimulatedTenant(DEFAULT_SEED);
    assert.equal(persistTenant(first, file, recordingLogger()), false, 'nothing to continue from at first');
    const azure = first.createRequest({ subscriptionId: SUBSCRIPTION });
    first.decide(SUBSCRIPTION, azure.requestId, 'Approve', 'case 1');
    const pending = first.createRequest({ subscriptionId: SUBSCRIPTION });
    const m365 = first.createM365Request();
    first.setM365LockboxEnabled(false);
    first.revokeDirectoryRole(USERS.alex, '5c4f9dcd-47dc-4cf7-8c9a-9e4207cbfc91');
    first.addGroupMember(GROUPS.lockboxApprovers, USERS.lynne);

    const second = new SimulatedTenant(DEFAULT_SEED);
    assert.equal(persistTenant(second, file, recordingLogger()), true);
    assert.deepEqual(second.listRequests(), first.listRequests());
    assert.equal(second.getRequest(azure.requestId)?.status, 'Approved');
    assert.equal(second.getRequest(pending.requestId)?.status, 'Pending');
    assert.deepEqual(second.getM365Request(m365.requestId), first.getM365Request(m365.requestId));
    assert.equal(second.isM365LockboxEnabled(), false);
    assert.deepEqual(second.listTransitiveDirectoryRoleAssignments({ principalId: USERS.alex }), first.listTransitiveDirectoryRoleAssignments({ principalId: USERS.alex }));
    assert.deepEqual(second.findGroup(GROUPS.lockboxApprovers), first.findGroup(GROUPS.lockboxApprovers));
    assert.deepEqual(second.listAzureRoleAssignments(SUBSCRIPTION), first.listAzureRoleAssignments(SUBSCRIPTION), 'role assignments keep their createdOn');
    const next = second.createRequest({ subscriptionId: SUBSCRIPTION });
    assert.ok(next.seq > pending.seq, 'new records come after the saved ones');
  });

  for (const [what, content] of [
    ['an unreadable file', '{"version":1, "requests": ['],
    ['a file of another shape', JSON.stringify({ version: 2 })],
    ['the state of another tenant', JSON.stringify({ ...new SimulatedTenant(DEFAULT_SEED).saveState(), tenantId: '00000000-0000-4000-8000-0000000000ff' })],
  ] as const) {
    it(`starts afresh from ${what}, keeps it aside and says so once`, () => {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
      const logger = recordingLogger();
      const tenant = new SimulatedTenant(DEFAULT_SEED);
      assert.equal(persistTenant(tenant, file, logger), false);
      assert.equal(logger.warnings.length, 1);
      const aside = fs.readdirSync(path.dirname(file)).filter((f) => f.includes('.unreadable-'));
      assert.equal(aside.length, 1);
      assert.equal(fs.readFileSync(path.join(path.dirname(file), aside[0]!), 'utf8'), content);
      tenant.createRequest({ subscriptionId: SUBSCRIPTION });
      assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).requests.length, 1);
    });
  }
});
