import { strict as assert } from 'node:assert';
import { AZURE_ROLES, DIRECTORY_ROLES } from '../../src/domain/roles';
import { DEFAULT_SEED, SimulatedTenant } from '../../src/simulator';
import { GROUPS, SUBSCRIPTION, TEAMS_APP, USERS } from './helpers';

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

  it('seeds Patti as an approver only through the role-assignable Lockbox Approvers, and Night shift nested in Security On-call', () => {
    const approver = DIRECTORY_ROLES.customerLockboxApprover.id;

    assert.deepEqual(tenant.listDirectoryRoleAssignments({ principalId: GROUPS.lockboxApprovers }).map((a) => a.roleDefinitionId), [approver]);
    assert.deepEqual(tenant.listTransitiveDirectoryRoleAssignments({ principalId: USERS.patti }).map((a) => [a.principalId, a.roleDefinitionId]), [
      [GROUPS.lockboxApprovers, approver],
    ]);
    assert.deepEqual(tenant.listTransitiveDirectoryRoleAssignments({ principalId: USERS.lynne }), []);
    assert.deepEqual(tenant.listTransitiveDirectoryRoleAssignments({ principalId: USERS.alex }).map((a) => a.principalId), [USERS.alex]);
    assert.deepEqual(tenant.listGroups().map((g) => [g.displayName, g.isAssignableToRole, g.members]), [
      ['Lockbox Approvers', true, [USERS.patti]],
      ['Security On-call', false, [GROUPS.nightShift]],
      ['Night shift', false, [USERS.patti, USERS.lynne]],
    ]);
    assert.deepEqual(tenant.listTransitiveMembers(GROUPS.securityOnCall)?.map((o) => (o.kind === 'user' ? o.user.id : o.group.id)), [
      USERS.patti, USERS.lynne, GROUPS.nightShift,
    ]);
  });

  it('seeds the Lockbox Bot in the Teams app catalog, installed for nobody', () => {
    assert.deepEqual(tenant.listTeamsApps(), [{ ...TEAMS_APP, displayName: 'Lockbox Bot', distributionMethod: 'organization' }]);
    assert.deepEqual(tenant.listInstalledApps(USERS.alex), []);
    assert.equal(tenant.listInstalledApps('nobody@contoso.example'), undefined);
  });

  it('installs the app once per user and tells apart an unknown user and an unknown app', () => {
    const first = tenant.installTeamsApp(USERS.alex, TEAMS_APP.id);
    const second = tenant.installTeamsApp('alexw@contoso.example', TEAMS_APP.id.toUpperCase());

    assert.equal(first.outcome, 'installed');
    assert.equal(second.outcome, 'already-installed');
    assert.equal(tenant.installTeamsApp('nobody@contoso.example', TEAMS_APP.id).outcome, 'unknown-user');
    assert.equal(tenant.installTeamsApp(USERS.alex, TEAMS_APP.externalId).outcome, 'unknown-app');
    assert.equal(tenant.listInstalledApps(USERS.alex)?.length, 1);
  });

  it('refuses a seed whose group has an unknown member or reuses an id, and a role for a group that is not role-assignable', () => {
    const unknown = '11111111-1111-4111-8111-111111111111';

    assert.throws(() => new SimulatedTenant({ ...DEFAULT_SEED, groups: [{ id: unknown, displayName: 'X', members: ['22222222-2222-4222-8222-222222222222'] }] }), /unknown member/);
    assert.throws(() => new SimulatedTenant({ ...DEFAULT_SEED, groups: [{ id: USERS.alex, displayName: 'X', members: [] }] }), /used twice/);
    assert.throws(() => tenant.grantDirectoryRole(GROUPS.securityOnCall, DIRECTORY_ROLES.globalAdministrator.id), /not role-assignable/);
    assert.throws(() => tenant.grantDirectoryRole(unknown, DIRECTORY_ROLES.globalAdministrator.id), /Unknown user or group/);
  });

  it('refuses, as Entra does, a seed that puts a group inside a role-assignable group, whichever order the groups come in', () => {
    const admins = { id: '11111111-1111-4111-8111-111111111111', displayName: 'Admins', members: ['22222222-2222-4222-8222-222222222222'], directoryRoles: [DIRECTORY_ROLES.globalAdministrator.id] };
    const nested = { id: '22222222-2222-4222-8222-222222222222', displayName: 'Nested', members: [USERS.lynne] };
    const oldTopology = (DEFAULT_SEED.groups ?? []).map((g) => (g.id === GROUPS.lockboxApprovers ? { ...g, members: [GROUPS.securityOnCall] } : g));
    const refusal = /^Error: Seed: Group .+ cannot be a member of group .+: it is role-assignable/;

    assert.throws(() => new SimulatedTenant({ ...DEFAULT_SEED, groups: [admins, nested] }), refusal);
    assert.throws(() => new SimulatedTenant({ ...DEFAULT_SEED, groups: [nested, admins] }), refusal);
    assert.throws(() => new SimulatedTenant({ ...DEFAULT_SEED, groups: oldTopology }), refusal);
    // The same groups without the role are ordinary, and may nest.
    assert.doesNotThrow(() => new SimulatedTenant({ ...DEFAULT_SEED, groups: [{ ...admins, directoryRoles: [] }, nested] }));
  });

  it('refuses to add a group to a role-assignable group, and leaves its members as they were', () => {
    assert.throws(() => tenant.addGroupMember(GROUPS.lockboxApprovers, GROUPS.securityOnCall), /cannot be a member of group .+: it is role-assignable/);
    assert.throws(() => tenant.addGroupMember(GROUPS.lockboxApprovers.toUpperCase(), GROUPS.nightShift.toUpperCase()), /role-assignable/);

    assert.deepEqual(tenant.findGroup(GROUPS.lockboxApprovers)?.members, [USERS.patti]);
    assert.equal(tenant.addGroupMember(GROUPS.lockboxApprovers, USERS.lynne), false);
    assert.equal(tenant.addGroupMember(GROUPS.nightShift, GROUPS.securityOnCall), false);
  });

  it('hands out copies of groups, so a caller cannot change membership behind its back', () => {
    tenant.findGroup(GROUPS.securityOnCall)?.members.push(USERS.lynne);
    tenant.listGroups()[1]?.members.push(USERS.lynne);

    assert.deepEqual(tenant.findGroup(GROUPS.securityOnCall)?.members, [GROUPS.nightShift]);
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

  it('expires each request at its own time, whichever was created or made Pending again in between', () => {
    const later = tenant.createRequest();
    now = new Date(Date.parse(later.expirationDateTime) - 60_000);
    assert.equal(tenant.getRequest(later.requestId)?.status, 'Pending');
    // Created after the last look, yet due first.
    const sooner = tenant.createRequest({ expirationDateTime: new Date(now.getTime() + 1000).toISOString() });
    now = new Date(now.getTime() + 1000);
    assert.equal(tenant.getRequest(sooner.requestId)?.status, 'Expired');
    assert.equal(tenant.getRequest(later.requestId)?.status, 'Pending');
    // Made Pending again by hand after it expired: due at once.
    tenant.setRequestStatus(sooner.requestId, 'Pending');
    assert.equal(tenant.getRequest(sooner.requestId)?.status, 'Expired');
    now = new Date(later.expirationDateTime);
    assert.equal(tenant.getRequest(later.requestId)?.status, 'Expired');
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
