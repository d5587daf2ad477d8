import { strict as assert } from 'node:assert';
import { AZURE_ROLES, DIRECTORY_ROLES } from '../../src/domain/roles';
import { DEFAULT_SEED, SimulatedTenant } from '../../src/simulator';
import { SUBSCRIPTION, USERS } from './helpers';

describe('the simulated tenant state', () => {
  let now: Date;
  let tenant: SimulatedTenant;
  beforeEach(() => {
    now = new Date('2026-05-01T12:00:00Z');
    tenant = new SimulatedTenant(DEFAULT_SEED, () => now);
  });

  it('seeds the Playground people with exactly the roles the config promises', () => {
    const roles = (user: string): string[] => tenant.listDirectoryRoleAssignments({ principalId: user }).map((a) => a.roleDefinitionId);

    assert.deepEqual(roles(USERS.alex), [DIRECTORY_ROLES.customerLockboxApprover.id]);
    assert.deepEqual(roles(USERS.megan), [DIRECTORY_ROLES.globalAdministrator.id]);
    assert.deepEqual(roles(USERS.adele), []);
    assert.deepEqual(roles(USERS.isaiah), []);
    assert.deepEqual(roles(USERS.patti), []);
    assert.deepEqual(tenant.listAzureRoleAssignments(SUBSCRIPTION).map((a) => [a.principalId, a.roleDefinitionId]), [
      [USERS.alex, AZURE_ROLES.lockboxApproverForSubscription.id],
      [USERS.isaiah, AZURE_ROLES.owner.id],
    ]);
    assert.equal(tenant.isLockboxEnabled(), true);
  });

  it('expires a Pending request exactly at its expiration time, and leaves decided ones alone', () => {
    const pending = tenant.createRequest();
    const approved = tenant.createRequest({ status: 'Approved' });

    now = new Date(Date.parse(pending.expirationDateTime) - 1);
    assert.equal(tenant.getRequest(pending.requestId)?.status, 'Pending');
    now = new Date(pending.expirationDateTime);
    assert.equal(tenant.getRequest(pending.requestId)?.status, 'Expired');
    assert.equal(tenant.getRequest(approved.requestId)?.status, 'Approved');
  });

  it('refuses to decide an expired request and reports it as Expired', () => {
    const request = tenant.createRequest();
    now = new Date('2026-05-06T00:00:00Z');

    assert.deepEqual(tenant.decide(SUBSCRIPTION, request.requestId, 'Approve', 'late'), { outcome: 'not-pending', currentStatus: 'Expired' });
  });

  it('does not find a request under another subscription', () => {
    const request = tenant.createRequest();

    assert.deepEqual(tenant.decide('11111111-1111-4111-8111-111111111111', request.requestId, 'Approve', 'x'), { outcome: 'not-found' });
  });

  it('hands out copies, so a caller cannot change the state behind its back', () => {
    const request = tenant.createRequest();
    const copy = tenant.getRequest(request.requestId);
    if (copy) copy.status = 'Approved';

    assert.equal(tenant.getRequest(request.requestId)?.status, 'Pending');
  });

  it('grants a role once however often it is granted', () => {
    tenant.grantDirectoryRole(USERS.adele, DIRECTORY_ROLES.globalAdministrator.id);
    tenant.grantDirectoryRole(USERS.adele, DIRECTORY_ROLES.globalAdministrator.id.toUpperCase());

    assert.equal(tenant.listDirectoryRoleAssignments({ principalId: USERS.adele }).length, 1);
    assert.equal(tenant.revokeDirectoryRole(USERS.adele, DIRECTORY_ROLES.globalAdministrator.id), true);
    assert.equal(tenant.revokeDirectoryRole(USERS.adele, DIRECTORY_ROLES.globalAdministrator.id), false);
  });

  it('finds a user by object id or by user principal name, in any case', () => {
    assert.equal(tenant.findUser('ALEXW@contoso.example')?.id, USERS.alex);
    assert.equal(tenant.findUser(USERS.alex.toUpperCase())?.displayName, 'Alex Wilber');
    assert.equal(tenant.findUser('nobody@contoso.example'), undefined);
  });
});
