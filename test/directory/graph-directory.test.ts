import assert from 'node:assert/strict';
import { GraphDirectory } from '../../src/directory/graph-directory';
import { DirectoryUnavailable } from '../../src/domain/errors';
import type { LockboxRequest } from '../../src/domain/request';
import { AZURE_ROLES, DIRECTORY_ROLES } from '../../src/domain/roles';
import { DEFAULT_SEED, DEFAULT_GROUPS, startSimulator, type RunningSimulator } from '../../src/simulator';
import { clientFor, injectFault } from '../support/clients';
import { pendingRequest } from '../support/fakes';

const SUBSCRIPTION = DEFAULT_SEED.subscriptions[0]!;
const OTHER = '00000000-0000-4000-8000-00000000b0b0';
const PEOPLE = { alex: '00000000-0000-4000-8000-000000000020', megan: '00000000-0000-4000-8000-000000000021', adele: '00000000-0000-4000-8000-000000000022', isaiah: '00000000-0000-4000-8000-000000000023' };

describe('who may decide, asked live from the simulated Graph and Azure RBAC', () => {
  let sim: RunningSimulator;
  let directory: GraphDirectory;
  const azure: LockboxRequest = pendingRequest({ subscriptionId: SUBSCRIPTION });
  const otherSubscription: LockboxRequest = pendingRequest({ subscriptionId: OTHER });
  const tenantScoped: LockboxRequest = pendingRequest({ subscriptionId: undefined });
  const m365: LockboxRequest = pendingRequest({ source: 'm365', subscriptionId: undefined, requestId: 'EXSR123456' });

  beforeEach(async () => {
    sim = await startSimulator({ port: 0, seed: { ...DEFAULT_SEED, subscriptions: [SUBSCRIPTION, OTHER] } });
    directory = new GraphDirectory(clientFor(sim.url, 'https://graph.microsoft.com/.default'), clientFor(sim.url));
  });
  afterEach(() => sim.close());

  const cases: [string, string, LockboxRequest, boolean][] = [
    ['a Global Administrator without a role on the subscription, for a subscription-scoped request', PEOPLE.megan, azure, false],
    ['the subscription\'s lockbox approver', PEOPLE.alex, azure, true],
    ['the subscription\'s Owner', PEOPLE.isaiah, azure, true],
    ['an Owner of the subscription for a request on another subscription', PEOPLE.isaiah, otherSubscription, false],
    ['someone with no role', PEOPLE.adele, azure, false],
    ['a Customer LockBox Access Approver for a tenant-scoped Azure request (Global Administrator only)', PEOPLE.alex, tenantScoped, false],
    ['a Global Administrator for a tenant-scoped Azure request', PEOPLE.megan, tenantScoped, true],
    ['a Customer LockBox Access Approver for a Microsoft 365 request', PEOPLE.alex, m365, true],
    ['a Global Administrator for a Microsoft 365 request', PEOPLE.megan, m365, true],
    ['the subscription\'s Owner for a Microsoft 365 request', PEOPLE.isaiah, m365, false],
    ['a Customer LockBox Access Approver through a role-assignable group, for a Microsoft 365 request', '00000000-0000-4000-8000-000000000024', m365, true],
    ['an id that is not a GUID', 'not-a-guid', azure, false],
  ];
  for (const [who, userId, request, allowed] of cases) {
    it(`${allowed ? 'allows' : 'refuses'} ${who}`, async () => {
      assert.equal((await directory.checkApprover(userId, request)).allowed, allowed);
    });
  }

  it('names the roles held and the roles that would do', async () => {
    const check = await directory.checkApprover(PEOPLE.alex, azure);
    assert.deepEqual(check.heldRoles, [`Azure Customer Lockbox Approver for Subscription on subscription ${SUBSCRIPTION}`]);
    assert.deepEqual(check.requiredRoles, [`Owner on subscription ${SUBSCRIPTION}`, `Azure Customer Lockbox Approver for Subscription on subscription ${SUBSCRIPTION}`]);
  });

  it('does not count a subscription role assigned after the request was created, and says which', async () => {
    const created = new Date(Date.now() - 60_000).toISOString();
    const request = pendingRequest({ subscriptionId: SUBSCRIPTION, createdAt: created });
    sim.tenant.grantAzureRole(SUBSCRIPTION, PEOPLE.adele, AZURE_ROLES.owner.id);
    const check = await directory.checkApprover(PEOPLE.adele, request);
    assert.equal(check.allowed, false);
    assert.deepEqual(check.lateRoles, [`Owner on subscription ${SUBSCRIPTION}`]);
    assert.equal((await directory.listApprovers(request)).includes(PEOPLE.adele), false, 'no buttons for a late role either');
  });

  it('counts a subscription role assigned before the request was created', async () => {
    sim.tenant.grantAzureRole(SUBSCRIPTION, PEOPLE.adele, AZURE_ROLES.owner.id, new Date(Date.now() - 3_600_000).toISOString());
    const request = pendingRequest({ subscriptionId: SUBSCRIPTION, createdAt: new Date(Date.now() - 60_000).toISOString() });
    assert.equal((await directory.checkApprover(PEOPLE.adele, request)).allowed, true);
  });

  it('asks a subscription-scoped request\'s check of Azure RBAC alone, in one call: no directory role can decide it (bench:clicks)', async () => {
    await fetch(`${sim.url}/_simulator/calls`, { method: 'DELETE' });
    assert.equal((await directory.checkApprover(PEOPLE.megan, azure)).allowed, false, 'a Global Administrator alone may not');
    const calls = (await (await fetch(`${sim.url}/_simulator/calls`)).json()) as { path: string; query: Record<string, string> }[];
    assert.deepEqual(calls.map((c) => c.path), [`/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleAssignments`]);
    // Only the assignments at the subscription and above can count, so only those are asked for.
    assert.equal(calls[0]?.query.$filter, `atScope() and assignedTo('${PEOPLE.megan}')`);
  });

  it('stops allowing a person the moment the role is revoked', async () => {
    assert.equal((await directory.checkApprover(PEOPLE.megan, tenantScoped)).allowed, true);
    sim.tenant.revokeDirectoryRole(PEOPLE.megan, DIRECTORY_ROLES.globalAdministrator.id);
    assert.equal((await directory.checkApprover(PEOPLE.megan, tenantScoped)).allowed, false);
  });

  for (const [call, status] of [['roleAssignmentScheduleInstances', 503], ['roleAssignmentScheduleInstances', 403], ['transitiveMemberOf', 503], ['transitiveMemberOf', 403]] as const) {
    it(`fails closed when Graph answers ${call} with ${status}`, async () => {
      await injectFault(sim.url, { path: call, status, times: 10 });
      await assert.rejects(directory.checkApprover(PEOPLE.megan, tenantScoped), DirectoryUnavailable);
      await assert.rejects(directory.checkAdmin(PEOPLE.megan, 'azure'), DirectoryUnavailable);
    });
  }

  describe('directory roles: the active assignment must have started before the request was created', () => {
    const PATTI = '00000000-0000-4000-8000-000000000024';
    const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000);

    it('refuses a Global Administrator activated (PIM) after a tenant-scoped request was created, says which role, and gives no buttons', async () => {
      const request = pendingRequest({ subscriptionId: undefined, createdAt: minutesAgo(5).toISOString() });
      sim.tenant.activateDirectoryRole(PEOPLE.adele, DIRECTORY_ROLES.globalAdministrator.id, minutesAgo(1));
      const check = await directory.checkApprover(PEOPLE.adele, request);
      assert.equal(check.allowed, false);
      assert.deepEqual(check.lateRoles, ['Global Administrator']);
      assert.equal((await directory.listApprovers(request)).includes(PEOPLE.adele), false);
    });

    it('refuses a Customer LockBox Access Approver activated after a Microsoft 365 request was created', async () => {
      const request = pendingRequest({ source: 'm365', subscriptionId: undefined, requestId: 'EXSR123457', createdAt: minutesAgo(5).toISOString() });
      sim.tenant.activateDirectoryRole(PEOPLE.adele, DIRECTORY_ROLES.customerLockboxApprover.id, minutesAgo(1));
      const check = await directory.checkApprover(PEOPLE.adele, request);
      assert.equal(check.allowed, false);
      assert.deepEqual(check.lateRoles, ['Customer LockBox Access Approver']);
    });

    it('counts an activation that started before the request was created', async () => {
      sim.tenant.activateDirectoryRole(PEOPLE.adele, DIRECTORY_ROLES.customerLockboxApprover.id, minutesAgo(10));
      const request = pendingRequest({ source: 'm365', subscriptionId: undefined, requestId: 'EXSR123458', createdAt: minutesAgo(5).toISOString() });
      assert.equal((await directory.checkApprover(PEOPLE.adele, request)).allowed, true);
      assert.equal((await directory.listApprovers(request)).includes(PEOPLE.adele), true);
    });

    it('counts a permanent assignment, whose schedule instance shows no start (Graph does not say when it began)', async () => {
      const request = pendingRequest({ subscriptionId: undefined, createdAt: minutesAgo(5).toISOString() });
      sim.tenant.grantDirectoryRole(PEOPLE.adele, DIRECTORY_ROLES.globalAdministrator.id);
      assert.equal((await directory.checkApprover(PEOPLE.adele, request)).allowed, true);
    });

    it('applies the start of a role-assignable group\'s activation to its members', async () => {
      const request = pendingRequest({ source: 'm365', subscriptionId: undefined, requestId: 'EXSR123459', createdAt: minutesAgo(5).toISOString() });
      assert.equal((await directory.checkApprover(PATTI, request)).allowed, true, 'the group\'s permanent assignment counts');
      sim.tenant.revokeDirectoryRole(DEFAULT_GROUPS.lockboxApprovers, DIRECTORY_ROLES.customerLockboxApprover.id);
      sim.tenant.activateDirectoryRole(DEFAULT_GROUPS.lockboxApprovers, DIRECTORY_ROLES.customerLockboxApprover.id, minutesAgo(1));
      const check = await directory.checkApprover(PATTI, request);
      assert.equal(check.allowed, false);
      assert.deepEqual(check.lateRoles, ['Customer LockBox Access Approver']);
    });

    it('does not count an activation that has ended', async () => {
      const request = pendingRequest({ subscriptionId: undefined, createdAt: minutesAgo(5).toISOString() });
      sim.tenant.activateDirectoryRole(PEOPLE.adele, DIRECTORY_ROLES.globalAdministrator.id, minutesAgo(600), 8);
      const check = await directory.checkApprover(PEOPLE.adele, request);
      assert.deepEqual([check.allowed, check.lateRoles], [false, []]);
    });

    it('asks Graph v1.0 only (no beta endpoint), and tells an unknown user no role rather than failing', async () => {
      await directory.checkApprover(PEOPLE.megan, m365);
      assert.equal((await directory.checkApprover('11111111-1111-4111-8111-111111111111', m365)).allowed, false);
      const calls = ((await (await fetch(`${sim.url}/_simulator/calls`)).json()) as { path: string }[]).map((c) => c.path);
      assert.ok(calls.some((p) => p.startsWith('/v1.0/roleManagement/directory/roleAssignmentScheduleInstances')));
      assert.ok(calls.some((p) => /^\/v1\.0\/users\/[^/]+\/transitiveMemberOf$/.test(p)));
      assert.deepEqual(calls.filter((p) => p.startsWith('/beta/')), []);
    });
  });

  it('lists the approvers of a subscription request: the subscription\'s approvers and Owners, not Global Administrators', async () => {
    assert.deepEqual((await directory.listApprovers(azure)).sort(), [PEOPLE.alex, PEOPLE.isaiah].sort());
  });

  it('looks up a display name for the audit trail, and shrugs when it cannot', async () => {
    assert.deepEqual(await directory.lookupUser(PEOPLE.alex), { displayName: 'Alex Wilber', userPrincipalName: 'alexw@contoso.example' });
    assert.equal(await directory.lookupUser('00000000-0000-4000-8000-0000000000ff'), undefined);
  });
});
