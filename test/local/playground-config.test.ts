import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { DIRECTORY_ROLES } from '../../src/domain/roles';
import { DEFAULT_SEED } from '../../src/simulator';

const yml = fs.readFileSync(path.resolve(__dirname, '../../.m365agentsplayground.yml'), 'utf8');
const field = (name: string) => [...yml.matchAll(new RegExp(`^\\s*${name}:\\s*(\\S+)\\s*$`, 'gm'))].map((m) => m[1]!);

describe('the Playground configuration', () => {
  const [currentUser, ...others] = field('aadObjectId');
  const seeded = (id: string) => DEFAULT_SEED.users.find((u) => u.id === id);

  it('uses the simulated tenant', () => {
    assert.deepEqual(field('tenantId'), [DEFAULT_SEED.tenantId]);
  });

  it('lists at least the five other users the Playground insists on', () => {
    assert.ok(others.length >= 5, `found ${others.length}`);
  });

  it('has only people who exist in the simulated directory', () => {
    for (const id of [currentUser!, ...others]) assert.ok(seeded(id), `${id} is not in the simulator's seed`);
  });

  it('signs in as a Customer LockBox Access Approver', () => {
    assert.ok(seeded(currentUser!)?.directoryRoles.includes(DIRECTORY_ROLES.customerLockboxApprover.id));
  });

  it('offers at least one person with no approver role, to see a refusal', () => {
    assert.ok(others.some((id) => seeded(id)?.directoryRoles.length === 0 && !seeded(id)?.azureRoles?.length));
  });
});
